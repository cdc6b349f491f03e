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
/// (probability ~2^-256); that case returns an empty string, which no server accepts (as does a
/// key k256 refuses, which `SessionKey`'s own range check rules out).
pub fn sign_keccak(key: &SessionKey, data: &[u8]) -> String {
    let Ok(secret) = key.secret() else {
        return String::new();
    };
    let signing = SigningKey::from(secret);
    let hash = keccak256(data);
    // k256 signs prehashes of the field size without failing and normalises s to the low half.
    match PrehashSigner::<Signature>::sign_prehash(&signing, &hash) {
        Ok(sig) => {
            let sig = sig.normalize_s().unwrap_or(sig);
            crate::core::text::hex(&der_signature(&sig.to_bytes()))
        }
        Err(_) => String::new(),
    }
}

/// The DER `SEQUENCE { INTEGER r, INTEGER s }` of a 64-byte `r || s` (what `Signature::to_der`
/// writes; written by hand so the wasm does not carry the `der` crate's encoder).
fn der_signature(rs: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(72);
    out.extend_from_slice(&[0x30, 0]);
    for half in rs.chunks(32) {
        // Minimal big-endian: no leading zero bytes (keep one for zero), then a 0x00 if the top bit
        // is set so that the integer stays positive.
        let skip = half
            .iter()
            .take_while(|b| **b == 0)
            .count()
            .min(half.len() - 1);
        let digits = &half[skip..];
        let pad = digits[0] >= 0x80;
        out.push(0x02);
        out.push((digits.len() + usize::from(pad)) as u8);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(digits);
    }
    // At most 2 * (2 + 33) = 70 bytes of content: the short length form.
    out[1] = (out.len() - 2) as u8;
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_matches_the_der_crate() {
        let mut cases: Vec<[u8; 64]> = vec![[0; 64], [0xff; 64], [0x7f; 64], [0x80; 64]];
        let mut edge = [0u8; 64];
        edge[31] = 1;
        edge[32] = 0x80;
        cases.push(edge);
        let mut edge = [0u8; 64];
        edge[5] = 0x90;
        edge[40] = 0x01;
        cases.push(edge);
        for case in &cases {
            // Scalars of zero are not valid signatures; compare the encoder on the valid ones.
            if let Ok(sig) = Signature::from_slice(case) {
                assert_eq!(der_signature(case), sig.to_der().as_bytes(), "{case:?}");
            }
        }
        for i in 0..200u32 {
            let key = SessionKey::try_generate().unwrap();
            let signing = SigningKey::from(key.secret().unwrap());
            let sig: Signature = signing.sign_prehash(&keccak256(&i.to_le_bytes())).unwrap();
            let sig = sig.normalize_s().unwrap_or(sig);
            assert_eq!(der_signature(&sig.to_bytes()), sig.to_der().as_bytes());
        }
    }
}
