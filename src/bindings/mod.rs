//! The `#[wasm_bindgen]` surface: thin handles over `Rc` state, named as in the original package.

pub mod auth;
pub mod errors;
pub mod http_client;
pub mod js_value;
pub mod options;
pub mod promise;
pub mod storage;
pub mod storage_manager;
