//! Storage keys and session-id normalisation (PROTOCOL.md §1, §3).
#![cfg(not(target_arch = "wasm32"))]

use wasm_session_manager::core::keys::{normalize_session_id, Slot, StorageKeys};
use wasm_session_manager::Error;

#[test]
fn storage_keys_use_the_prefix() {
    let keys = StorageKeys::default();
    let names: Vec<String> = Slot::ALL.iter().map(|s| keys.key(*s)).collect();
    assert_eq!(
        names,
        [
            "w3a:session_id",
            "w3a:access_token",
            "w3a:refresh_token",
            "w3a:id_token"
        ]
    );
    assert_eq!(keys.lock_name(), "w3a:session-refresh");
    let custom = StorageKeys::new("app");
    assert_eq!(custom.key(Slot::RefreshToken), "app:refresh_token");
    assert_eq!(custom.lock_name(), "app:session-refresh");
    assert_eq!(StorageKeys::new("").prefix(), "w3a");
}

#[test]
fn session_id_normalisation_table() {
    let z = |n: usize| "0".repeat(n);
    let full = "ab".repeat(32);
    let cases: Vec<(String, String)> = vec![
        ("1".into(), format!("0x{}1", z(63))),
        ("0x1".into(), format!("0x{}1", z(63))),
        ("0X1".into(), format!("0x{}1", z(63))),
        ("0xAbCd".into(), format!("0x{}AbCd", z(60))),
        (full.clone(), format!("0x{full}")),
        (format!("0x{full}"), format!("0x{full}")),
        // longer than 64: the leftmost 64 are kept
        (format!("{full}ff"), format!("0x{full}")),
        (
            format!("0x{}1234", "F".repeat(64)),
            format!("0x{}", "F".repeat(64)),
        ),
        ("00".into(), format!("0x{}", z(64))),
    ];
    for (input, want) in cases {
        assert_eq!(
            normalize_session_id(&input).as_deref(),
            Ok(want.as_str()),
            "input {input:?}"
        );
    }
}

#[test]
fn session_id_rejections_keep_the_original_message() {
    for bad in [
        "", "0x", "ZZ", "0xZZ", " ab", "ab ", "a b", "0x-1", "xx12", "0xab\n", "１２",
    ] {
        let err = normalize_session_id(bad).unwrap_err();
        assert_eq!(err, Error::InvalidSessionId, "input {bad:?}");
        assert_eq!(err.to_string(), "Session id must be a hex string");
    }
}
