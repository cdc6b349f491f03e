//! ECDSA over keccak256 (PROTOCOL.md §7): determinism, low-S, verification and its refusals.
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature, VerifyingKey};
use wasm_session_manager::core::crypto::keys::public_key_from_hex;
use wasm_session_manager::core::crypto::signature::{keccak256, sign_keccak, verify_keccak};
use wasm_session_manager::core::crypto::SessionKey;
use wasm_session_manager::Error;

#[test]
fn keccak_is_not_sha3() {
    // keccak256("") of Ethereum, not SHA3-256("").
    assert_eq!(
        hex::encode(keccak256(b"")),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
}

/// Fixed vectors of the original's signer: `eccrypto.sign(key, keccak256(utf8(data)))` as hex DER,
/// computed by tests/compat/fixed_vectors.mjs with @toruslabs/eccrypto 7.0.0 and metadata-helpers
/// 8.2.0 (KEY_A, KEY_B, SIG_*), not by the code under test.
const KEY_A: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const KEY_A_PUBLIC: &str = "044e3b81af9c2234cad09d679ce6035ed1392347ce64ce405f5dcd36228a25de6e47fd35c4215d1edf53e6f83de344615ce719bdb0fd878f6ed76f06dd277956de";
const KEY_B: &str = "0x0000000000000000000000000000000000000000000000000000000000000001";
const ECCRYPTO_SIGNATURES: [(&str, &str, &str); 5] = [
    (KEY_A, "", "30450221008aeffbfd072adec5a47c2cf0c65ea6360a8be719e48cf851ac667879c712b382022076e45dc7c134e82237f1c910c73641383c77a2501751c92cb72247e095161660"),
    (KEY_A, "hello", "3045022100bc81bfc04b658485b9820cf4fac760c84f0fc628da21c9e64ed8aaede215e633022076cc1bfb23f9869c5b71a4069b48fce3ab0caaebc6bfb7a81cb12ac3b9b2f7b1"),
    (KEY_A, r#"{"user":"ü","n":1}"#, "304502210097d348b55ba9cc30f67694306063cffe1dc2c0ac33d7bd70c860af9f9fd8c60f02207c0f562fee0aa49386a7786962b0baa7eb9fb7e3bed0ac9fbf6eb9d338490e9a"),
    (KEY_A, r#"{"iv":"0102030405060708090a0b0c0d0e0f10","ephemPublicKey":"04372e17b2c6239bd83517433b83aee90b84ab9c9ab21a40886e54bcbe6afbcc10b04d7fe4efd9668fac0ac7d3d37275ca2c1c3628d9f74b1759f306baec965580","ciphertext":"ab5f541a7b954af7442f2e99abdc135f76acf0ef41e3a7bdd5f24277f3285285","mac":"8e1d16b22cd8d273daa62b5b49c99802adbb21f0a8aa60d9dd54fe752211d487"}"#, "3045022100be1e3704ac41a8b139699362f7bb9f33bb8934d77dd421f45a532f53427a029902206cc16b6bf0f412103e8c619f273a5a896eeb661a960cd2f1ef9a3fbab9586d87"),
    (KEY_B, "hello", "30440220433ec3d37e4f1253df15e2dea412fed8e915737730f74b3dfb1353268f932ef50220557c9158e0b34bce39de28d11797b42e9b1acb2749230885fe075aedc3e491a4"),
];

#[test]
fn signatures_equal_the_originals_fixed_vectors() {
    assert_eq!(
        hex::encode(keccak256(b"hello")),
        "1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8"
    );
    assert_eq!(
        SessionKey::from_hex(KEY_A).unwrap().public_key_hex(),
        KEY_A_PUBLIC
    );
    for (key, data, want) in ECCRYPTO_SIGNATURES {
        let k = SessionKey::from_hex(key).unwrap();
        assert_eq!(sign_keccak(&k, data.as_bytes()), want, "{key} {data:?}");
        verify_keccak(&k.public_key_hex(), data.as_bytes(), want).unwrap();
    }
    // The vectors are not interchangeable: another key's or another text's signature is refused.
    let (_, _, hello_a) = ECCRYPTO_SIGNATURES[1];
    assert!(verify_keccak(KEY_A_PUBLIC, b"hellp", hello_a).is_err());
    let (_, _, hello_b) = ECCRYPTO_SIGNATURES[4];
    assert!(verify_keccak(KEY_A_PUBLIC, b"hello", hello_b).is_err());
}

#[test]
fn deterministic_and_verifies() {
    let k = SessionKey::generate();
    let a = sign_keccak(&k, b"some data");
    let b = sign_keccak(&k, b"some data");
    assert_eq!(a, b);
    assert!(a.starts_with("30"));
    assert_eq!(a, a.to_lowercase());
    verify_keccak(&k.public_key_hex(), b"some data", &a).unwrap();
    assert_ne!(sign_keccak(&k, b"other data"), a);
}

#[test]
fn signs_the_keccak_hash_directly() {
    let k = SessionKey::generate();
    let sig_hex = sign_keccak(&k, b"hello");
    let sig = Signature::from_der(&hex::decode(&sig_hex).unwrap()).unwrap();
    let vk = VerifyingKey::from(&k.public_key().unwrap());
    vk.verify_prehash(&keccak256(b"hello"), &sig).unwrap();
}

#[test]
fn always_low_s() {
    for _ in 0..200 {
        let k = SessionKey::generate();
        let sig = sign_keccak(&k, k.to_hex().as_bytes());
        let sig = Signature::from_der(&hex::decode(&sig).unwrap()).unwrap();
        assert!(sig.normalize_s().is_none(), "high S");
    }
}

#[test]
fn rejects_high_s() {
    let k = SessionKey::generate();
    let sig = Signature::from_der(&hex::decode(sign_keccak(&k, b"x")).unwrap()).unwrap();
    let (r, s) = (sig.r(), sig.s());
    let high = Signature::from_scalars(r.to_bytes(), (-*s.as_ref()).to_bytes()).unwrap();
    assert!(high.normalize_s().is_some());
    let high_hex = hex::encode(high.to_der().as_bytes());
    assert_eq!(
        verify_keccak(&k.public_key_hex(), b"x", &high_hex),
        Err(Error::Crypto("signature has a high S".into()))
    );
}

#[test]
fn rejects_wrong_key_data_or_malformed() {
    let k = SessionKey::generate();
    let other = SessionKey::generate();
    let sig = sign_keccak(&k, b"data");
    let pk = k.public_key_hex();
    assert!(verify_keccak(&other.public_key_hex(), b"data", &sig).is_err());
    assert!(verify_keccak(&pk, b"datA", &sig).is_err());
    assert!(verify_keccak(&pk, b"data", "zz").is_err());
    assert!(verify_keccak(&pk, b"data", "3000").is_err());
    assert!(verify_keccak("04", b"data", &sig).is_err());
    let mut tampered = hex::decode(&sig).unwrap();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(verify_keccak(&pk, b"data", &hex::encode(tampered)).is_err());
}

#[test]
fn session_key_hex_forms() {
    let k = SessionKey::generate();
    let h = k.to_hex();
    assert_eq!(h.len(), 66);
    assert!(h.starts_with("0x"));
    assert_eq!(h, h.to_lowercase());
    let again = SessionKey::from_hex(&h.to_uppercase().replacen("0X", "0x", 1)).unwrap();
    assert_eq!(again.to_hex(), h);
    assert_eq!(SessionKey::from_hex(&h[2..]).unwrap().to_hex(), h);

    let pk = k.public_key_hex();
    assert_eq!(pk.len(), 130);
    assert!(pk.starts_with("04"));
    assert_eq!(pk, pk.to_lowercase());
    assert_eq!(public_key_from_hex(&pk).unwrap(), k.public_key().unwrap());
    assert_eq!(
        public_key_from_hex(&format!("0x{pk}")).unwrap(),
        k.public_key().unwrap()
    );
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    let compressed = hex::encode(k.public_key().unwrap().to_encoded_point(true).as_bytes());
    assert_eq!(
        public_key_from_hex(&compressed).unwrap(),
        k.public_key().unwrap()
    );

    // Debug never shows the secret.
    let dbg = format!("{k:?}");
    assert!(!dbg.contains(&h[2..]));
    assert!(dbg.contains(&pk));
}

#[test]
fn session_key_range() {
    let n = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    let n_minus_1 = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140";
    assert!(SessionKey::from_hex(n).is_err());
    assert!(SessionKey::from_hex(&"f".repeat(64)).is_err());
    assert!(SessionKey::from_hex(&"0".repeat(64)).is_err());
    assert!(SessionKey::from_hex(n_minus_1).is_ok());
    assert!(SessionKey::from_hex(&format!("{}1", "0".repeat(63))).is_ok());
    for bad in ["", "0x", "12", &"g".repeat(64), &"0".repeat(65)] {
        assert!(
            matches!(SessionKey::from_hex(bad), Err(Error::Crypto(_))),
            "{bad}"
        );
    }
}
