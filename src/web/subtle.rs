//! The symmetric ciphers of `core::crypto::symmetric` on the browser's Web Crypto: AES-CBC and
//! AES-GCM through `crypto.subtle` (browsers in a secure context, workers, Node 19+), as the
//! original's eccrypto does. One import: the small function below imports the key and runs the
//! operation, copying its inputs first (the promise outlives the views into wasm memory).

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::core::crypto::symmetric::Mode;
use crate::core::error::{Error, Result};

#[wasm_bindgen(inline_js = r#"
export function aes(name, encrypt, key, iv, data) {
  const s = globalThis.crypto && crypto.subtle, op = encrypt ? "encrypt" : "decrypt", params = { name, iv: iv.slice() };
  if (!s) return Promise.reject(0);
  data = data.slice();
  return s.importKey("raw", key, name, false, [op]).then((k) => s[op](params, k, data)).then((b) => new Uint8Array(b));
}
"#)]
extern "C" {
    /// `crypto.subtle.{encrypt,decrypt}({ name, iv }, key, data)`; rejects with 0 when there is
    /// no `crypto.subtle`, with the DOMException when the operation fails.
    #[wasm_bindgen(js_name = aes)]
    fn subtle_aes(name: &str, encrypt: bool, key: &[u8], iv: &[u8], data: &[u8])
        -> js_sys::Promise;
}

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
