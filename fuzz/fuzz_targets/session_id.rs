//! keys.rs: session-id validation and normalisation against the original's regex.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::sdk;

fuzz_target!(|data: &[u8]| {
    sdk::check_session_id(&String::from_utf8_lossy(data));
});
