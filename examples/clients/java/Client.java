// A one-stop system's intake form filled from `dancu serve`, in Java 17 with
// the JDK only (java.net.http.HttpClient), run as a single source file:
//
//   DANCU_URL=http://127.0.0.1:8080 DANCU_KEY=... \
//   DANCU_SUBJECT_ID=... DANCU_SUBJECT_NAME=... DANCU_SUBJECT_DOB=dd/mm/yyyy \
//   java Client.java
//
// It checks the ID the officer typed, resolves a handwritten address, looks
// the citizen up (the officer on the audit record), asks the audit trail
// whether the lookup was recorded, and prints what the form would fill in.
// The JDK has no JSON parser: a small one below reads the answers (a real
// system would use Jackson or Gson; the calls are the same).

import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class Client {
    static final String BASE = System.getenv().getOrDefault("DANCU_URL", "http://127.0.0.1:8080");
    static final String KEY = System.getenv("DANCU_KEY");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        String id = System.getenv("DANCU_SUBJECT_ID");
        String name = System.getenv("DANCU_SUBJECT_NAME");
        String dob = System.getenv("DANCU_SUBJECT_DOB");

        // 1. The ID as typed: its kind and registration province.
        Map<String, Object> idReport = first(call("POST", "/v1/identity/inspect",
                "{\"inputs\":[" + quote(id) + "]}"));
        if (!Boolean.TRUE.equals(idReport.get("valid"))) {
            fail("the ID is not valid: " + get(idReport, "error", "code"));
        }
        out.println("Loại giấy tờ: " + idReport.get("kind") + ", nơi đăng ký: "
                + get(idReport, "registration", "province"));

        // 2. A handwritten address in both eras.
        Map<String, Object> addr = first(call("POST", "/v1/addresses/resolve",
                "{\"inputs\":[" + quote("Xã Ea H'Leo, Huyện Ea H'Leo, Đắk Lắk") + "]}"));
        if (Boolean.TRUE.equals(addr.get("resolved"))) {
            out.println("Địa chỉ (trước 2025): " + get(addr, "legacy", "commune", "name") + ", "
                    + get(addr, "legacy", "district", "name") + ", " + get(addr, "legacy", "province", "name"));
            out.println("Địa chỉ (từ 2025): " + get(addr, "current", "commune", "name") + ", "
                    + get(addr, "current", "province", "name"));
        }

        // 3. The lookup, with the officer on the audit record.
        String body = "{\"gateway\":\"provincial_json\",\"id\":" + quote(id) + ",\"name\":" + quote(name)
                + ",\"birth_date\":" + quote(dob) + ",\"procedure\":\"1.001776\""
                + ",\"purpose\":" + quote("Tiếp nhận hồ sơ đăng ký thường trú")
                + ",\"officer\":{\"id\":\"canbo.motcua\",\"unit\":\"000.00.21.H06\"}}";
        Map<String, Object> answer = call("POST", "/v1/citizens/lookup", body);
        if (!"found".equals(answer.get("outcome"))) {
            fail("not found in the population database (outcome " + answer.get("outcome") + ")");
        }
        out.println("Họ và tên: " + get(answer, "record", "name", "full"));
        out.println("Ngày sinh: " + get(answer, "record", "birth_date"));
        out.println("Số CCCD: " + get(answer, "record", "personal_id"));
        out.println("Thường trú: " + units(get(answer, "record", "addresses", "permanent")));
        out.println("Nơi ở hiện tại: " + units(get(answer, "record", "addresses", "current")));

        // 4. "Who looked me up": the lookup above is in the audit trail.
        Map<String, Object> audit = call("GET", "/v1/audit/subjects/"
                + URLEncoder.encode(id, StandardCharsets.UTF_8) + "?limit=100", null);
        boolean recorded = false;
        for (Object r : (List<?>) audit.get("records")) {
            recorded |= answer.get("request_id").equals(((Map<?, ?>) r).get("request_id"));
        }
        out.println("Tra cứu đã ghi nhật ký: " + (recorded ? "có" : "không"));
    }

    /** One call; a problem answer (application/problem+json) ends the program with its code. */
    static Map<String, Object> call(String method, String path, String json) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(BASE + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + KEY)
                .header("Accept", "application/json");
        if (json == null) {
            req.GET();
        } else {
            req.header("Content-Type", "application/json")
               .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        }
        HttpResponse<String> resp = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) new Json(resp.body()).value();
        if (resp.statusCode() >= 300) {
            fail("HTTP " + resp.statusCode() + " " + body.get("code") + ": " + body.get("detail"));
        }
        return body;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> first(Map<String, Object> batch) {
        return (Map<String, Object>) ((List<Object>) batch.get("results")).get(0);
    }

    static Object get(Object v, String... path) {
        for (String k : path) {
            v = v instanceof Map<?, ?> m ? m.get(k) : null;
        }
        return v;
    }

    static String units(Object address) {
        if (address == null) return "(không có)";
        StringBuilder s = new StringBuilder();
        for (String level : new String[] {"commune", "district", "province"}) {
            Object n = get(address, level, "name");
            if (n != null) s.append(s.length() > 0 ? ", " : "").append(n);
        }
        return s.toString();
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    static void fail(String why) {
        System.err.println(why);
        System.exit(1);
    }

    /** A minimal JSON reader: objects, arrays, strings, numbers, true, false, null. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) { this.s = s; }

        Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') return object();
            if (c == '[') return array();
            if (c == '"') return string();
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            return Double.parseDouble(s.substring(start, i));
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            ws();
            if (s.charAt(i) == '}') { i++; return m; }
            while (true) {
                ws();
                String k = string();
                ws();
                i++; // ':'
                m.put(k, value());
                ws();
                if (s.charAt(i++) == '}') return m;
            }
        }

        private List<Object> array() {
            List<Object> a = new ArrayList<>();
            i++;
            ws();
            if (s.charAt(i) == ']') { i++; return a; }
            while (true) {
                a.add(value());
                ws();
                if (s.charAt(i++) == ']') return a;
            }
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++;
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c != '\\') { b.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> { b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                    default -> b.append(e);
                }
            }
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }
    }
}
