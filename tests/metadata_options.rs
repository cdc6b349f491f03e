//! StorageManager options (PROTOCOL.md §7): camelCase names, the original's defaults, validation.

use wasm_session_manager::core::metadata::options::{ResolvedOptions, DEFAULT_SESSION_TIME};
use wasm_session_manager::core::metadata::{AllowedOrigin, Scheme, StorageManagerOptions};
use wasm_session_manager::Error;

fn resolve(json: &str) -> Result<ResolvedOptions, Error> {
    let opts: StorageManagerOptions = serde_json::from_str(json).unwrap();
    opts.resolve()
}

#[test]
fn defaults() {
    let r = resolve(r#"{"sessionServerBaseUrl":"https://s.example"}"#).unwrap();
    assert_eq!(
        r,
        ResolvedOptions {
            base_url: "https://s.example".into(),
            namespace: None,
            session_time: DEFAULT_SESSION_TIME,
            session_id: None,
            allowed_origin: AllowedOrigin::Origin("*".into()),
            use_local_storage: false,
            scheme: Scheme::Ecies,
        }
    );
    assert_eq!(DEFAULT_SESSION_TIME, 86_400);
}

#[test]
fn all_fields_camel_case() {
    let r = resolve(
        r#"{"sessionServerBaseUrl":"https://s","sessionNamespace":"ns","sessionTime":60,
            "sessionId":"0xAB","allowedOrigin":"https://app.example","useLocalStorage":true,
            "scheme":"aes-gcm","somethingElse":1}"#,
    )
    .unwrap();
    assert_eq!(r.namespace.as_deref(), Some("ns"));
    assert_eq!(r.session_time, 60);
    assert_eq!(r.session_id, Some(format!("0x{}AB", "0".repeat(62))));
    assert_eq!(
        r.allowed_origin,
        AllowedOrigin::Origin("https://app.example".into())
    );
    assert!(r.use_local_storage);
    assert_eq!(r.scheme, Scheme::AesGcm);
}

#[test]
fn falsy_values_fall_back_like_the_original() {
    // `if (sessionNamespace)`, `if (sessionTime)`, `if (sessionId)`, `if (allowedOrigin) … else "*"`.
    let r = resolve(
        r#"{"sessionServerBaseUrl":"u","sessionNamespace":"","sessionTime":0,"sessionId":"",
            "allowedOrigin":false}"#,
    )
    .unwrap();
    assert_eq!(r.namespace, None);
    assert_eq!(r.session_time, DEFAULT_SESSION_TIME);
    assert_eq!(r.session_id, None);
    assert_eq!(r.allowed_origin, AllowedOrigin::Origin("*".into()));
    let r = resolve(r#"{"sessionServerBaseUrl":"u","allowedOrigin":""}"#).unwrap();
    assert_eq!(r.allowed_origin, AllowedOrigin::Origin("*".into()));
    let r = resolve(r#"{"sessionServerBaseUrl":"u","allowedOrigin":true}"#).unwrap();
    assert_eq!(r.allowed_origin, AllowedOrigin::Bool(true));
    let r =
        resolve(r#"{"sessionServerBaseUrl":"u","allowedOrigin":null,"sessionTime":null}"#).unwrap();
    assert_eq!(r.allowed_origin, AllowedOrigin::Origin("*".into()));
}

#[test]
fn validation() {
    assert!(matches!(resolve("{}"), Err(Error::InvalidOption(_))));
    assert_eq!(
        resolve(r#"{"sessionServerBaseUrl":"u","sessionId":"0xnothex"}"#),
        Err(Error::InvalidSessionId)
    );
    assert!(serde_json::from_str::<StorageManagerOptions>(r#"{"scheme":"rot13"}"#).is_err());
    assert!(serde_json::from_str::<StorageManagerOptions>(r#"{"sessionTime":-1}"#).is_err());
}

#[test]
fn allowed_origin_serialises_as_the_js_value() {
    assert_eq!(
        serde_json::to_string(&AllowedOrigin::Bool(true)).unwrap(),
        "true"
    );
    assert_eq!(
        serde_json::to_string(&AllowedOrigin::Origin("*".into())).unwrap(),
        r#""*""#
    );
}
