//! This SDK's own metadata scheme (opt-in): AES-256-GCM under a key derived from the session key with
//! HKDF-SHA256, a fresh random 96-bit nonce per message, and a versioned JSON envelope
//! `{"v":1,"alg":"A256GCM","nonce":"<hex>","ciphertext":"<hex incl. tag>"}`.
//!
//! The envelope is strict (exact fields, lowercase hex, known version and algorithm), so that any
//! changed byte of it fails to decrypt.

use hkdf::SimpleHkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::keys::SessionKey;
use super::symmetric::{self, Mode};
use super::util::{decode_lower_hex, random_bytes};
use crate::core::error::{Error, Result};
use crate::core::json::{self, Value};
use crate::core::text;

/// The HKDF `info`: binds the derived key to this use, so it is never the key of anything else.
pub const HKDF_INFO: &[u8] = b"wasm-session-manager/metadata/aes-256-gcm/v1";
/// The envelope version.
pub const VERSION: u32 = 1;
/// The envelope algorithm name.
pub const ALG: &str = "A256GCM";

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// The AES key of `key`'s envelopes: HKDF-SHA256 of the session key with [`HKDF_INFO`].
fn derive_key(key: &SessionKey) -> Result<Zeroizing<[u8; 32]>> {
    let ikm = key.bytes();
    let mut okm = Zeroizing::new([0u8; 32]);
    SimpleHkdf::<Sha256>::new(None, ikm.as_slice())
        .expand(HKDF_INFO, okm.as_mut_slice())
        .map_err(|_| Error::Crypto("key derivation failed".to_owned()))?;
    Ok(okm)
}

/// Encrypts `plaintext` into an envelope (a CSPRNG failure is `Error::Crypto`).
pub async fn seal_envelope(key: &SessionKey, plaintext: &[u8]) -> Result<String> {
    let mut nonce = [0u8; NONCE_LEN];
    random_bytes(&mut nonce)?;
    let aes_key = derive_key(key)?;
    let ciphertext = symmetric::encrypt(&aes_key, Mode::Gcm(nonce), plaintext).await?;
    let mut out = String::from(r#"{"v":"#);
    text::push_dec(&mut out, u64::from(VERSION));
    out.push_str(r#","alg":""#);
    out.push_str(ALG);
    out.push_str(r#"","nonce":""#);
    text::push_hex(&mut out, &nonce);
    out.push_str(r#"","ciphertext":""#);
    text::push_hex(&mut out, &ciphertext);
    out.push_str(r#""}"#);
    Ok(out)
}

/// Decrypts an envelope made by [`seal_envelope`] with the same key. Anything else — another
/// version or algorithm, bad hex, a changed byte, another key — is `Error::Crypto` (`DECRYPT_FAILED`).
pub async fn open_envelope(key: &SessionKey, envelope: &str) -> Result<Vec<u8>> {
    let (nonce, ciphertext) = parse_envelope(envelope)?;
    let aes_key = derive_key(key)?;
    symmetric::decrypt(&aes_key, Mode::Gcm(nonce), &ciphertext).await
}

/// The nonce and ciphertext (tag included) of a well-formed envelope.
fn parse_envelope(envelope: &str) -> Result<([u8; NONCE_LEN], Vec<u8>)> {
    let malformed = |e: &str| Error::Crypto(text::cat(&["malformed envelope: ", e]));
    let value = json::parse(envelope).map_err(|e| malformed(&e.message()))?;
    let [v, alg, nonce, ciphertext] =
        json::fields(&value, ["v", "alg", "nonce", "ciphertext"], true).map_err(malformed)?;
    let text = |field: Option<&'_ Value>, name: &str| -> Result<String> {
        field
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| malformed(&text::cat(&[name, " must be a string"])))
    };
    let v = v.ok_or_else(|| malformed("missing field v"))?;
    let (alg, nonce, ciphertext) = (
        text(alg, "alg")?,
        text(nonce, "nonce")?,
        text(ciphertext, "ciphertext")?,
    );
    // Only the integer literal 1 (as serde_json's `as_u64() == Some(1)`: not 1.0 or 1e0).
    if !matches!(v, Value::Number(n) if n == "1") {
        return Err(Error::Crypto(text::cat(&[
            "unsupported envelope version ",
            &v.to_json(),
        ])));
    }
    if alg != ALG {
        return Err(Error::Crypto(text::cat(&[
            "unsupported algorithm ",
            &json::quote(&alg),
        ])));
    }
    let nonce: [u8; NONCE_LEN] = decode_lower_hex(&nonce, "nonce")?
        .try_into()
        .map_err(|_| Error::Crypto("nonce must be 12 bytes".to_owned()))?;
    let ciphertext = decode_lower_hex(&ciphertext, "ciphertext")?;
    if ciphertext.len() < TAG_LEN {
        return Err(Error::Crypto("ciphertext shorter than the tag".to_owned()));
    }
    Ok((nonce, ciphertext))
}

/// The synchronous forms (native only: Web Crypto is asynchronous).
#[cfg(not(target_arch = "wasm32"))]
mod blocking {
    use super::SessionKey;
    use crate::core::crypto::symmetric::now;
    use crate::core::error::Result;

    /// Encrypts `plaintext` into an envelope ([`super::seal_envelope`]).
    ///
    /// # Panics
    /// Only if the platform CSPRNG is unavailable; [`try_encrypt_envelope`] reports that as an error.
    #[allow(clippy::expect_used)]
    pub fn encrypt_envelope(key: &SessionKey, plaintext: &[u8]) -> String {
        try_encrypt_envelope(key, plaintext).expect("the platform CSPRNG failed")
    }

    /// [`encrypt_envelope`], with a CSPRNG failure as `Error::Crypto`.
    pub fn try_encrypt_envelope(key: &SessionKey, plaintext: &[u8]) -> Result<String> {
        now(super::seal_envelope(key, plaintext))
    }

    /// [`super::open_envelope`].
    pub fn decrypt_envelope(key: &SessionKey, envelope: &str) -> Result<Vec<u8>> {
        now(super::open_envelope(key, envelope))
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use blocking::{decrypt_envelope, encrypt_envelope, try_encrypt_envelope};

/// True when `s` looks like an envelope of this scheme (a JSON object with `v` and `alg`), as opposed
/// to an eccrypto payload. Says nothing about whether it decrypts.
pub fn is_envelope(s: &str) -> bool {
    s.trim_start().starts_with('{')
        && json::parse(s).is_ok_and(|v| {
            matches!(
                json::fields(&v, ["v", "alg"], false),
                Ok([Some(_), Some(_)])
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_hkdf_derives_what_hkdf_does() {
        let ikm = [7u8; 32];
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        SimpleHkdf::<Sha256>::new(None, &ikm)
            .expand(HKDF_INFO, &mut a)
            .unwrap();
        hkdf::Hkdf::<Sha256>::new(None, &ikm)
            .expand(HKDF_INFO, &mut b)
            .unwrap();
        assert_eq!(a, b);
    }
}
