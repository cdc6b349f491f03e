//! core/json.rs against serde_json: accept/reject agreement, equal values, stable writing.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::sdk;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        sdk::check_json(text);
        sdk::check_json_string(text);
    }
});
