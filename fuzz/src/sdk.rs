//! The invariants of the SDK's parsers of untrusted input, shared by the cargo-fuzz targets
//! (`fuzz/fuzz_targets/*.rs`) and the proptest properties (`tests/properties.rs`, which includes
//! this file by path). Every `check_*` function panics when an invariant does not hold; expected
//! values come from serde_json, from the inputs the check built itself, or from a second
//! implementation written here — never from the code under test.

use std::cell::RefCell;
use std::rc::Rc;

use futures::executor::block_on;
use futures::future::{ready, LocalBoxFuture};
use futures::FutureExt;
use wasm_session_manager::core::clock::Clock;
use wasm_session_manager::core::cookie::{
    check_name, decode_uri_component, encode_uri_component, find_cookie, CookieOptions, SameSite,
};
use wasm_session_manager::core::crypto::ecies::{self, EciesPayload};
use wasm_session_manager::core::crypto::{aead, SessionKey};
use wasm_session_manager::core::http::{HttpClient, HttpResult, RequestOptions};
use wasm_session_manager::core::json::{self, Value};
use wasm_session_manager::core::keys::normalize_session_id;
use wasm_session_manager::core::lock::NoLock;
use wasm_session_manager::core::metadata::cache::cache_key;
use wasm_session_manager::core::metadata::{Scheme, StorageManager, StorageManagerOptions};
use wasm_session_manager::core::session::classify::{classify_response, Failure};
use wasm_session_manager::core::session::jwt;
use wasm_session_manager::core::session::options::DEFAULT_SESSIONS_ENDPOINT;
use wasm_session_manager::core::session::wire::{parse_refresh_answer, token_body};
use wasm_session_manager::core::session::{
    SessionManager, SessionOptions, SessionSlots, TokensInput,
};
use wasm_session_manager::core::storage::{MemoryStorage, StorageAdapter};
use wasm_session_manager::core::transport::{HttpRequest, HttpResponse, Method, Transport};
use wasm_session_manager::{Error, Result};

/// The key the check encrypts to (fixed vector KEY_A of tests/compat/fixed_vectors.mjs).
pub const KEY_A: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
/// A key nothing in any corpus was encrypted to: whatever decrypts under it is a forgery.
pub const KEY_B: &str = "0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63";
/// The StorageManager check's session key: only the check itself encrypts to it, so data that
/// comes back must be the check's own.
pub const KEY_C: &str = "0x19f36ac2e207830e5b6b2a30cea13a2dc9b95291cd78cfcfcfa49c16485c582f";

/// A session key from its hex.
pub fn key(hex: &str) -> SessionKey {
    SessionKey::from_hex(hex).expect("a fixed key")
}

// ---------------------------------------------------------------------------------------------
// core/json.rs against serde_json

/// The number `text` (valid JSON number syntax) as serde_json reads it, for comparing.
fn close(ours: f64, theirs: f64, text: &str) -> bool {
    if ours == theirs {
        return true;
    }
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let simple = digits < 16 && !text.contains(['e', 'E']);
    // Exact for short plain numbers (json.rs: "exact when the significant digits fit in 2^53 and
    // the decimal exponent is within ±22"), else within a few ulps (or both underflowing).
    !simple
        && (((ours - theirs) / theirs).abs() < 1e-14
            || (theirs.abs() < 1e-300 && (ours - theirs).abs() < 1e-300))
}

/// `ours` and `theirs` are the same JSON value (objects: the last of a duplicated key wins, as in
/// `JSON.parse` and serde_json's map).
pub fn same_value(ours: &Value, theirs: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (ours, theirs) {
        (Value::Null, J::Null) => true,
        (Value::Bool(a), J::Bool(b)) => a == b,
        (Value::String(a), J::String(b)) => a == b,
        (Value::Number(text), J::Number(n)) => match (ours.as_f64(), n.as_f64()) {
            (Some(a), Some(b)) => close(a, b, text),
            _ => false,
        },
        (Value::Array(a), J::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
        }
        (Value::Object(members), J::Object(map)) => {
            let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.len() == map.len()
                && keys.iter().all(|k| match (ours.get(k), map.get(*k)) {
                    (Some(a), Some(b)) => same_value(a, b),
                    _ => false,
                })
        }
        _ => false,
    }
}

