//! The random source of the wasm build: getrandom's `custom` backend over the one Web Crypto call
//! every target has, `crypto.getRandomValues` (browsers, workers, Node 19+). getrandom's own `js`
//! backend would also probe `process`, `require("crypto")` and `msCrypto` for old Node and IE 11,
//! eight imports and their glue that no supported environment needs.

use std::num::NonZeroU32;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Fills the view with CSPRNG bytes (wasm-bindgen copies them back into `buf`).
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<(), JsValue>;
}

/// `getRandomValues` refuses more than 65,536 bytes a call.
const MAX_CALL: usize = 65_536;

fn fill(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    for chunk in buf.chunks_mut(MAX_CALL) {
        get_random_values(chunk).map_err(|_| unavailable())?;
    }
    Ok(())
}

/// Web Crypto missing or refusing (the core reports the code, see `core::crypto::util`).
fn unavailable() -> getrandom::Error {
    match NonZeroU32::new(getrandom::Error::CUSTOM_START) {
        Some(code) => code.into(),
        None => getrandom::Error::UNSUPPORTED,
    }
}

getrandom::register_custom_getrandom!(fill);
