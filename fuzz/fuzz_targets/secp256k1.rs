//! crypto/field.rs, scalar.rs, curve.rs, signature.rs: the wasm's own secp256k1 against k256 (point
//! multiplication both ways, encodings, ECDSA signatures).
#![no_main]
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::sdk;

fuzz_target!(|data: &[u8]| {
    let mut input = [0u8; 96];
    let n = data.len().min(96);
    input[..n].copy_from_slice(&data[..n]);
    let word = |i: usize| -> [u8; 32] { input[32 * i..32 * (i + 1)].try_into().unwrap_or([0; 32]) };
    sdk::check_secp256k1(&word(0), &word(1), &word(2));
});
