//! server tokens.rs: JWT verification of any text, and of signed tokens with flipped bits.
#![no_main]
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm_session_manager_fuzz::{flips, server, text};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut u = Unstructured::new(rest);
    if mode & 1 == 0 {
        let now: u64 = u.arbitrary().unwrap_or(0);
        let token = String::from_utf8_lossy(u.take_rest()).into_owned();
        server::check_jwt_any(&token, now, mode & 2 != 0);
        return;
    }
    let iat = u64::from(u.arbitrary::<u32>().unwrap_or(0));
    let lifetime = u64::from(u.arbitrary::<u16>().unwrap_or(900));
    let offset = i64::from(u.arbitrary::<i32>().unwrap_or(0));
    let ep: u64 = u.arbitrary().unwrap_or(0);
    let flips = flips(&mut u);
    let sub = text(&mut u, 64);
    server::check_jwt_flips(&sub, iat, lifetime, offset, mode & 2 != 0, ep, &flips);
});