/// The deepest nesting of arrays and objects in `text` (brackets in strings not counted).
pub fn nesting(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => {
                depth += 1;
                max = max.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Differential check of `json::parse` / `json::is_valid` / `Value::to_json` against serde_json.
///
/// - `parse` accepts exactly what `serde_json::from_str::<Value>` accepts, except a number out of
///   f64's range, which serde_json refuses and `JSON.parse` (and so `parse`) reads as ±Infinity;
/// - `is_valid` accepts exactly what serde_json accepts as `IgnoredAny` (lone surrogates pass),
///   within the 127 levels of nesting json.rs documents (serde_json skips deeper ignored values);
/// - where both accept, the values are equal (numbers as f64, exactly for short plain numbers);
/// - `to_json` writes JSON that parses back to the same value, serde_json agreeing.
pub fn check_json(text: &str) {
    let ours = json::parse(text);
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    let any = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    // serde_json skips an ignored value without its recursion limit; json.rs documents 127 levels
    // for `is_valid` too (its parser is recursive).
    let any = any && nesting(text) <= 127;
    assert_eq!(json::is_valid(text), any, "is_valid disagrees on {text:?}");
    match (&ours, &theirs) {
        (Ok(v), Ok(j)) => assert!(same_value(v, j), "values differ on {text:?}: {v:?} vs {j}"),
        (Err(e), Ok(_)) => panic!("parse refuses what serde_json accepts: {text:?} ({e})"),
        (Ok(v), Err(e)) => assert!(
            e.to_string().contains("number out of range"),
            "parse accepts what serde_json refuses: {text:?} -> {v:?} ({e})"
        ),
        (Err(_), Err(_)) => {}
    }
    if let Ok(v) = ours {
        let written = v.to_json();
        let again = json::parse(&written).expect("to_json writes JSON that parses");
        assert_eq!(
            again.to_json(),
            written,
            "to_json is not stable on {text:?}"
        );
        if let Ok(j) = theirs {
            let back: serde_json::Value =
                serde_json::from_str(&written).expect("serde_json reads to_json");
            assert!(
                same_value(&again, &back) && same_value(&again, &j),
                "{text:?}"
            );
        }
    }
}

/// `json::quote` writes what `JSON.stringify` (and serde_json) write for any string, and parses back.
pub fn check_json_string(s: &str) {
    let quoted = json::quote(s);
    assert_eq!(
        quoted,
        serde_json::to_string(s).expect("a string serialises")
    );
    assert_eq!(json::parse(&quoted), Ok(Value::String(s.to_owned())));
}

// ---------------------------------------------------------------------------------------------
// session/wire.rs and session/classify.rs

fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        status_text: String::new(),
        headers: vec![],
        body: body.to_owned(),
        json: None,
        held: None,
    }
}

/// The same answer as the browser's transport gives it when the body parses: parsed, no text.
fn parsed_response(status: u16, body: &str) -> Option<HttpResponse> {
    Some(HttpResponse {
        body: String::new(),
        json: Some(Box::new(json::parse(body).ok()?)),
        ..response(status, body)
    })
}

/// The refresh answer parser and the classification of any answer:
/// - a parsed answer is a JSON object (serde_json agreeing) whose last `access_token` is that
///   non-empty string, `refresh_token` the non-empty string or none, `session_data` the non-empty
///   string or the object re-serialised to the same value;
/// - 2xx: `Ok` exactly when the parser accepts, else a transient `REFRESH_FAILED`;
/// - other statuses: an error, terminal (`SESSION_EXPIRED`) exactly for 4xx but 408 and 429.
pub fn check_refresh_answer(status: u16, body: &str) {
    let parsed = parse_refresh_answer(&response(status, body));
    // Given parsed by the transport, the answer reads the same, and is classified the same.
    if let Some(pre) = parsed_response(status, body) {
        match (&parsed, parse_refresh_answer(&pre)) {
            (Ok(a), Ok(b)) => assert_eq!(a, &b, "{body:?}"),
            (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{body:?}"),
            (a, b) => panic!("{body:?}: from the text {a:?}, parsed {b:?}"),
        }
        match (
            classify_response(&response(status, body)),
            classify_response(&pre),
        ) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(Failure::Transient(a)), Err(Failure::Transient(b)))
            | (Err(Failure::Terminal(a)), Err(Failure::Terminal(b))) => {
                assert_eq!(a.code(), b.code(), "{status} {body:?}")
            }
            (a, b) => panic!("{status} {body:?}: from the text {a:?}, parsed {b:?}"),
        }
    }
    if let Ok(answer) = &parsed {
        let value: serde_json::Value = match serde_json::from_str(body) {
            Ok(v) => v,
            // Only a number out of range (an answer JSON.parse reads) may be refused by serde_json.
            Err(e) => {
                assert!(e.to_string().contains("number out of range"), "{body:?}");
                return;
            }
        };
        let map = value.as_object().expect("a parsed answer is an object");
        assert_eq!(
            map.get("access_token").and_then(|v| v.as_str()),
            Some(answer.access_token.as_str())
        );
        assert!(!answer.access_token.is_empty());
        let rt = map
            .get("refresh_token")
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty());
        assert_eq!(answer.refresh_token.as_deref(), rt, "{body:?}");
        match (map.get("session_data"), &answer.session_data) {
            (Some(serde_json::Value::String(s)), Some(got)) => assert_eq!(s, got),
            (Some(serde_json::Value::String(s)), None) => assert!(s.is_empty()),
            (Some(obj @ serde_json::Value::Object(_)), Some(got)) => {
                let back = json::parse(got).expect("re-serialised session_data parses");
                assert!(same_value(&back, obj), "{body:?}");
            }
            (_, got) => assert!(got.is_none(), "{body:?}"),
        }
    } else {
        assert!(matches!(parsed, Err(Error::MalformedResponse(_))));
    }
    match classify_response(&response(status, body)) {
        Ok(answer) => {
            assert!((200..300).contains(&status));
            assert_eq!(Ok(answer), parsed);
        }
        Err(Failure::Transient(e)) => {
            assert!(!(400..500).contains(&status) || matches!(status, 408 | 429));
            assert_eq!(e.code(), "REFRESH_FAILED", "{status} {body:?}");
            assert!(!(200..300).contains(&status) || parsed.is_err());
        }
        Err(Failure::Terminal(e)) => {
            assert!((400..500).contains(&status) && !matches!(status, 408 | 429));
            assert_eq!(e.code(), "SESSION_EXPIRED");
        }
    }
}

