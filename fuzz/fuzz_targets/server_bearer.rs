//! server extract.rs: the strict Bearer parser.
#![no_main]
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::{server, text};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let n = u.int_in_range(0..=3u8).unwrap_or(1);
    let values: Vec<Vec<u8>> = (0..n).map(|_| text(&mut u, 64).into_bytes()).collect();
    let token = String::from_utf8_lossy(u.take_rest()).into_owned();
    server::check_bearer(&values, &token);
});
