//! metadata/*: StorageManager.authorizeSession against any answer and any cache entry.
#![no_main]
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::{flips, sdk, text};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let status = 100 + u.arbitrary::<u16>().unwrap_or(100) % 500;
    let bits: u8 = u.arbitrary().unwrap_or(0);
    let flips = flips(&mut u);
    let plaintext = text(&mut u, 32);
    let cached = text(&mut u, 64);
    let cached_plain = text(&mut u, 32);
    let body = String::from_utf8_lossy(u.take_rest()).into_owned();
    sdk::check_storage_manager(
        status,
        &body,
        bits & 1 != 0,
        bits & 2 != 0,
        &plaintext,
        &flips,
        (bits & 4 != 0).then_some(cached.as_str()),
        &cached_plain,
    );
});
