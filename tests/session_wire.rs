//! The refresh and logout requests byte for byte (PROTOCOL.md §4), `setTokens`, options.
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::rc::Rc;

use support::*;
use wasm_session_manager::core::keys::{Slot, StorageKeys};
use wasm_session_manager::core::session::{
    SessionManager, SessionOptions, SessionSlots, TokensInput,
};
use wasm_session_manager::core::storage::MemoryStorage;
use wasm_session_manager::core::transport::{HttpRequest, Method};
use wasm_session_manager::Error;

fn ok_answer() -> FakeTransport {
    FakeTransport::fixed(Ok(response(
        200,
        r#"{"access_token":"new-at","refresh_token":"new-rt","session_data":""}"#,
    )))
}

fn expect_request(req: &HttpRequest, url: &str, bearer: Option<&str>, body: &str) {
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, url);
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    if let Some(at) = bearer {
        headers.push(("Authorization".to_owned(), format!("Bearer {at}")));
    }
    assert_eq!(req.headers, headers);
    assert_eq!(req.body.as_deref(), Some(body));
}

#[test]
fn refresh_request_bytes() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, None, Some("at-1"), Some("rt-1"));
    let transport = ok_answer();
    let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
    exec.block_on(m.ensure_refresh(false)).unwrap();
    let reqs = transport.requests();
    assert_eq!(reqs.len(), 1);
    expect_request(
        &reqs[0],
        REFRESH_URL,
        Some("at-1"),
        r#"{"refresh_token":"rt-1"}"#,
    );
    assert_eq!(
        reqs[0].timeout_ms,
        Some(10_000),
        "refreshes time out by default"
    );
    // Committed (the refresh token first: see session_state.rs).
    assert_eq!(
        stored(&storage, Slot::AccessToken).as_deref(),
        Some("new-at")
    );
    assert_eq!(
        stored(&storage, Slot::RefreshToken).as_deref(),
        Some("new-rt")
    );
}

#[test]
fn refresh_without_tokens_is_the_originals_expired_error_and_sends_nothing() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    let transport = ok_answer();
    let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
    let e = exec.block_on(m.ensure_refresh(false)).unwrap_err();
    assert_eq!(e.code(), "EXPIRED");
    assert_eq!(e.to_string(), "No access token or refresh token available");
    assert_eq!(transport.calls(), 0);
}

#[test]
fn refresh_with_only_access_token_sends_empty_object() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, None, Some("at-only"), None);
    let transport = ok_answer();
    let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
    exec.block_on(m.ensure_refresh(false)).unwrap();
    expect_request(&transport.requests()[0], REFRESH_URL, Some("at-only"), "{}");
}

#[test]
fn custom_endpoints_prefix_and_timeout() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    let options = SessionOptions {
        sessions_endpoint: "auth/refresh".into(),
        logout_endpoint: "auth/out".into(),
        timeout_ms: Some(1500),
        storage_key_prefix: "app".into(),
        ..SessionOptions::new("https://api.example/")
    };
    assert_eq!(options.lock_wait_ms, 10_000);
    let keys = options.keys();
    storage.set_now("app:refresh_token", "rt-app");
    let transport = ok_answer();
    let lock = FakeLock::new();
    let m = SessionManager::new(
        options,
        SessionSlots::uniform(keys, storage.clone()),
        transport.clone(),
        lock.clone(),
        FakeClock::new(),
    );
    exec.block_on(m.ensure_refresh(false)).unwrap();
    exec.block_on(m.logout()).unwrap();
    let reqs = transport.requests();
    expect_request(
        &reqs[0],
        "https://api.example/auth/refresh",
        None,
        r#"{"refresh_token":"rt-app"}"#,
    );
    assert_eq!(reqs[0].timeout_ms, Some(1500));
    expect_request(
        &reqs[1],
        "https://api.example/auth/out",
        Some("new-at"),
        r#"{"refresh_token":"new-rt"}"#,
    );
    assert_eq!(reqs[1].timeout_ms, Some(1500));
    // The refresh and the logout each ran under the prefix's lock.
    assert_eq!(
        lock.names(),
        vec![
            "app:session-refresh".to_owned(),
            "app:session-refresh".to_owned()
        ]
    );
    assert!(storage.get_now("app:access_token").is_none());
}

