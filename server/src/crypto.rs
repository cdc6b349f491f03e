//! The server's use of the SDK's crypto (`wasm_session_manager::core::crypto`): the same code encrypts
//! `session_data` here and decrypts it in the browser, and verifies the metadata signatures the
//! browser makes.

use wasm_session_manager::core::crypto::{aead, ecies, keys, signature};

use crate::error::ApiError;

/// Validates an uncompressed secp256k1 public key (130 hex chars starting `04`, a point on the curve)
/// and returns it in lowercase.
pub fn normalise_public_key(hex_key: &str) -> Result<String, &'static str> {
    let ok_shape = hex_key.len() == 130
        && hex_key.starts_with("04")
        && hex_key.bytes().all(|b| b.is_ascii_hexdigit());
    if !ok_shape {
        return Err("must be an uncompressed secp256k1 public key: 130 hex chars starting with 04");
    }
    keys::public_key_from_hex(hex_key).map_err(|_| "is not a point on secp256k1")?;
    Ok(hex_key.to_ascii_lowercase())
}

/// ECIES (PROTOCOL.md §6) of `plaintext` to `public_key_hex`: the `session_data` JSON string.
pub fn encrypt_to(public_key_hex: &str, plaintext: &str) -> Result<String, ApiError> {
    let public = keys::public_key_from_hex(public_key_hex)
        .map_err(|_| ApiError::bad_request("stored public key is invalid"))?;
    let payload = ecies::try_encrypt(&public, plaintext.as_bytes())
        .map_err(|e| ApiError::unavailable(format!("encryption failed: {e}")))?;
    Ok(payload.to_json())
}

/// Whether `signature_hex` is a valid signature of keccak256(`data`) by `public_key_hex`.
pub fn signature_valid(public_key_hex: &str, data: &str, signature_hex: &str) -> bool {
    signature::verify_keccak(public_key_hex, data.as_bytes(), signature_hex).is_ok()
}

/// Whether `data` is ciphertext in one of the SDK's formats: an eccrypto ECIES payload
/// (`{iv, ephemPublicKey, ciphertext, mac}`) or the SDK's AES-256-GCM envelope (`{v, alg, nonce, ciphertext}`).
/// The metadata store refuses anything else, so it never holds plaintext.
pub fn looks_like_ciphertext(data: &str) -> bool {
    ecies::EciesPayload::from_json(data).is_ok()
        || (aead::is_envelope(data) && strict_envelope(data))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    #[allow(dead_code)]
    v: serde_json::Value,
    #[allow(dead_code)]
    alg: String,
    nonce: String,
    ciphertext: String,
}

fn strict_envelope(data: &str) -> bool {
    let is_hex =
        |s: &str| !s.is_empty() && s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit());
    serde_json::from_str::<Envelope>(data).is_ok_and(|e| is_hex(&e.nonce) && is_hex(&e.ciphertext))
}
