//! Storage in a dedicated worker, where there is no `window`, `localStorage` or `document.cookie`:
//! reads give null and writes a typed error, never a panic.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use wasm_session_manager::core::cookie::CookieOptions;
use wasm_session_manager::core::storage::StorageAdapter;
use wasm_session_manager::web::cookie_storage::CookieStorage;
use wasm_session_manager::web::web_storage::{WebStorage, WebStorageKind};
use wasm_session_manager::Error;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn web_storage_in_a_worker() {
    for kind in [WebStorageKind::Local, WebStorageKind::Session] {
        let s = WebStorage::new(kind);
        assert_eq!(s.get("k").await, Ok(None));
        assert!(matches!(
            s.set("k", "v").await,
            Err(Error::StorageUnavailable(_))
        ));
        assert!(matches!(
            s.remove("k").await,
            Err(Error::StorageUnavailable(_))
        ));
    }
}

#[wasm_bindgen_test]
async fn cookies_in_a_worker() {
    let c = CookieStorage::new(CookieOptions::default()).unwrap();
    assert_eq!(c.get("k").await, Ok(None));
    assert!(matches!(
        c.set("k", "v").await,
        Err(Error::StorageUnavailable(_))
    ));
}
