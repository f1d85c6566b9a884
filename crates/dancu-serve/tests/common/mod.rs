//! What the service's test binaries share: a service started on loopback.

use tokio::sync::oneshot;

/// A service on loopback: where it listens and the way to stop it.
pub(crate) async fn serving(
    s: dancu_serve::Service,
) -> (
    dancu_serve::Listening,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), dancu_serve::ServeError>>,
) {
    let (addr_tx, addr_rx) = oneshot::channel();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(dancu_serve::run(
        s,
        Some("127.0.0.1:0".parse().expect("an address")),
        move |l| {
            let _ = addr_tx.send(l);
        },
        async move {
            let _ = stop_rx.await;
        },
    ));
    let listening = addr_rx.await.expect("it listens");
    (listening, stop_tx, server)
}
