//! The `#[wasm_bindgen]` surface: thin handles over `Rc` state, named as in the original package.

pub mod auth;
pub mod errors;
pub mod http_client;
pub mod js_value;
pub mod options;
pub mod promise;
pub mod session_keys;
pub mod storage;
#[cfg(feature = "storage-manager")]
pub mod storage_manager;
