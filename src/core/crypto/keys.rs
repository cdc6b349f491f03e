//! The session key: the secp256k1 secret key a session id encodes (PROTOCOL.md §3, §7).

use k256::{PublicKey, SecretKey};
use zeroize::Zeroizing;

use super::curve;
use super::util::{random_bytes, strip_0x};
use crate::core::error::{Error, Result};
use crate::core::text;

/// A session's secp256k1 secret key: 32 big-endian bytes in [1, n), zeroized on drop.
///
/// `Debug` shows only the public key.
#[derive(Clone)]
pub struct SessionKey {
    secret: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKey")
            .field("public_key", &self.public_key_hex())
            .finish_non_exhaustive()
    }
}

impl SessionKey {
    /// Parses a session id: an optional `0x`, then exactly 64 hex digits (either case) whose value is
    /// in `[1, n)`. Normalise a shorter id first with `crate::core::keys::normalize_session_id`.
    ///
    /// ```
    /// use wasm_session_manager::core::crypto::SessionKey;
    /// let key = SessionKey::from_hex(&format!("0x{}01", "0".repeat(62))).unwrap();
    /// assert!(key.public_key_hex().starts_with("04"));
    /// assert!(SessionKey::from_hex(&"0".repeat(64)).is_err());
    /// ```
    pub fn from_hex(session_id: &str) -> Result<SessionKey> {
        let digits = strip_0x(session_id);
        if digits.len() != 64 {
            return Err(Error::Crypto(
                "a session key must be 64 hex digits".to_owned(),
            ));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        if !text::unhex_into(digits, bytes.as_mut_slice()) {
            return Err(Error::Crypto("a session key must be hex".to_owned()));
        }
        Self::from_bytes(&bytes)
    }

    /// A key from 32 big-endian bytes in `[1, n)`.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<SessionKey> {
        if !curve::is_secret(bytes) {
            return Err(Error::Crypto(
                "session key out of range for secp256k1".to_owned(),
            ));
        }
        Ok(SessionKey {
            secret: Zeroizing::new(*bytes),
        })
    }

    /// A fresh random key from the platform CSPRNG, in `[1, n)`.
    ///
    /// # Panics
    /// Only if the platform CSPRNG is unavailable, which no supported platform allows; use
    /// [`SessionKey::try_generate`] to get that case as an error.
    #[allow(clippy::expect_used)]
    pub fn generate() -> SessionKey {
        Self::try_generate().expect("the platform CSPRNG failed")
    }

    /// A fresh random key, or `Error::Crypto` if the platform CSPRNG fails.
    pub fn try_generate() -> Result<SessionKey> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        // Rejection sampling: a 32-byte value is out of range with probability ~2^-128.
        loop {
            random_bytes(bytes.as_mut_slice())?;
            if let Ok(key) = Self::from_bytes(&bytes) {
                return Ok(key);
            }
        }
    }

    /// The key as a session id: `0x` + 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        let mut out = String::with_capacity(66);
        out.push_str("0x");
        text::push_hex(&mut out, self.secret.as_slice());
        out
    }

    /// The secret's 32 big-endian bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.secret
    }

    /// The uncompressed public key, 65 bytes (`04 || x || y`).
    pub fn public_key_bytes(&self) -> [u8; 65] {
        curve::public_key(&self.secret)
    }

    /// The public key, as k256's type (for native callers: `ecies::encrypt` to it, ECDSA checks).
    pub fn public_key(&self) -> Result<PublicKey> {
        PublicKey::from_sec1_bytes(&self.public_key_bytes())
            .map_err(|_| Error::Crypto("not a point on secp256k1".to_owned()))
    }

    /// The uncompressed public key: 130 lowercase hex digits starting `04`, no `0x` (the metadata `key`).
    pub fn public_key_hex(&self) -> String {
        text::hex(&self.public_key_bytes())
    }

    /// The secret key, as k256's type (for native callers and the tests, which sign with k256 to
    /// check [`super::signature::sign_prehash`]).
    pub fn secret(&self) -> Result<SecretKey> {
        SecretKey::from_slice(self.secret.as_slice())
            .map_err(|_| Error::Crypto("session key out of range for secp256k1".to_owned()))
    }
}

/// Parses a public key: 130 hex digits (uncompressed, `04…`) or 66 (compressed, `02…`/`03…`),
/// optional `0x`, either case.
pub fn public_key_from_hex(hex: &str) -> Result<PublicKey> {
    let digits = strip_0x(hex);
    if digits.len() != 130 && digits.len() != 66 {
        return Err(Error::Crypto(
            "a public key must be 130 (uncompressed) or 66 (compressed) hex digits".to_owned(),
        ));
    }
    let bytes =
        text::unhex(digits).ok_or_else(|| Error::Crypto("a public key must be hex".to_owned()))?;
    PublicKey::from_sec1_bytes(&bytes)
        .map_err(|_| Error::Crypto("not a point on secp256k1".to_owned()))
}
