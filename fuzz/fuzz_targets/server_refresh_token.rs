//! server lifecycle.rs: refresh-token parsing is canonical and round-trips.
#![no_main]
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::server;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let sid: [u8; 16] = u.arbitrary().unwrap_or([0; 16]);
    let secret: [u8; 32] = u.arbitrary().unwrap_or([0; 32]);
    let token = String::from_utf8_lossy(u.take_rest()).into_owned();
    server::check_refresh_token(&token, &sid, &secret);
});
