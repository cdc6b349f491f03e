//! session/jwt.rs: exp/iat of any token, and of tokens built here around any claims text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::sdk;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if mode & 1 == 0 {
        sdk::check_jwt_any(&text, u64::from(mode) * 7_000_000_000);
    } else {
        sdk::check_jwt_claims(&text, mode & 2 != 0);
    }
});
