//! ECDSA over keccak256 (PROTOCOL.md §7): determinism, low-S, verification and its refusals.

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
    let vk = VerifyingKey::from(&k.public_key());
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
    assert_eq!(public_key_from_hex(&pk).unwrap(), k.public_key());
    assert_eq!(
        public_key_from_hex(&format!("0x{pk}")).unwrap(),
        k.public_key()
    );
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    let compressed = hex::encode(k.public_key().to_encoded_point(true).as_bytes());
    assert_eq!(public_key_from_hex(&compressed).unwrap(), k.public_key());

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
