//! StorageManager option resolution (PROTOCOL.md §7): the original's defaults and falsy fallbacks,
//! and validation, on the core's `StorageManagerOptions` as the bindings fill it in. How a JS object
//! becomes that struct (names, aliases, wrong types) is the browser's part: tests/web_options.rs
//! drives the shipped reader with real JS values.
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

use wasm_session_manager::core::metadata::options::{ResolvedOptions, DEFAULT_SESSION_TIME};
use wasm_session_manager::core::metadata::{AllowedOrigin, Scheme, StorageManagerOptions};
use wasm_session_manager::Error;

fn base() -> StorageManagerOptions {
    StorageManagerOptions {
        session_server_base_url: "https://s.example".into(),
        ..Default::default()
    }
}

#[test]
fn defaults() {
    let r = base().resolve().unwrap();
    assert_eq!(
        r,
        ResolvedOptions {
            base_url: "https://s.example".into(),
            namespace: None,
            session_time: 86_400,
            session_id: None,
            allowed_origin: AllowedOrigin::Origin("*".into()),
            use_local_storage: false,
            scheme: Scheme::Ecies,
        }
    );
    // The original's one day, written out rather than read from the constant under test.
    assert_eq!(DEFAULT_SESSION_TIME, 86_400);
}

#[test]
fn every_field_is_carried() {
    let r = StorageManagerOptions {
        session_server_base_url: "https://s".into(),
        session_namespace: Some("ns".into()),
        session_time: Some(60),
        session_id: Some("0xAB".into()),
        allowed_origin: Some(AllowedOrigin::Origin("https://app.example".into())),
        use_local_storage: true,
        scheme: Scheme::AesGcm,
    }
    .resolve()
    .unwrap();
    assert_eq!(
        r,
        ResolvedOptions {
            base_url: "https://s".into(),
            namespace: Some("ns".into()),
            session_time: 60,
            session_id: Some(
                "0x00000000000000000000000000000000000000000000000000000000000000AB".into()
            ),
            allowed_origin: AllowedOrigin::Origin("https://app.example".into()),
            use_local_storage: true,
            scheme: Scheme::AesGcm,
        }
    );
}

#[test]
fn falsy_values_fall_back_like_the_original() {
    // `if (sessionNamespace)`, `if (sessionTime)`, `if (sessionId)`, `if (allowedOrigin) … else "*"`.
    let r = StorageManagerOptions {
        session_namespace: Some(String::new()),
        session_time: Some(0),
        session_id: Some(String::new()),
        allowed_origin: Some(AllowedOrigin::Bool(false)),
        ..base()
    }
    .resolve()
    .unwrap();
    assert_eq!(r.namespace, None);
    assert_eq!(r.session_time, 86_400);
    assert_eq!(r.session_id, None);
    assert_eq!(r.allowed_origin, AllowedOrigin::Origin("*".into()));
    for (given, sent) in [
        (
            AllowedOrigin::Origin(String::new()),
            AllowedOrigin::Origin("*".into()),
        ),
        (AllowedOrigin::Bool(true), AllowedOrigin::Bool(true)),
        (
            AllowedOrigin::Origin("*".into()),
            AllowedOrigin::Origin("*".into()),
        ),
    ] {
        let r = StorageManagerOptions {
            allowed_origin: Some(given.clone()),
            ..base()
        }
        .resolve()
        .unwrap();
        assert_eq!(r.allowed_origin, sent, "{given:?}");
    }
}

#[test]
fn validation() {
    assert_eq!(
        StorageManagerOptions::default().resolve(),
        Err(Error::InvalidOption(
            "sessionServerBaseUrl is required".into()
        ))
    );
    for bad in ["0xnothex", "0x", "12 34"] {
        assert_eq!(
            StorageManagerOptions {
                session_id: Some(bad.into()),
                ..base()
            }
            .resolve(),
            Err(Error::InvalidSessionId),
            "{bad}"
        );
    }
}