/// The refresh request body carries any refresh token unchanged.
pub fn check_token_body(rt: &str) {
    let body = token_body(Some(rt));
    let value: serde_json::Value = serde_json::from_str(&body).expect("the body is JSON");
    if rt.is_empty() {
        assert_eq!(body, "{}");
    } else {
        assert_eq!(value["refresh_token"].as_str(), Some(rt));
        assert_eq!(value.as_object().map(|m| m.len()), Some(1));
    }
}

// ---------------------------------------------------------------------------------------------
// cookie.rs

/// `find_cookie` finds only what the header holds, `encodeURIComponent` round-trips through
/// `decodeURIComponent`, and `set_string` never produces a cookie string with attributes other
/// than the options' own (no `;` from the name, the value, the path or the domain).
#[allow(clippy::too_many_arguments)]
pub fn check_cookie(
    header: &str,
    name: &str,
    value: &str,
    path: &str,
    domain: &str,
    same_site: u8,
    secure: bool,
    max_age: i64,
) {
    if let Some(found) = find_cookie(header, name) {
        let hit = header.split(';').any(|part| {
            part.trim().split_once('=').is_some_and(|(n, v)| {
                n == name && decode_uri_component(v).as_deref() == Some(&found)
            })
        });
        assert!(
            hit,
            "find_cookie({header:?}, {name:?}) = {found:?} is not in the header"
        );
    }
    let encoded = encode_uri_component(value);
    assert!(encoded
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()%".contains(&b)));
    assert_eq!(decode_uri_component(&encoded).as_deref(), Some(value));
    let options = CookieOptions {
        path: path.to_owned(),
        domain: domain.to_owned(),
        same_site: match same_site % 4 {
            0 => Some(SameSite::Strict),
            1 => Some(SameSite::Lax),
            2 => Some(SameSite::None),
            _ => None,
        },
        secure,
        max_age,
    };
    let Ok(set) = options.set_string(name, value) else {
        return;
    };
    assert!(check_name(name).is_ok() && options.validate().is_ok());
    let mut expected = vec![format!("{name}={encoded}")];
    if !path.is_empty() {
        expected.push(format!("Path={path}"));
    }
    if !domain.is_empty() {
        expected.push(format!("Domain={domain}"));
    }
    if let Some(s) = options.same_site {
        expected.push(format!("SameSite={}", s.as_str()));
    }
    if secure {
        expected.push("Secure".to_owned());
    }
    if max_age > 0 {
        expected.push(format!("Max-Age={max_age}"));
    }
    let parts: Vec<&str> = set.split(';').map(|p| p.trim_start()).collect();
    assert_eq!(parts, expected, "set_string({name:?}, {value:?}) = {set:?}");
    // What the browser then shows in document.cookie reads back as the value.
    assert_eq!(find_cookie(parts[0], name).as_deref(), Some(value));
    let removed = options.remove_string(name);
    let attributes = usize::from(!path.is_empty()) + usize::from(!domain.is_empty());
    assert_eq!(removed.split(';').count(), 2 + attributes, "{removed:?}");
    assert!(removed.starts_with(&format!("{name}=;")) && removed.ends_with("; Max-Age=0"));
}

// ---------------------------------------------------------------------------------------------
// session/jwt.rs

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (written here, not taken from the code under test).
pub fn b64url(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64URL[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Any token: no panic, and the readers agree with each other (`is_expired`, `lifetime_ms`,
/// `expires_no_earlier`); a token that is not three dot-separated parts has no expiry.
pub fn check_jwt_any(token: &str, now_ms: u64) {
    let exp = jwt::expiry_ms(token);
    let iat = jwt::issued_at_ms(token);
    if token.split('.').count() != 3 {
        assert_eq!((exp, iat), (None, None));
    }
    assert_eq!(
        jwt::is_expired(token, now_ms),
        exp.is_some_and(|e| e <= now_ms.saturating_add(jwt::EXPIRY_SKEW_MS))
    );
    assert_eq!(
        jwt::lifetime_ms(token),
        exp.zip(iat).and_then(|(e, i)| e.checked_sub(i))
    );
    assert_eq!(jwt::expires_no_earlier(token, token), exp.map(|_| true));
}

/// A token built here from `claims` (JSON text): `exp`/`iat` read as serde_json reads the claim
/// (a non-negative finite number, seconds → ms, saturating); anything else is no expiry.
pub fn check_jwt_claims(claims: &str, padded: bool) {
    let mut payload = b64url(claims.as_bytes());
    if padded {
        while payload.len() % 4 != 0 {
            payload.push('=');
        }
    }
    let token = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln");
    let value = serde_json::from_str::<serde_json::Value>(claims).ok();
    for (claim, got) in [
        ("exp", jwt::expiry_ms(&token)),
        ("iat", jwt::issued_at_ms(&token)),
    ] {
        let Some(value) = &value else {
            // serde_json refuses; json.rs accepts only out-of-range numbers beyond that.
            if json::parse(claims).is_err() {
                assert_eq!(got, None, "{claims:?}");
            }
            continue;
        };
        let secs = value.get(claim).and_then(serde_json::Value::as_f64);
        let text = value.get(claim).map(|v| v.to_string()).unwrap_or_default();
        match secs.filter(|s| s.is_finite() && *s >= 0.0) {
            Some(s) => {
                let want = (s * 1000.0) as u64;
                let got = got.unwrap_or_else(|| panic!("{claim} of {claims:?} not read"));
                // json.rs is exact where the number has at most 15 digits and no exponent (the
                // claim as serde_json writes it back, and as it was written: trailing digits an f64
                // cannot hold are dropped differently); elsewhere it is within an ulp or so, which
                // can straddle a millisecond.
                let short = |t: &str| t.bytes().filter(u8::is_ascii_digit).count() < 16;
                if short(&text) && short(claims) && !text.contains(['e', 'E']) {
                    assert_eq!(got, want, "{claim} of {claims:?}");
                } else {
                    let (a, b) = (got as f64, want as f64);
                    assert!(
                        got.abs_diff(want) <= 1 || ((a - b) / b).abs() < 1e-12,
                        "{claims:?}"
                    );
                }
            }
            // Negative, or not a number (or -0.0 rounding to 0: accepted as 0 by both).
            None => assert_eq!(got, None, "{claim} of {claims:?}"),
        }
    }
    check_jwt_any(&token, 1_700_000_000_000);
}

// ---------------------------------------------------------------------------------------------
// keys.rs

/// `normalize_session_id` accepts exactly `/^(?:0x)?[0-9a-f]+$/i` (matched here by hand) and gives
/// `0x` + 64 hex digits: the digits left-padded with `0` or their leftmost 64, case kept; idempotent.
pub fn check_session_id(id: &str) {
    let hex_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    let digits = match id.get(..2) {
        Some("0x" | "0X") if hex_ok(&id[2..]) => Some(&id[2..]),
        _ if hex_ok(id) => Some(id),
        _ => None,
    };
    match (normalize_session_id(id), digits) {
        (Ok(out), Some(d)) => {
            let want = if d.len() >= 64 {
                d[..64].to_owned()
            } else {
                format!("{}{d}", "0".repeat(64 - d.len()))
            };
            assert_eq!(out, format!("0x{want}"), "{id:?}");
            assert_eq!(normalize_session_id(&out).as_deref(), Ok(out.as_str()));
        }
        (Err(e), None) => assert!(matches!(e, Error::InvalidSessionId)),
        (got, want) => panic!("normalize_session_id({id:?}) = {got:?}, expected digits {want:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// crypto/field.rs, scalar.rs, curve.rs, signature.rs: the wasm's own secp256k1

/// The crate's own secp256k1 (what both wasms run: `curve::Point`, `signature::sign_prehash`)
/// agrees with k256 on `m·G`, `k·(m·G)` by both multiplications (any 32-byte `k` and `m`, reduced
/// mod n), the encoding of the points in between, and ECDSA signatures of `hash` (below n, where
/// k256 and eccrypto agree) by the key `k` when it is one.
pub fn check_secp256k1(k: &[u8; 32], m: &[u8; 32], hash: &[u8; 32]) {
    use k256::ecdsa::signature::hazmat::PrehashSigner;
    use k256::ecdsa::{Signature, SigningKey};
    use k256::elliptic_curve::ops::Reduce;
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    use k256::elliptic_curve::PrimeField;
    use k256::{ProjectivePoint, Scalar, U256};
    use wasm_session_manager::core::crypto::curve::Point;
    use wasm_session_manager::core::crypto::signature::sign_prehash;

    let encode = |p: ProjectivePoint| {
        let e = p.to_affine().to_encoded_point(false);
        let mut out = [0u8; 65];
        if e.len() == 65 {
            out.copy_from_slice(e.as_bytes());
        }
        out
    };
    let reduce = |b: &[u8; 32]| <Scalar as Reduce<U256>>::reduce_bytes(&(*b).into());
    let p = ProjectivePoint::GENERATOR * reduce(m);
    assert_eq!(
        Point::GENERATOR.mul_glv(m).to_uncompressed(),
        encode(p),
        "m = {m:02x?}"
    );
    assert_eq!(
        Point::GENERATOR.mul_window(m).to_uncompressed(),
        encode(p),
        "m = {m:02x?}"
    );
    let expected = encode(p * reduce(k));
    match Point::from_uncompressed(&encode(p)) {
        Some(point) => {
            assert_eq!(point.mul_glv(k).to_uncompressed(), expected, "k = {k:02x?}");
            assert_eq!(
                point.mul_window(k).to_uncompressed(),
                expected,
                "k = {k:02x?}"
            );
        }
        None => assert_eq!(encode(p), [0u8; 65], "m·G = {:02x?} refused", encode(p)),
    }
    let below_n = bool::from(Scalar::from_repr((*hash).into()).is_some());
    if let (Ok(signing), true) = (SigningKey::from_slice(k), below_n) {
        let theirs: Signature = signing.sign_prehash(hash).unwrap();
        let theirs = theirs.normalize_s().unwrap_or(theirs);
        assert_eq!(
            sign_prehash(k, hash),
            Some(<[u8; 64]>::from(theirs.to_bytes())),
            "k = {k:02x?}, hash = {hash:02x?}"
        );
    } else if SigningKey::from_slice(k).is_err() {
        assert_eq!(sign_prehash(k, hash), None);
    }
}

// ---------------------------------------------------------------------------------------------
// crypto/ecies.rs and crypto/aead.rs

/// A deterministic ephemeral key from `seed` (0 and out-of-range seeds nudged into range).
fn ephemeral(seed: &[u8; 32]) -> SessionKey {
    let mut bytes = *seed;
    loop {
        if let Ok(k) = SessionKey::from_bytes(&bytes) {
            return k;
        }
        bytes[31] = bytes[31].wrapping_add(1);
        bytes[0] &= 0x7f;
    }
}

/// Flips bit `bit % 8` of byte `at % len` of `bytes`.
fn flip(bytes: &mut [u8], at: usize, bit: u8) {
    if !bytes.is_empty() {
        let i = at % bytes.len();
        bytes[i] ^= 1 << (bit % 8);
    }
}

/// ECIES: a payload encrypted to KEY_A decrypts to its plaintext; with any bit of its iv, ephemeral
/// key, ciphertext or mac flipped it never decrypts; flips in its JSON text decrypt only when the
/// text still parses to the very same payload (a hex digit's case).
pub fn check_ecies_flips(plaintext: &[u8], seed: &[u8; 32], iv: [u8; 16], flips: &[(u16, u8)]) {
    let key = key(KEY_A);
    let payload = ecies::encrypt_with(&key.public_key().unwrap(), plaintext, &ephemeral(seed), iv);
    assert_eq!(ecies::decrypt(&key, &payload).as_deref(), Ok(plaintext));
    assert_eq!(
        EciesPayload::from_json(&payload.to_json()),
        Ok(payload.clone())
    );
    if flips.is_empty() {
        return;
    }
    let mut fields = [
        payload.iv.clone(),
        payload.ephem_public_key.clone(),
        payload.ciphertext.clone(),
        payload.mac.clone(),
    ];
    for &(at, bit) in flips {
        let field = usize::from(at) % 4;
        flip(&mut fields[field], usize::from(at) / 4, bit);
    }
    let [iv, ephem_public_key, ciphertext, mac] = fields;
    let tampered = EciesPayload {
        iv,
        ephem_public_key,
        ciphertext,
        mac,
    };
    if tampered != payload {
        assert!(
            ecies::decrypt(&key, &tampered).is_err(),
            "tampered payload decrypted"
        );
    }
    let mut text = payload.to_json().into_bytes();
    for &(at, bit) in flips {
        flip(&mut text, usize::from(at), bit);
    }
    if let Ok(text) = std::str::from_utf8(&text) {
        if ecies::decrypt_json_str(&key, text).is_ok() {
            assert_eq!(EciesPayload::from_json(text), Ok(payload), "{text}");
        }
    }
}

/// ECIES: nothing decrypts under KEY_B (never used to encrypt anything), whatever the text.
pub fn check_ecies_forgery(text: &str) {
    assert!(
        ecies::decrypt_json_str(&key(KEY_B), text).is_err(),
        "{text:?} decrypted"
    );
    if let Ok(payload) = EciesPayload::from_json(text) {
        assert!(ecies::decrypt(&key(KEY_B), &payload).is_err());
        assert_eq!(EciesPayload::from_json(&payload.to_json()), Ok(payload));
    }
}

/// The (v, alg, nonce, ciphertext) members of an envelope, if it is one.
fn envelope_fields(text: &str) -> Option<Vec<Option<Value>>> {
    let value = json::parse(text).ok()?;
    let found = json::fields(&value, ["v", "alg", "nonce", "ciphertext"], true).ok()?;
    Some(found.into_iter().map(|f| f.cloned()).collect())
}

/// AES-GCM envelope: it decrypts to its plaintext; with bits of its text flipped it decrypts only if
/// the text still holds the very same members (a strict envelope: never, in practice).
pub fn check_aead_flips(plaintext: &[u8], flips: &[(u16, u8)]) {
    let key = key(KEY_A);
    let envelope = aead::encrypt_envelope(&key, plaintext);
    assert_eq!(
        aead::decrypt_envelope(&key, &envelope).as_deref(),
        Ok(plaintext)
    );
    assert!(aead::is_envelope(&envelope));
    let mut text = envelope.clone().into_bytes();
    for &(at, bit) in flips {
        flip(&mut text, usize::from(at), bit);
    }
    let Ok(text) = std::str::from_utf8(&text) else {
        return;
    };
    if text != envelope {
        if let Ok(plain) = aead::decrypt_envelope(&key, text) {
            assert_eq!(plain, plaintext);
            assert_eq!(envelope_fields(text), envelope_fields(&envelope), "{text}");
        }
    }
}

/// AES-GCM: nothing decrypts under KEY_B; `is_envelope` says yes only for a JSON object with `v` and
/// `alg`.
pub fn check_aead_forgery(text: &str) {
    assert!(
        aead::decrypt_envelope(&key(KEY_B), text).is_err(),
        "{text:?} decrypted"
    );
    if aead::is_envelope(text) {
        let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
        if let Some(value) = value {
            assert!(
                value.get("v").is_some() && value.get("alg").is_some(),
                "{text:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// metadata/*: StorageManager's answer handling

/// Answers every request with one fixed response and counts them.
struct OneAnswer {
    answer: HttpResponse,
    calls: RefCell<usize>,
}

impl Transport for OneAnswer {
    fn send(&self, _request: HttpRequest) -> LocalBoxFuture<'_, Result<HttpResponse>> {
        *self.calls.borrow_mut() += 1;
        ready(Ok(self.answer.clone())).boxed_local()
    }
}

/// Where the check puts a message the session really encrypted (ECIES, or AES-GCM when `gcm`).
pub const MESSAGE_SLOT: &str = "$MSG";

/// StorageManager.authorizeSession against any `/v2/store/get` answer and any cache entry, with the
/// session key KEY_C. `body` may hold [`MESSAGE_SLOT`], replaced by a JSON-escaped message the check
/// encrypted from `plaintext` (bits flipped per `flips`); `cached` likewise holds an AES-GCM envelope
/// of `cached_plain` when it contains the slot.
/// - a non-2xx answer is an error (404: `SESSION_EXPIRED`) and never data;
/// - data comes back only if it is the plaintext of an untampered message or cache entry, and only
///   if that is JSON; with the `aes-gcm` scheme, never from an ECIES message;
/// - a cache entry that gives no data is removed, and a cache hit sends nothing.
#[allow(clippy::too_many_arguments)]
pub fn check_storage_manager(
    status: u16,
    body: &str,
    gcm_scheme: bool,
    gcm_message: bool,
    plaintext: &str,
    flips: &[(u16, u8)],
    cached: Option<&str>,
    cached_plain: &str,
) {
    let session_key = key(KEY_C);
    let message = if gcm_message {
        aead::encrypt_envelope(&session_key, plaintext.as_bytes())
    } else {
        ecies::encrypt(&session_key.public_key().unwrap(), plaintext.as_bytes()).to_json()
    };
    let mut bytes = message.clone().into_bytes();
    for &(at, bit) in flips {
        flip(&mut bytes, usize::from(at), bit);
    }
    let sent = String::from_utf8(bytes).unwrap_or_else(|_| message.clone());
    let untampered = sent == message;
    let quoted = json::quote(&sent);
    let body_text = body.replace(MESSAGE_SLOT, &quoted[1..quoted.len() - 1]);
    let cache_entry = cached.map(|c| {
        c.replace(
            MESSAGE_SLOT,
            &aead::encrypt_envelope(&session_key, cached_plain.as_bytes()),
        )
    });
    let transport = Rc::new(OneAnswer {
        answer: response(status, &body_text),
        calls: RefCell::new(0),
    });
    let store = Rc::new(MemoryStorage::new());
    let storage_key = cache_key(None, KEY_C);
    if let Some(entry) = &cache_entry {
        store.set_now(&storage_key, entry);
    }
    let options = StorageManagerOptions {
        session_server_base_url: "https://session.example".to_owned(),
        session_id: Some(KEY_C.to_owned()),
        use_local_storage: cached.is_some(),
        scheme: if gcm_scheme {
            Scheme::AesGcm
        } else {
            Scheme::Ecies
        },
        ..StorageManagerOptions::default()
    };
    let cache: Rc<dyn StorageAdapter> = store.clone();
    let manager =
        StorageManager::new(&options, transport.clone(), Some(cache)).expect("valid options");
    let got = block_on(manager.authorize_session(&[]));
    let calls = *transport.calls.borrow();
    let cache_valid = cached.is_some_and(|c| c.contains(MESSAGE_SLOT))
        && cache_entry
            .as_deref()
            .is_some_and(|e| aead::decrypt_envelope(&session_key, e).is_ok())
        && json::is_valid(cached_plain);
    if calls == 0 {
        // A cache hit: only an entry of the session's own envelope of JSON.
        assert!(cache_valid, "cache hit on {cache_entry:?}: {got:?}");
        assert_eq!(got.as_deref(), Ok(cached_plain));
        return;
    }
    assert!(!cache_valid, "a valid cache entry was not used");
    match &got {
        Ok(data) => {
            assert!((200..300).contains(&status), "data from HTTP {status}");
            assert!(
                body.contains(MESSAGE_SLOT),
                "data from a body holding no message: {body:?}"
            );
            assert_eq!(data, plaintext, "data that is not the message's plaintext");
            assert!(
                json::is_valid(data) && serde_json::from_str::<serde::de::IgnoredAny>(data).is_ok()
            );
            assert!(
                untampered || {
                    // A flip that left the parsed message the same (a hex digit's case in ECIES).
                    !gcm_message
                        && EciesPayload::from_json(&sent) == EciesPayload::from_json(&message)
                }
            );
            assert!(
                !gcm_scheme || gcm_message,
                "the aes-gcm scheme read an ECIES message"
            );
            if cached.is_some() {
                // Stored back, encrypted.
                let entry = store.get_now(&storage_key).expect("cached after a read");
                assert_eq!(
                    aead::decrypt_envelope(&session_key, &entry).as_deref(),
                    Ok(data.as_bytes())
                );
            }
        }
        Err(e) => {
            if status == 404 {
                assert_eq!(e.code(), "SESSION_EXPIRED");
            } else if !(200..300).contains(&status) {
                assert!(
                    matches!(e, Error::Http { status: s, .. } if *s == status),
                    "{e:?}"
                );
            }
            if cached.is_some() {
                assert_eq!(
                    store.get_now(&storage_key),
                    None,
                    "a bad cache entry was kept"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// http/*: HttpClient's handling of any answer (issue 14: "HttpClient bodies")

/// One fuzzed answer: status, an optional `Content-Type`, a body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

impl Answer {
    fn response(&self) -> HttpResponse {
        HttpResponse {
            status: self.status,
            status_text: String::new(),
            headers: self
                .content_type
                .iter()
                .map(|ct| ("content-type".to_owned(), ct.clone()))
                .collect(),
            body: self.body.clone(),
            json: None,
            held: None,
        }
    }
}

/// The refresh endpoint answers `refresh`; API requests take `api` in order (then 500).
struct Script {
    refresh: Answer,
    api: RefCell<std::collections::VecDeque<Answer>>,
    sent: RefCell<Vec<HttpRequest>>,
}

/// The session manager and the client share one script.
#[derive(Clone)]
struct Scripted(Rc<Script>);

impl Transport for Scripted {
    fn send(&self, request: HttpRequest) -> LocalBoxFuture<'_, Result<HttpResponse>> {
        let is_refresh = request.url.ends_with(DEFAULT_SESSIONS_ENDPOINT);
        self.0.sent.borrow_mut().push(request);
        let answer = if is_refresh {
            self.0.refresh.clone()
        } else {
            self.0.api.borrow_mut().pop_front().unwrap_or(Answer {
                status: 500,
                content_type: None,
                body: String::new(),
            })
        };
        ready(Ok(answer.response())).boxed_local()
    }
}

/// A clock at a fixed time whose timers fire at once: with a transport that always answers at
/// once, no wait is ever needed, so a bounded wait that runs out shows up as an error, not a hang.
#[derive(Clone, Copy)]
struct Instant(u64);

impl Clock for Instant {
    fn now_ms(&self) -> u64 {
        self.0
    }
    fn sleep(&self, _ms: u64) -> LocalBoxFuture<'static, ()> {
        ready(()).boxed_local()
    }
}

const NOW_MS: u64 = 1_800_000_000_000;
const API_URL: &str = "https://api.example/v1/item";

fn bearer(request: &HttpRequest) -> Option<&str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.strip_prefix("Bearer "))
}

/// `HttpClient.request` against any answers, with a stored session whose access token is valid:
/// - unauthenticated, or a first answer other than 401: one request, and the result is that
///   answer: 2xx gives its status and body unchanged, `is_json` exactly when the content type
///   says JSON; anything else is `Error::Http` with that status and body (never data);
/// - a 401 on an authenticated request: at most one refresh and one retry. The refresh answer's
///   class (`classify_response`, checked against its own spec by `check_refresh_answer`) decides:
///   accepted, the new access token is stored and sent on the retry, whose answer is the result;
///   terminal, `SESSION_EXPIRED` with the session cleared; transient, an error with the session
///   still stored (a malformed answer never wipes a valid session).
pub fn check_http_answer(authenticated: bool, first: Answer, refresh: Answer, retry: Answer) {
    let claims = format!(r#"{{"exp":{}}}"#, NOW_MS / 1000 + 3600);
    let access = format!(
        "{}.{}.c2ln",
        b64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(claims.as_bytes())
    );
    let transport = Scripted(Rc::new(Script {
        refresh: refresh.clone(),
        api: RefCell::new([first.clone(), retry.clone()].into_iter().collect()),
        sent: RefCell::new(Vec::new()),
    }));
    let options = SessionOptions::new("https://session.example");
    let store = Rc::new(MemoryStorage::new());
    let slots = SessionSlots::uniform(options.keys(), store.clone());
    let session = Rc::new(SessionManager::new(
        options,
        slots,
        transport.clone(),
        NoLock,
        Instant(NOW_MS),
    ));
    block_on(session.set_tokens(TokensInput {
        session_id: Some(KEY_C.to_owned()),
        access_token: Some(access.clone()),
        refresh_token: Some("rt-1".to_owned()),
        id_token: None,
    }))
    .expect("a valid session stores");
    let client = HttpClient::new(session.clone(), transport.clone());
    let options = if authenticated {
        RequestOptions::authenticated()
    } else {
        RequestOptions::default()
    };
    let got = block_on(client.get(API_URL, options));
    let sent = transport.0.sent.borrow().clone();
    let api_sent: Vec<&HttpRequest> = sent.iter().filter(|r| r.url == API_URL).collect();
    let refreshes = sent.len() - api_sent.len();
    assert!(refreshes <= 1 && api_sent.len() <= 2, "{sent:?}");
    assert_eq!(api_sent[0].method, Method::Get);
    assert_eq!(
        bearer(api_sent[0]),
        authenticated.then_some(access.as_str())
    );

    let mirrors = |answer: &Answer, got: &Result<HttpResult>| match got {
        Ok(result) => {
            assert!((200..300).contains(&answer.status), "data from {answer:?}");
            assert_eq!(result.status, answer.status);
            assert_eq!(result.body, answer.body);
            let json = answer
                .content_type
                .as_deref()
                .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"));
            assert_eq!(result.is_json, json, "{answer:?}");
        }
        Err(Error::Http { status, body, .. }) => {
            assert!(!(200..300).contains(&answer.status));
            assert_eq!((*status, body), (answer.status, &answer.body));
        }
        Err(e) => panic!("{e:?} for {answer:?}"),
    };
    if !authenticated || first.status != 401 {
        assert_eq!((sent.len(), refreshes), (1, 0), "{sent:?}");
        mirrors(&first, &got);
        return;
    }
    assert_eq!(
        refreshes, 1,
        "a 401 for the current token refreshes: {sent:?}"
    );
    let stored_refresh = block_on(session.get_refresh_token()).expect("memory storage");
    match classify_response(&refresh.response()) {
        Ok(answer) => {
            assert_eq!(api_sent.len(), 2, "{sent:?} -> {got:?}");
            assert_eq!(bearer(api_sent[1]), Some(answer.access_token.as_str()));
            let stored = block_on(session.current_access_token()).expect("memory storage");
            assert_eq!(stored.as_deref(), Some(answer.access_token.as_str()));
            mirrors(&retry, &got);
        }
        Err(Failure::Terminal(_)) => {
            assert_eq!(api_sent.len(), 1);
            assert_eq!(
                got.as_ref().map_err(Error::code).err(),
                Some("SESSION_EXPIRED")
            );
            assert_eq!(stored_refresh, None, "a refused session is cleared");
        }
        Err(Failure::Transient(_)) => {
            assert_eq!(api_sent.len(), 1);
            assert!(got.is_err(), "{got:?}");
            assert_eq!(
                stored_refresh.as_deref(),
                Some("rt-1"),
                "{refresh:?} wiped the session"
            );
        }
    }
}