#[test]
fn options_defaults_and_validation() {
    let o = SessionOptions::new("https://a");
    assert_eq!(o.refresh_url().unwrap(), "https://a/v1/auth/session");
    assert_eq!(o.logout_url().unwrap(), "https://a/v1/auth/logout");
    assert_eq!(o.timeout_ms, None);
    assert_eq!(
        o.request_timeout_ms(),
        10_000,
        "refresh and logout time out by default"
    );
    assert_eq!(o.lock_wait_ms, 10_000);
    assert_eq!(o.keys(), StorageKeys::default());
    assert!(o.validate().is_ok());
    assert!(matches!(
        SessionOptions::new(" ").validate(),
        Err(Error::InvalidOption(_))
    ));
    // No apiClientConfig: the original's AuthError INVALID, word for word.
    let none = SessionOptions::without_api();
    assert!(none.validate().is_ok());
    let e = none.refresh_url().unwrap_err();
    assert_eq!(e.code(), "INVALID");
    assert_eq!(e.name(), "AuthError");
    assert_eq!(
        e.to_string(),
        "apiClientConfig is required for API operations"
    );
}

#[test]
fn logout_request_bytes_and_clear() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some("0x01"), Some("at-1"), Some("rt-1"));
    storage.set_now("w3a:id_token", "idt");
    let transport = FakeTransport::fixed(Ok(response(200, "{}")));
    let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
    exec.block_on(m.logout()).unwrap();
    let reqs = transport.requests();
    assert_eq!(reqs.len(), 1);
    expect_request(
        &reqs[0],
        LOGOUT_URL,
        Some("at-1"),
        r#"{"refresh_token":"rt-1"}"#,
    );
    for slot in Slot::ALL {
        assert_eq!(stored(&storage, slot), None, "{slot:?} cleared");
    }
    assert!(!m.is_authenticated());
}

