//! cookie.rs: find_cookie, encodeURIComponent round trip, set_string never injects attributes.
#![no_main]
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::{sdk, text};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let name = text(&mut u, 16);
    let value = text(&mut u, 64);
    let path = text(&mut u, 16);
    let domain = text(&mut u, 16);
    let same_site: u8 = u.arbitrary().unwrap_or(0);
    let secure: bool = u.arbitrary().unwrap_or(true);
    let max_age: i64 = u.arbitrary().unwrap_or(0);
    let header = String::from_utf8_lossy(u.take_rest()).into_owned();
    sdk::check_cookie(
        &header, &name, &value, &path, &domain, same_site, secure, max_age,
    );
});
