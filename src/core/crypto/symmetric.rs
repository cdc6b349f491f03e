//! The symmetric ciphers behind one seam: AES-256-CBC with PKCS#7 padding (ECIES, PROTOCOL.md §6)
//! and AES-256-GCM with a 128-bit tag appended (this SDK's envelope).
//!
//! Natively they are RustCrypto's (the tests, the fuzz targets, session-server); in the wasm they
//! are the browser's own Web Crypto (`crypto.subtle`, `crate::web::subtle`), as the original's
//! eccrypto uses it, so the package ships no software AES. Both answer the same bytes and the same
//! errors; the compatibility tests run against each.

use crate::core::error::{Error, Result};

/// A mode and its per-message input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// AES-256-CBC, PKCS#7 padding, this iv.
    Cbc([u8; 16]),
    /// AES-256-GCM, this nonce; the ciphertext carries the 16-byte tag at its end.
    Gcm([u8; 12]),
}

impl Mode {
    /// What a decryption that fails says: a wrong key, a changed byte.
    pub(crate) fn failure(&self) -> Error {
        Error::Crypto(
            match self {
                Self::Cbc(_) => "bad padding",
                Self::Gcm(_) => "authentication failed",
            }
            .to_owned(),
        )
    }
}

/// Encrypts `data` under `key`.
pub async fn encrypt(key: &[u8; 32], mode: Mode, data: &[u8]) -> Result<Vec<u8>> {
    #[cfg(target_arch = "wasm32")]
    return crate::web::subtle::aes(key, mode, true, data).await;
    #[cfg(not(target_arch = "wasm32"))]
    return native::encrypt(key, mode, data);
}

/// Decrypts `data` under `key`; a wrong key or a changed byte is `Error::Crypto`.
pub async fn decrypt(key: &[u8; 32], mode: Mode, data: &[u8]) -> Result<Vec<u8>> {
    #[cfg(target_arch = "wasm32")]
    return crate::web::subtle::aes(key, mode, false, data).await;
    #[cfg(not(target_arch = "wasm32"))]
    return native::decrypt(key, mode, data);
}

/// Runs a crypto future that completes at once natively (the symmetric ciphers are synchronous
/// there): the synchronous API the server, the tests and the fuzz targets use.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn now<T>(fut: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    use futures::FutureExt;
    fut.now_or_never()
        .unwrap_or_else(|| Err(Error::Crypto("the cipher did not complete".to_owned())))
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
    use aes_gcm::aead::Aead;
    use aes_gcm::{Aes256Gcm, KeyInit, Nonce};

    use super::Mode;
    use crate::core::error::{Error, Result};

    type CbcEnc = cbc::Encryptor<aes::Aes256>;
    type CbcDec = cbc::Decryptor<aes::Aes256>;

    pub(super) fn encrypt(key: &[u8; 32], mode: Mode, data: &[u8]) -> Result<Vec<u8>> {
        match mode {
            Mode::Cbc(iv) => {
                Ok(CbcEnc::new(key.into(), (&iv).into()).encrypt_padded_vec_mut::<Pkcs7>(data))
            }
            Mode::Gcm(nonce) => Aes256Gcm::new(key.into())
                .encrypt(Nonce::from_slice(&nonce), data)
                .map_err(|_| Error::Crypto("encryption failed".to_owned())),
        }
    }

    pub(super) fn decrypt(key: &[u8; 32], mode: Mode, data: &[u8]) -> Result<Vec<u8>> {
        match mode {
            Mode::Cbc(iv) => CbcDec::new(key.into(), (&iv).into())
                .decrypt_padded_vec_mut::<Pkcs7>(data)
                .map_err(|_| mode.failure()),
            Mode::Gcm(nonce) => Aes256Gcm::new(key.into())
                .decrypt(Nonce::from_slice(&nonce), data)
                .map_err(|_| mode.failure()),
        }
    }
}
