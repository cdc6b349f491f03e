//! This SDK's AES-256-GCM envelope: round trip, strictness, tamper detection on every byte,
//! nonce uniqueness.
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;

use wasm_session_manager::core::crypto::aead::{decrypt_envelope, encrypt_envelope, is_envelope};
use wasm_session_manager::core::crypto::ecies;
use wasm_session_manager::core::crypto::SessionKey;
use wasm_session_manager::Error;

fn parts(env: &str) -> serde_json::Value {
    serde_json::from_str(env).unwrap()
}

#[test]
fn round_trip_and_shape() {
    let k = SessionKey::generate();
    for msg in [&b""[..], b"x", b"{\"hello\":\"world\"}", &[0u8; 1000]] {
        let env = encrypt_envelope(&k, msg);
        assert!(
            env.starts_with(r#"{"v":1,"alg":"A256GCM","nonce":""#),
            "{env}"
        );
        let v = parts(&env);
        assert_eq!(v["nonce"].as_str().unwrap().len(), 24);
        assert_eq!(
            v["ciphertext"].as_str().unwrap().len(),
            2 * (msg.len() + 16)
        );
        assert!(is_envelope(&env));
        assert_eq!(decrypt_envelope(&k, &env).unwrap(), msg);
    }
}

/// An envelope made from the scheme's definition with node's own `crypto` (tests/compat/
/// fixed_vectors.mjs, AEAD_A_ENVELOPE): key = HKDF-SHA256(ikm = KEY_A's 32 bytes, no salt,
/// info = "wasm-session-manager/metadata/aes-256-gcm/v1"), AES-256-GCM, nonce 00..0b, plaintext
/// `{"x":true}`. A round trip holds for any key derivation; this vector only for the specified one.
const KEY_A: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const NODE_ENVELOPE: &str = r#"{"v":1,"alg":"A256GCM","nonce":"000102030405060708090a0b","ciphertext":"d144b752b1c7c843ba4332dc152b361533d350f34413ca52f266"}"#;

#[test]
fn decrypts_an_envelope_made_independently_from_the_definition() {
    let k = SessionKey::from_hex(KEY_A).unwrap();
    assert_eq!(
        decrypt_envelope(&k, NODE_ENVELOPE).unwrap(),
        br#"{"x":true}"#
    );
    // Another session key derives another AES key.
    let other =
        SessionKey::from_hex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362319")
            .unwrap();
    assert!(matches!(
        decrypt_envelope(&other, NODE_ENVELOPE),
        Err(Error::Crypto(_))
    ));
    assert_eq!(
        wasm_session_manager::core::crypto::aead::HKDF_INFO,
        b"wasm-session-manager/metadata/aes-256-gcm/v1"
    );
}

#[test]
fn other_key_fails() {
    let env = encrypt_envelope(&SessionKey::generate(), b"secret");
    let err = decrypt_envelope(&SessionKey::generate(), &env).unwrap_err();
    assert!(matches!(err, Error::Crypto(_)));
    assert_eq!(err.code(), "DECRYPT_FAILED");
}

#[test]
fn tamper_every_byte_of_nonce_and_ciphertext() {
    let k = SessionKey::generate();
    let env = encrypt_envelope(&k, b"short msg");
    let v = parts(&env);
    let nonce = hex::decode(v["nonce"].as_str().unwrap()).unwrap();
    let ct = hex::decode(v["ciphertext"].as_str().unwrap()).unwrap();
    let build = |n: &[u8], c: &[u8]| {
        format!(
            r#"{{"v":1,"alg":"A256GCM","nonce":"{}","ciphertext":"{}"}}"#,
            hex::encode(n),
            hex::encode(c)
        )
    };
    assert_eq!(build(&nonce, &ct), env);
    for i in 0..nonce.len() {
        for bit in 0..8 {
            let mut n = nonce.clone();
            n[i] ^= 1 << bit;
            assert!(
                decrypt_envelope(&k, &build(&n, &ct)).is_err(),
                "nonce[{i}] bit {bit}"
            );
        }
    }
    for i in 0..ct.len() {
        for bit in 0..8 {
            let mut c = ct.clone();
            c[i] ^= 1 << bit;
            assert!(
                decrypt_envelope(&k, &build(&nonce, &c)).is_err(),
                "ct[{i}] bit {bit}"
            );
        }
    }
    // Truncated or extended ciphertext.
    assert!(decrypt_envelope(&k, &build(&nonce, &ct[..ct.len() - 1])).is_err());
    let mut longer = ct.clone();
    longer.push(0);
    assert!(decrypt_envelope(&k, &build(&nonce, &longer)).is_err());
}

#[test]
fn any_changed_character_of_the_envelope_fails() {
    let k = SessionKey::generate();
    let env = encrypt_envelope(&k, b"hi");
    let bytes = env.as_bytes();
    // Every position, replaced by several printable ASCII characters (incl. case flips of hex).
    for i in 0..bytes.len() {
        let orig = bytes[i];
        let mut subs: Vec<u8> = b"0123456789abcdefABCDEF\"{}:, xv".to_vec();
        subs.push(orig.to_ascii_uppercase());
        for s in subs {
            if s == orig {
                continue;
            }
            let mut t = bytes.to_vec();
            t[i] = s;
            let t = String::from_utf8(t).unwrap();
            let r = decrypt_envelope(&k, &t);
            assert!(
                matches!(r, Err(Error::Crypto(_))),
                "pos {i} -> {:?}: {t}",
                s as char
            );
        }
    }
}

#[test]
fn strict_envelope_fields() {
    let k = SessionKey::generate();
    let env = encrypt_envelope(&k, b"hi");
    let v = parts(&env);
    let (n, c) = (
        v["nonce"].as_str().unwrap(),
        v["ciphertext"].as_str().unwrap(),
    );
    for bad in [
        format!(r#"{{"v":2,"alg":"A256GCM","nonce":"{n}","ciphertext":"{c}"}}"#),
        format!(r#"{{"v":"1","alg":"A256GCM","nonce":"{n}","ciphertext":"{c}"}}"#),
        format!(r#"{{"v":1.0,"alg":"A256GCM","nonce":"{n}","ciphertext":"{c}"}}"#),
        format!(r#"{{"v":1,"alg":"A128GCM","nonce":"{n}","ciphertext":"{c}"}}"#),
        format!(r#"{{"v":1,"alg":"A256GCM","nonce":"{n}00","ciphertext":"{c}"}}"#),
        format!(r#"{{"v":1,"alg":"A256GCM","nonce":"{n}","ciphertext":"{c}","x":1}}"#),
        format!(r#"{{"v":1,"alg":"A256GCM","nonce":"{n}"}}"#),
        format!(
            r#"{{"v":1,"alg":"A256GCM","nonce":"{n}","ciphertext":"{}"}}"#,
            c.to_uppercase()
        ),
        format!(r#"{{"v":1,"alg":"A256GCM","nonce":"{n}","ciphertext":"00"}}"#),
        "not json".to_owned(),
    ] {
        assert!(
            matches!(decrypt_envelope(&k, &bad), Err(Error::Crypto(_))),
            "{bad}"
        );
    }
    // Field order and whitespace are JSON's business: a re-serialised envelope still decrypts.
    let reordered =
        format!(r#"{{ "ciphertext": "{c}", "nonce": "{n}", "alg": "A256GCM", "v": 1 }}"#);
    assert_eq!(decrypt_envelope(&k, &reordered).unwrap(), b"hi");
}

#[test]
fn nonce_unique_over_10000() {
    let k = SessionKey::generate();
    let mut seen = HashSet::new();
    for _ in 0..10_000 {
        let env = encrypt_envelope(&k, b"m");
        let nonce = parts(&env)["nonce"].as_str().unwrap().to_owned();
        assert!(seen.insert(nonce), "nonce repeated");
    }
    assert_eq!(seen.len(), 10_000);
}

#[test]
fn is_envelope_tells_schemes_apart() {
    let k = SessionKey::generate();
    assert!(is_envelope(&encrypt_envelope(&k, b"x")));
    assert!(!is_envelope(
        &ecies::encrypt(&k.public_key().unwrap(), b"x").to_json()
    ));
    assert!(!is_envelope("plain text"));
    assert!(!is_envelope("[1]"));
    assert!(!is_envelope(""));
}
