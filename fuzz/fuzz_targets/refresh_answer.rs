//! session/wire.rs `parse_refresh_answer` and classify.rs `classify_response` on any answer.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::sdk;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let body = String::from_utf8_lossy(&data[2..]);
    sdk::check_refresh_answer(status, &body);
    sdk::check_token_body(&body);
});
