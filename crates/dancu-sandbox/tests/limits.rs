//! Slow and stalled clients against the sandbox over real TCP: the header
//! and body deadlines close them, the connection cap bounds them, and
//! shutdown drops them after its grace period.

use std::time::{Duration, Instant};

use dancu_sandbox::{Sandbox, SandboxConfig, ServerLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn sandbox(limits: ServerLimits) -> Sandbox {
    Sandbox::start(SandboxConfig {
        citizens: 100,
        limits,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox")
}

async fn connect(sandbox: &Sandbox) -> TcpStream {
    let addr = sandbox.base_url().trim_start_matches("http://").to_owned();
    TcpStream::connect(addr).await.expect("connect")
}

/// Everything the server sends until it closes, or `None` if it is still
/// open after `wait`.
async fn read_to_close(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut got = Vec::new();
    match tokio::time::timeout(wait, stream.read_to_end(&mut got)).await {
        Ok(_) => Some(String::from_utf8_lossy(&got).into_owned()),
        Err(_) => None,
    }
}

/// The status line of one answer, or `None` if none came within `wait`.
async fn status_line(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut buf = vec![0; 4096];
    let n = tokio::time::timeout(wait, stream.read(&mut buf))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    text.lines().next().map(str::to_owned)
}

const STATS: &[u8] = b"GET /admin/stats HTTP/1.1\r\nHost: sandbox\r\n\r\n";

#[tokio::test]
async fn headers_that_never_end_are_cut_off() {
    let sandbox = sandbox(ServerLimits {
        header_read_timeout: Duration::from_millis(300),
        ..ServerLimits::default()
    })
    .await;
    let mut slow = connect(&sandbox).await;
    slow.write_all(b"POST /lgsp/tracuu HTTP/1.1\r\nHost: sandbox\r\n")
        .await
        .expect("write");
    let started = Instant::now();
    let answer = read_to_close(&mut slow, Duration::from_secs(5)).await;
    assert!(answer.is_some(), "the connection is closed");
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "not before the deadline"
    );
    // A client that sends its request in time is served.
    let mut quick = connect(&sandbox).await;
    quick.write_all(STATS).await.expect("write");
    let line = status_line(&mut quick, Duration::from_secs(5)).await;
    assert_eq!(line.as_deref(), Some("HTTP/1.1 200 OK"));
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_body_that_stops_coming_is_answered_408_and_closed() {
    let sandbox = sandbox(ServerLimits {
        body_read_timeout: Duration::from_millis(300),
        ..ServerLimits::default()
    })
    .await;
    let mut slow = connect(&sandbox).await;
    slow.write_all(
        b"PUT /admin/faults HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\n\
          Content-Length: 2000000\r\n\r\n{\"latency_ms\":",
    )
    .await
    .expect("write");
    let answer = read_to_close(&mut slow, Duration::from_secs(5))
        .await
        .expect("closed");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let sandbox = sandbox(ServerLimits {
        max_connections: 2,
        ..ServerLimits::default()
    })
    .await;
    let mut idle = vec![connect(&sandbox).await, connect(&sandbox).await];
    // Both slots are taken by the idle connections once they are accepted.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = connect(&sandbox).await;
    third.write_all(STATS).await.expect("write");
    assert_eq!(
        status_line(&mut third, Duration::from_millis(700)).await,
        None,
        "not served while the cap is reached"
    );
    drop(idle.pop());
    assert_eq!(
        status_line(&mut third, Duration::from_secs(5))
            .await
            .as_deref(),
        Some("HTTP/1.1 200 OK"),
        "served once a slot is free"
    );
    drop(idle);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn shutdown_drops_a_stalled_request_after_the_grace_period() {
    let sandbox = sandbox(ServerLimits {
        body_read_timeout: Duration::from_secs(600),
        shutdown_grace: Duration::from_millis(300),
        ..ServerLimits::default()
    })
    .await;
    let mut stalled = connect(&sandbox).await;
    stalled
        .write_all(b"PUT /admin/faults HTTP/1.1\r\nHost: sandbox\r\nContent-Length: 100\r\n\r\n{")
        .await
        .expect("write");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), sandbox.shutdown())
        .await
        .expect("shutdown ends within its grace, not when the client does")
        .expect("shutdown");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "the grace is waited"
    );
    assert!(
        read_to_close(&mut stalled, Duration::from_secs(2))
            .await
            .is_some(),
        "the connection is dropped"
    );
}

/// One request over raw TCP; the status line of its answer.
async fn post_as(sandbox: &Sandbox, path: &str, content_type: Option<&str>, body: &str) -> String {
    let mut stream = connect(sandbox).await;
    let ct = content_type.map_or(String::new(), |t| format!("Content-Type: {t}\r\n"));
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: sandbox\r\n{ct}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    status_line(&mut stream, Duration::from_secs(5))
        .await
        .expect("an answer")
}

#[tokio::test]
async fn each_channel_reads_its_own_content_type_only() {
    let s = sandbox(ServerLimits::default()).await;
    let soap = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"/>";
    for path in [
        "/lgsp/tracuu",
        "/lgsp/xacthuc",
        "/c06/tracuu",
        "/c06/xacthuc",
    ] {
        for wrong in [None, Some("text/plain"), Some("application/json")] {
            let line = post_as(&s, path, wrong, soap).await;
            assert!(line.contains(" 415 "), "{path} as {wrong:?}: {line}");
        }
        // XML passes the binding and meets the credentials check.
        let line = post_as(&s, path, Some("application/xml"), soap).await;
        assert!(!line.contains(" 415 "), "{path}: {line}");
    }
    for path in ["/tinh/tracuu", "/tinh/xacthuc"] {
        for wrong in [None, Some("text/xml"), Some("text/plain")] {
            let line = post_as(&s, path, wrong, "{}").await;
            assert!(line.contains(" 415 "), "{path} as {wrong:?}: {line}");
        }
        let line = post_as(&s, path, Some("application/json"), "{}").await;
        assert!(!line.contains(" 415 "), "{path}: {line}");
    }
    s.shutdown().await.expect("shutdown");
}

/// The C06 channel's headers for a request, signed now.
fn c06_headers(sandbox: &Sandbox) -> String {
    use dancu_wire::TimestampUnit;
    let c = &sandbox.channels()["channels"]["c06"];
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
    let unit = if s("timestamp_unit") == "s" {
        TimestampUnit::Seconds
    } else {
        TimestampUnit::Milliseconds
    };
    let ts = dancu_wire::auth::c06_timestamp(std::time::SystemTime::now(), unit).expect("now");
    let auth =
        dancu_wire::auth::c06_authorization(&s("auth_url"), &s("username"), &ts, &s("secret"));
    let mut h = format!("Timestamp: {ts}\r\nAuthorization: {auth}\r\n");
    if c.get("api_key").is_some() {
        h.push_str(&format!(
            "ApiKey: {}\r\nX-Road-Client: {}\r\n",
            s("api_key"),
            s("x_road_client")
        ));
    }
    h
}

#[tokio::test]
async fn a_large_request_is_read_off_the_executor() {
    // On this single-threaded runtime the sandbox and the test share one
    // thread: a request read inline would hold it for as long as reading
    // takes.
    let s = sandbox(ServerLimits::default()).await;
    let attrs: String = (0..60).map(|i| format!(" a{i:02}=\"\"")).collect();
    let mut soap = String::from(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><x>",
    );
    for _ in 0..4_500 {
        soap.push_str(&format!("<y{attrs}/>"));
    }
    soap.push_str("</x></soap:Body></soap:Envelope>");
    let request = format!(
        "POST /c06/tracuu HTTP/1.1\r\nHost: sandbox\r\nContent-Type: text/xml\r\n{}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{soap}",
        c06_headers(&s),
        soap.len()
    );
    let mut heavy = connect(&s).await;
    heavy.write_all(request.as_bytes()).await.expect("write");
    // While it is read, the admin API answers at once, again and again.
    let started = Instant::now();
    let mut longest = Duration::ZERO;
    let mut answered = 0;
    let heavy_answer = tokio::spawn(async move {
        let mut got = Vec::new();
        heavy.read_to_end(&mut got).await.expect("read");
        String::from_utf8_lossy(&got).into_owned()
    });
    while !heavy_answer.is_finished() && started.elapsed() < Duration::from_secs(60) {
        let t = Instant::now();
        let mut c = connect(&s).await;
        c.write_all(STATS).await.expect("write");
        let line = status_line(&mut c, Duration::from_secs(30)).await;
        assert_eq!(line.as_deref(), Some("HTTP/1.1 200 OK"));
        longest = longest.max(t.elapsed());
        answered += 1;
    }
    let reading = started.elapsed();
    let answer = heavy_answer.await.expect("the heavy request");
    assert!(
        answer.starts_with("HTTP/1.1 500"),
        "a Client fault: {answer:.200}"
    );
    assert!(answered >= 2, "{answered} stats answers in {reading:?}");
    assert!(
        longest < reading / 2,
        "a stats request waited {longest:?} while a request was read for {reading:?}"
    );
    s.shutdown().await.expect("shutdown");
}
