//! The symmetric ciphers of `core::crypto::symmetric` and the hashes of `core::crypto::hash` on the
//! browser's Web Crypto: AES-CBC, AES-GCM, SHA-512 and HMAC-SHA256 through `crypto.subtle`
//! (browsers in a secure context, workers, Node 19+), as the original's eccrypto does. Three
//! functions of the library's JS snippet ([`super::snippet`]), each one promise: `aes` and `digest`
//! import the key and run the operation, `ecies_open` runs ECIES's whole decryption after the ECDH.
//! Each caller matches its promise's outcome itself: one shared helper taking the failure mapping
//! measured +178 B gzip in the main entry (a future more, and the mapping's closures).

use crate::web::task::settled;

use crate::core::crypto::symmetric::Mode;
use crate::core::error::{Error, Result};
use crate::web::snippet::{subtle_aes, subtle_digest, subtle_ecies_open};

const UNAVAILABLE: &str =
    "Web Crypto (crypto.subtle) is unavailable: the page must be a secure context (https: or localhost)";

/// Encrypts or decrypts `data` under `key` with Web Crypto.
pub(crate) async fn aes(key: &[u8; 32], mode: Mode, encrypt: bool, data: &[u8]) -> Result<Vec<u8>> {
    let (name, iv): (&str, &[u8]) = match &mode {
        Mode::Cbc(iv) => ("AES-CBC", iv),
        Mode::Gcm(nonce) => ("AES-GCM", nonce),
    };
    match settled(subtle_aes(name, encrypt, key, iv, data)).await {
        Ok(bytes) => Ok(js_sys::Uint8Array::new(&bytes).to_vec()),
        Err(reason) if reason == 0 => Err(Error::Crypto(UNAVAILABLE.to_owned())),
        Err(_) if !encrypt => Err(mode.failure()),
        Err(_) => Err(Error::Crypto("encryption failed".to_owned())),
    }
}

/// SHA-512 of `data` without `key`, HMAC-SHA256 under `key` with it.
pub(crate) async fn digest(key: Option<&[u8; 32]>, data: &[u8]) -> Result<Vec<u8>> {
    match settled(subtle_digest(key.map(|k| k.as_slice()), data)).await {
        Ok(bytes) => Ok(js_sys::Uint8Array::new(&bytes).to_vec()),
        Err(reason) if reason == 0 => Err(Error::Crypto(UNAVAILABLE.to_owned())),
        Err(_) => Err(Error::Crypto("hashing failed".to_owned())),
    }
}

/// ECIES's decryption after the ECDH, for one or two candidate shared secrets (the snippet's
/// `ecies_open`): the plaintext, or the errors the Rust steps give natively.
pub(crate) async fn ecies_open(
    first: &[u8],
    second: Option<&[u8]>,
    iv: &[u8; 16],
    ephem: &[u8],
    ciphertext: &[u8],
    mac: &[u8],
) -> Result<Vec<u8>> {
    let opened = subtle_ecies_open(first, second, iv, ephem, ciphertext, mac);
    match settled(opened).await {
        Ok(bytes) => Ok(js_sys::Uint8Array::new(&bytes).to_vec()),
        Err(reason) if reason == 0 => Err(Error::Crypto(UNAVAILABLE.to_owned())),
        Err(reason) if reason == 1 => Err(Error::Crypto("bad MAC".to_owned())),
        Err(_) => Err(Mode::Cbc(*iv).failure()),
    }
}
