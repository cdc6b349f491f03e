//! The symmetric ciphers of `core::crypto::symmetric` on the browser's Web Crypto: AES-CBC and
//! AES-GCM through `crypto.subtle` (browsers in a secure context, workers, Node 19+), as the
//! original's eccrypto does. One import: `aes` of the library's JS snippet ([`super::snippet`])
//! imports the key and runs the operation.

use wasm_bindgen_futures::JsFuture;

use crate::core::crypto::symmetric::Mode;
use crate::core::error::{Error, Result};
use crate::web::snippet::subtle_aes;

/// Encrypts or decrypts `data` under `key` with Web Crypto.
pub(crate) async fn aes(key: &[u8; 32], mode: Mode, encrypt: bool, data: &[u8]) -> Result<Vec<u8>> {
    let (name, iv): (&str, &[u8]) = match &mode {
        Mode::Cbc(iv) => ("AES-CBC", iv),
        Mode::Gcm(nonce) => ("AES-GCM", nonce),
    };
    match JsFuture::from(subtle_aes(name, encrypt, key, iv, data)).await {
        Ok(bytes) => Ok(js_sys::Uint8Array::new(&bytes).to_vec()),
        Err(reason) if reason == 0 => Err(Error::Crypto(
            "Web Crypto (crypto.subtle) is unavailable: the page must be a secure context (https: or localhost)"
                .to_owned(),
        )),
        Err(_) if !encrypt => Err(mode.failure()),
        Err(_) => Err(Error::Crypto("encryption failed".to_owned())),
    }
}
