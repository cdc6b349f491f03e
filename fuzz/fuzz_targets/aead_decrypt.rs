//! crypto/aead.rs: random envelopes never decrypt; flipped bits of valid ones never decrypt.
#![no_main]
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::{flips, sdk};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        sdk::check_aead_forgery(&String::from_utf8_lossy(rest));
        return;
    }
    let mut u = Unstructured::new(rest);
    let flips = flips(&mut u);
    sdk::check_aead_flips(u.take_rest(), &flips);
});
