//! http/client.rs and http/request.rs: `HttpClient` against any answer, any refresh answer and any
//! retry answer (sdk::check_http_answer).
#![no_main]
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::sdk::{self, Answer};

/// Splits `data` into a flags byte and three answers: 2 bytes of status, 1 byte selecting the
/// content type, then the body up to the next 0xff byte.
fn answers(data: &[u8]) -> Option<(bool, [Answer; 3])> {
    const TYPES: [Option<&str>; 6] = [
        None,
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("text/plain"),
        Some("Application/Problem+JSON"),
        Some("text/html; charset=utf-8"),
    ];
    let (&flags, mut rest) = data.split_first()?;
    let mut out = Vec::with_capacity(3);
    for i in 0..3 {
        if rest.len() < 3 {
            return None;
        }
        let raw = u16::from_le_bytes([rest[0], rest[1]]);
        // Mostly the statuses that matter (2xx, 401, 4xx, 5xx), sometimes any.
        let status = if flags & (2 << i) != 0 {
            100 + raw % 500
        } else {
            [200, 201, 204, 401, 400, 403, 404, 408, 429, 500, 503][usize::from(raw % 11)]
        };
        let content_type = TYPES[usize::from(rest[2]) % TYPES.len()].map(str::to_owned);
        rest = &rest[3..];
        let end = rest.iter().position(|&b| b == 0xff).unwrap_or(rest.len());
        let body = String::from_utf8_lossy(&rest[..end]).into_owned();
        rest = rest.get(end + 1..).unwrap_or(&[]);
        out.push(Answer {
            status,
            content_type,
            body,
        });
    }
    let [a, b, c] = <[Answer; 3]>::try_from(out).ok()?;
    Some((flags & 1 == 1, [a, b, c]))
}

fuzz_target!(|data: &[u8]| {
    if let Some((authenticated, [first, refresh, retry])) = answers(data) {
        sdk::check_http_answer(authenticated, first, refresh, retry);
    }
});
