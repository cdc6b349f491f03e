//! ECDSA secp256k1 over keccak256, as `@toruslabs/metadata-helpers` signs metadata (PROTOCOL.md §7):
//! the 32-byte hash is signed directly (no second hash), RFC 6979 nonces, low-S, hex DER.

use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature, VerifyingKey};
use sha3::{Digest, Keccak256};
use zeroize::Zeroizing;

use super::keys::{public_key_from_hex, SessionKey};
use super::scalar::Scalar;
use super::util::{decode_hex, strip_0x};
use crate::core::error::{Error, Result};

/// keccak256 of `data` (the original Ethereum Keccak, not SHA3-256).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// Signs `keccak256(data)` with `key`: lowercase hex of the DER signature, deterministic (RFC 6979),
/// low-S — byte-identical to `bytesToHex(eccrypto.sign(key, keccak256(utf8(data))))` of the original.
///
/// Signing fails only if the nonce gives `r = 0` or `s = 0` (probability ~2^-256); that case returns
/// an empty string, which no server accepts.
pub fn sign_keccak(key: &SessionKey, data: &[u8]) -> String {
    match sign_prehash(key.bytes(), &keccak256(data)) {
        Some(rs) => crate::core::text::hex(&der_signature(&rs)),
        None => String::new(),
    }
}

/// ECDSA of a 32-byte hash (signed as it is, reduced mod n) with the secret `x`: `r || s`, low-S,
/// the nonce by RFC 6979 with HMAC-SHA256 — what eccrypto's `sign` gives (and k256's `sign_prehash`,
/// for every hash below n), with the crate's own scalar arithmetic (`scalar`) and k·G from
/// [`super::curve`]: no ecdsa or rfc6979 crate in the wasm.
pub fn sign_prehash(x: &[u8; 32], hash: &[u8; 32]) -> Option<[u8; 64]> {
    let d = Zeroizing::new(Scalar::secret(x)?);
    let z = Scalar::reduce(hash);
    let mut nonces = Nonces::new(x, &z.to_bytes());
    // A candidate out of [1, n) has probability ~2^-128: a few tries are plenty.
    for _ in 0..4 {
        let k_bytes = nonces.next();
        let Some(k) = Scalar::secret(&k_bytes) else {
            continue;
        };
        let k = Zeroizing::new(k);
        let point = super::curve::public_key(&k_bytes);
        let mut rx = [0u8; 32];
        rx.copy_from_slice(&point[1..33]);
        let r = Scalar::reduce(&rx);
        let s = k.invert().mul(&z.add(&r.mul(&d)));
        if r.is_zero() || s.is_zero() {
            return None;
        }
        let s = if s.is_high() { s.negate() } else { s };
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&r.to_bytes());
        out[32..].copy_from_slice(&s.to_bytes());
        return Some(out);
    }
    None
}

/// RFC 6979 §3.2's HMAC-DRBG over HMAC-SHA256, seeded with the secret and the reduced hash.
struct Nonces {
    k: Zeroizing<[u8; 32]>,
    v: Zeroizing<[u8; 32]>,
}

fn hmac(key: &[u8; 32], parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    use hmac::{Mac, SimpleHmac};
    use sha2::Sha256;
    let mut out = Zeroizing::new([0u8; 32]);
    // HMAC takes a key of any length.
    if let Ok(mut mac) = SimpleHmac::<Sha256>::new_from_slice(key) {
        for part in parts {
            mac.update(part);
        }
        out.copy_from_slice(&mac.finalize().into_bytes());
    }
    out
}

impl Nonces {
    fn new(x: &[u8; 32], h: &[u8; 32]) -> Nonces {
        let v = Zeroizing::new([1u8; 32]);
        let k = hmac(&[0; 32], &[v.as_slice(), &[0], x, h]);
        let v = hmac(&k, &[v.as_slice()]);
        let k = hmac(&k, &[v.as_slice(), &[1], x, h]);
        let v = hmac(&k, &[v.as_slice()]);
        Nonces { k, v }
    }

    /// The next candidate (256 bits, one HMAC block), and the state moved on past it.
    fn next(&mut self) -> Zeroizing<[u8; 32]> {
        self.v = hmac(&self.k, &[self.v.as_slice()]);
        let candidate = self.v.clone();
        self.k = hmac(&self.k, &[self.v.as_slice(), &[0]]);
        self.v = hmac(&self.k, &[self.v.as_slice()]);
        candidate
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
    use k256::ecdsa::signature::hazmat::PrehashSigner;
    use k256::ecdsa::SigningKey;

    use super::*;

    #[test]
    fn signatures_are_k256s_byte_for_byte() {
        for i in 0..300u32 {
            let key = SessionKey::try_generate().unwrap();
            let mut hash = keccak256(&i.to_le_bytes());
            if i % 2 == 1 {
                // Small ones too.
                hash[..31].fill(0);
            }
            let signing = SigningKey::from(key.secret().unwrap());
            let expected: Signature = signing.sign_prehash(&hash).unwrap();
            let expected = expected.normalize_s().unwrap_or(expected);
            assert_eq!(
                sign_prehash(key.bytes(), &hash),
                Some(<[u8; 64]>::from(expected.to_bytes())),
                "key {key:?}, hash {hash:02x?}"
            );
        }
    }

    /// k256 seeds RFC 6979 with the hash as it is; eccrypto (elliptic), as RFC 6979's bits2octets
    /// says, with the hash reduced mod n. They differ only for a hash at or above n (a keccak
    /// output is one with probability ~2^-128); this follows eccrypto. The expected signature is
    /// `eccrypto.sign(7, 0xff × 32)` of @toruslabs/eccrypto 7.0.0.
    #[test]
    fn a_hash_above_n_is_signed_as_eccrypto_signs_it() {
        let mut seven = [0u8; 32];
        seven[31] = 7;
        let rs = sign_prehash(&seven, &[0xff; 32]).unwrap();
        assert_eq!(
            crate::core::text::hex(&der_signature(&rs)),
            "3045022100c9e5161b569fb9f8ce8cf443770beecbfffdbccc99a639f49610400f506cb3d7\
             022061c457905454c8f9e2586575ef3fcc3db9db3d2c95b08f978abb2fdf6cc6877c"
        );
    }

    #[test]
    fn a_secret_out_of_range_signs_nothing() {
        assert_eq!(sign_prehash(&[0; 32], &[1; 32]), None);
        assert_eq!(sign_prehash(&[0xff; 32], &[1; 32]), None);
    }

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
