//! ECDSA secp256k1 over keccak256, as `@toruslabs/metadata-helpers` signs metadata (PROTOCOL.md §7):
//! the 32-byte hash is signed directly (no second hash), RFC 6979 nonces, low-S, hex DER.

use k256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use k256::ecdsa::{Signature, SigningKey, VerifyingKey};
use sha3::{Digest, Keccak256};

use super::keys::{public_key_from_hex, SessionKey};
use super::util::{decode_hex, strip_0x};
use crate::core::error::{Error, Result};

/// keccak256 of `data` (the original Ethereum Keccak, not SHA3-256).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// Signs `keccak256(data)` with `key`: lowercase hex of the DER signature, deterministic (RFC 6979),
/// low-S — byte-identical to `bytesToHex(eccrypto.sign(key, keccak256(utf8(data))))` of the original.
///
/// RFC 6979 signing of a 32-byte prehash fails only if the derived nonce gives `r = 0` or `s = 0`
/// (probability ~2^-256); that case returns an empty string, which no server accepts.
pub fn sign_keccak(key: &SessionKey, data: &[u8]) -> String {
    let signing = SigningKey::from(key.secret());
    let hash = keccak256(data);
    // k256 signs prehashes of the field size without failing and normalises s to the low half.
    match PrehashSigner::<Signature>::sign_prehash(&signing, &hash) {
        Ok(sig) => {
            let sig = sig.normalize_s().unwrap_or(sig);
            hex::encode(sig.to_der().as_bytes())
        }
        Err(_) => String::new(),
    }
}

/// Verifies a hex DER signature of `keccak256(data)` by the public key `public_key_hex`
/// (130 or 66 hex digits). Malformed input, a high-S signature or a mismatch → `Error::Crypto`.
pub fn verify_keccak(public_key_hex: &str, data: &[u8], signature_der_hex: &str) -> Result<()> {
    let public = public_key_from_hex(public_key_hex)?;
    let der = decode_hex(strip_0x(signature_der_hex), "signature")?;
    let sig = Signature::from_der(&der)
        .map_err(|_| Error::Crypto("signature is not valid DER".to_owned()))?;
    if sig.normalize_s().is_some() {
        return Err(Error::Crypto("signature has a high S".to_owned()));
    }
    VerifyingKey::from(&public)
        .verify_prehash(&keccak256(data), &sig)
        .map_err(|_| Error::Crypto("bad signature".to_owned()))
}