#[test]
fn logout_clears_whatever_the_server_answers() {
    for answer in [
        Err(Error::Network("connection reset".into())),
        Ok(response(500, "{}")),
        Ok(response(401, r#"{"error":"invalid_grant"}"#)),
    ] {
        let mut exec = Exec::new();
        let storage = Rc::new(MemoryStorage::new());
        seed(&storage, Some("0x01"), Some("at-1"), Some("rt-1"));
        let transport = FakeTransport::fixed(answer);
        let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
        exec.block_on(m.logout()).unwrap();
        assert_eq!(transport.calls(), 1);
        assert!(storage.get_now("w3a:session_id").is_none());
        assert!(storage.get_now("w3a:refresh_token").is_none());
        assert!(!m.is_authenticated());
        assert_eq!(m.state().access_token, None);
    }
}

#[test]
fn logout_supersedes_a_refresh_in_flight_and_revokes_the_stored_tokens() {
    // The original waits for the refresh and then logs out; here logout aborts it (its request is
    // cancelled and its answer can never be committed) and logs out with the stored tokens at once.
    let World {
        mut exec,
        clock,
        transport,
        storage,
        server,
        ..
    } = World::new("{}");
    let m = manager(&storage, &transport, &FakeLock::new(), &clock);
    let refresh_gate = transport.gate_for(REFRESH_URL);
    let refresh = {
        let m = m.clone();
        exec.spawn(async move { m.ensure_refresh(false).await })
    };
    exec.run_until_stalled();
    assert!(m.is_refreshing());
    let rt = server.refresh();
    let logout = {
        let m = m.clone();
        exec.spawn(async move { m.logout().await })
    };
    exec.run_until_stalled();
    assert_eq!(take(&logout), Ok(()));
    assert_eq!(code(&take(&refresh)), "SESSION_EXPIRED");
    let reqs = transport.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].url, LOGOUT_URL);
    assert_eq!(
        reqs[1].body.as_deref(),
        Some(format!(r#"{{"refresh_token":"{rt}"}}"#).as_str())
    );
    assert_eq!(server.refreshes(), 0, "the refresh request was cancelled");
    assert_eq!(server.logouts(), 1);
    // Even if the held refresh answer is let through now, nothing is written.
    refresh_gate.open();
    exec.run_until_stalled();
    for slot in Slot::ALL {
        assert_eq!(stored(&storage, slot), None);
    }
    assert!(!m.is_authenticated());
}

#[test]
fn set_tokens_writes_only_non_empty_values() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, None, Some("old-at"), Some("old-rt"));
    let transport = ok_answer();
    let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
    exec.block_on(m.set_tokens(TokensInput {
        session_id: Some("0xAb".into()),
        access_token: Some(String::new()),
        refresh_token: None,
        id_token: Some("idt".into()),
    }))
    .unwrap();
    let normalized = format!("0x{}Ab", "0".repeat(62));
    assert_eq!(stored(&storage, Slot::SessionId), Some(normalized.clone()));
    assert_eq!(
        stored(&storage, Slot::AccessToken).as_deref(),
        Some("old-at")
    );
    assert_eq!(
        stored(&storage, Slot::RefreshToken).as_deref(),
        Some("old-rt")
    );
    assert_eq!(stored(&storage, Slot::IdToken).as_deref(), Some("idt"));
    assert_eq!(exec.block_on(m.get_session_id()), Ok(Some(normalized)));
    assert_eq!(exec.block_on(m.get_id_token()), Ok(Some("idt".into())));
    assert_eq!(
        exec.block_on(m.get_refresh_token()),
        Ok(Some("old-rt".into()))
    );
    assert_eq!(
        exec.block_on(m.get_access_token()),
        Ok(Some("old-at".into()))
    );
    assert_eq!(transport.calls(), 0);
    // set_tokens alone does not make the manager authenticated.
    assert!(!m.is_authenticated());
}

#[test]
fn set_tokens_rejects_an_invalid_session_id_and_writes_nothing() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    let m = manager(&storage, &ok_answer(), &FakeLock::new(), &FakeClock::new());
    let r = exec.block_on(m.set_tokens(TokensInput {
        session_id: Some("0xnot-hex".into()),
        access_token: Some("at".into()),
        ..TokensInput::default()
    }));
    assert_eq!(r, Err(Error::InvalidSessionId));
    assert_eq!(stored(&storage, Slot::AccessToken), None);
}

#[test]
fn empty_stored_values_read_as_none() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some(""), Some(""), Some(""));
    let m = manager(&storage, &ok_answer(), &FakeLock::new(), &FakeClock::new());
    assert_eq!(exec.block_on(m.get_access_token()), Ok(None));
    assert_eq!(exec.block_on(m.get_session_id()), Ok(None));
}

#[test]
fn access_token_provider_replaces_reads() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, None, Some("stored-at"), Some("rt"));
    let transport = ok_answer();
    let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new())
        .with_access_token_provider(Rc::new(|| {
            Box::pin(async { Ok(Some("provided-at".to_owned())) })
        }));
    assert_eq!(
        exec.block_on(m.get_access_token()),
        Ok(Some("provided-at".into()))
    );
    assert_eq!(
        exec.block_on(m.current_access_token()),
        Ok(Some("provided-at".into()))
    );
    exec.block_on(m.ensure_refresh(false)).unwrap();
    expect_request(
        &transport.requests()[0],
        REFRESH_URL,
        Some("provided-at"),
        r#"{"refresh_token":"rt"}"#,
    );
}
