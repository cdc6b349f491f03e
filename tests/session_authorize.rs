//! `authorize()`: decrypting session_data, and what each failure leaves behind.
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::rc::Rc;

use support::*;
use wasm_session_manager::core::crypto::{ecies, SessionKey};
use wasm_session_manager::core::keys::Slot;
use wasm_session_manager::core::session::RefreshOutcome;
use wasm_session_manager::core::storage::MemoryStorage;

const DATA: &str = r#"{"user":"alice","n":1}"#;

fn answer_with(session_data: Option<&str>) -> String {
    serde_json::json!({
        "access_token": "at-2",
        "refresh_token": "rt-2",
        "session_data": session_data,
    })
    .to_string()
}

fn setup(answer: String) -> (Exec, Rc<MemoryStorage>, FakeTransport, Manager, SessionKey) {
    let key = SessionKey::generate();
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some(&key.to_hex()), Some("at-1"), Some("rt-1"));
    let transport = FakeTransport::fixed(Ok(response(200, &answer)));
    let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
    (Exec::new(), storage, transport, m, key)
}

/// A session_data that does not decrypt ends the session, as the original does: cleared, `null`.
fn assert_ended(exec: &mut Exec, storage: &MemoryStorage, m: &Manager) {
    let r = exec.block_on(m.authorize());
    assert_eq!(r, Ok(None));
    for slot in Slot::ALL {
        assert_eq!(stored(storage, slot), None, "{slot:?} cleared");
    }
    assert!(!m.is_authenticated());
}

fn assert_tokens_kept(storage: &MemoryStorage) {
    assert!(stored(storage, Slot::SessionId).is_some());
    assert_eq!(stored(storage, Slot::AccessToken).as_deref(), Some("at-2"));
    assert_eq!(stored(storage, Slot::RefreshToken).as_deref(), Some("rt-2"));
}

#[test]
fn authorize_returns_the_decrypted_session_data() {
    let key = SessionKey::generate();
    let data = ecies::encrypt(&key.public_key().unwrap(), DATA.as_bytes()).to_json();
    let storage = Rc::new(MemoryStorage::new());
    // A short session id is normalised on write and still names the same key.
    let transport = FakeTransport::fixed(Ok(response(200, &answer_with(Some(&data)))));
    let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
    let mut exec = Exec::new();
    exec.block_on(
        m.set_tokens(wasm_session_manager::core::session::TokensInput {
            session_id: Some(key.to_hex()),
            refresh_token: Some("rt-1".into()),
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(!m.is_authenticated());
    assert_eq!(exec.block_on(m.authorize()), Ok(Some(DATA.to_owned())));
    assert!(m.is_authenticated());
    assert_eq!(transport.calls(), 1);
    assert_tokens_kept(&storage);
    let state = m.state();
    assert_eq!(state.access_token.as_deref(), Some("at-2"));
    assert_eq!(state.refresh_token.as_deref(), Some("rt-2"));
    assert!(!state.is_refreshing);
}

#[test]
fn authorize_accepts_session_data_as_an_object() {
    let key = SessionKey::generate();
    let data = ecies::encrypt(&key.public_key().unwrap(), DATA.as_bytes()).to_json();
    let body = format!(r#"{{"access_token":"at-2","refresh_token":"rt-2","session_data":{data}}}"#);
    let (mut exec, storage, _, m, _) = setup(body);
    storage.set_now("w3a:session_id", &key.to_hex());
    assert_eq!(exec.block_on(m.authorize()), Ok(Some(DATA.to_owned())));
}

#[test]
fn authorize_without_session_id_is_none_like_the_original() {
    // The original returns null (a first visit is "logged out"); rejecting would make every
    // `if (!(await authorize())) showLogin()` an unhandled rejection.
    let (mut exec, storage, transport, m, _) = setup(answer_with(None));
    storage.remove_now("w3a:session_id");
    assert_eq!(exec.block_on(m.authorize()), Ok(None));
    assert!(!m.is_authenticated());
    assert_eq!(transport.calls(), 0);
}

#[test]
fn authorize_without_tokens_is_unauthenticated_none() {
    let (mut exec, storage, transport, m, _) = setup(answer_with(None));
    storage.remove_now("w3a:access_token");
    storage.remove_now("w3a:refresh_token");
    assert_eq!(exec.block_on(m.authorize()), Ok(None));
    assert!(!m.is_authenticated());
    assert_eq!(transport.calls(), 0);
    assert!(
        stored(&storage, Slot::SessionId).is_some(),
        "nothing cleared"
    );
}

#[test]
fn authorize_with_only_an_access_token_refreshes() {
    let key = SessionKey::generate();
    let data = ecies::encrypt(&key.public_key().unwrap(), DATA.as_bytes()).to_json();
    let (mut exec, storage, transport, m, _) = setup(answer_with(Some(&data)));
    storage.set_now("w3a:session_id", &key.to_hex());
    storage.remove_now("w3a:refresh_token");
    assert_eq!(exec.block_on(m.authorize()), Ok(Some(DATA.to_owned())));
    assert_eq!(transport.requests()[0].body.as_deref(), Some("{}"));
}

#[test]
fn a_tampered_session_data_ends_the_session_like_the_original() {
    let key = SessionKey::generate();
    let mut payload = ecies::encrypt(&key.public_key().unwrap(), DATA.as_bytes());
    payload.ciphertext[0] ^= 1;
    let (mut exec, storage, _, m, _) = setup(answer_with(Some(&payload.to_json())));
    storage.set_now("w3a:session_id", &key.to_hex());
    assert_ended(&mut exec, &storage, &m);
}

#[test]
fn session_data_for_another_key_ends_the_session() {
    let other = SessionKey::generate();
    let data = ecies::encrypt(&other.public_key().unwrap(), DATA.as_bytes()).to_json();
    let (mut exec, storage, _, m, _) = setup(answer_with(Some(&data)));
    assert_ended(&mut exec, &storage, &m);
}

#[test]
fn garbage_or_missing_session_data_ends_the_session() {
    for data in [Some("not json"), Some(r#"{"iv":"00"}"#), None] {
        let (mut exec, storage, _, m, _) = setup(answer_with(data));
        assert_ended(&mut exec, &storage, &m);
    }
}

#[test]
fn decrypted_error_object_ends_the_session() {
    let key = SessionKey::generate();
    let data = ecies::encrypt(&key.public_key().unwrap(), br#"{"error":"session gone"}"#).to_json();
    let (mut exec, storage, _, m, _) = setup(answer_with(Some(&data)));
    storage.set_now("w3a:session_id", &key.to_hex());
    assert_ended(&mut exec, &storage, &m);
}

#[test]
fn a_stored_invalid_session_id_ends_the_session() {
    let (mut exec, storage, _, m, _) = setup(answer_with(Some("{}")));
    storage.set_now("w3a:session_id", "zz-not-hex");
    assert_ended(&mut exec, &storage, &m);
}

#[test]
fn a_refresh_overtaken_by_a_new_login_authorizes_the_new_login() {
    // authorize() is in flight for the old session when another tab (same storage, no lock taken,
    // as the original's setTokens) stores a new login. The old answer must not be committed over
    // it, and must not end it: authorize() goes round and authorizes the new login.
    let old = SessionKey::generate();
    let newer = SessionKey::generate();
    let old_data = ecies::encrypt(&old.public_key().unwrap(), DATA.as_bytes()).to_json();
    let new_data = ecies::encrypt(&newer.public_key().unwrap(), br#"{"user":"bob"}"#).to_json();
    let transport = FakeTransport::new(move |req| {
        let body = req.body.clone().unwrap_or_default();
        let answer = if body.contains("rt-new-login") {
            format!(
                r#"{{"access_token":"at-new-2","refresh_token":"rt-new-2","session_data":{new_data:?}}}"#
            )
        } else {
            format!(
                r#"{{"access_token":"at-old-2","refresh_token":"rt-old-2","session_data":{old_data:?}}}"#
            )
        };
        Ok(response(200, &answer))
    });
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some(&old.to_hex()), Some("at-1"), Some("rt-1"));
    let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
    let mut exec = Exec::new();
    transport.hold();
    let auth = {
        let m = m.clone();
        exec.spawn(async move { m.authorize().await })
    };
    exec.run_until_stalled();
    storage.set_now("w3a:session_id", &newer.to_hex());
    storage.set_now("w3a:access_token", "at-new-1");
    storage.set_now("w3a:refresh_token", "rt-new-login");
    transport.release();
    exec.run_until_stalled();
    assert_eq!(take(&auth), Ok(Some(r#"{"user":"bob"}"#.to_owned())));
    assert_eq!(
        stored(&storage, Slot::SessionId).as_deref(),
        Some(newer.to_hex().as_str())
    );
    assert_eq!(
        stored(&storage, Slot::RefreshToken).as_deref(),
        Some("rt-new-2"),
        "the old session's rotated tokens were never written"
    );
    assert_eq!(transport.calls(), 2);
}

#[test]
fn clear_session_data_clears_and_a_refresh_in_flight_does_not_resurrect_it() {
    let (mut exec, storage, transport, m, _) = setup(answer_with(None));
    transport.hold();
    let flight = {
        let m = m.clone();
        exec.spawn(async move { m.ensure_refresh(false).await })
    };
    exec.run_until_stalled();
    exec.block_on(m.clear_session_data()).unwrap();
    transport.release();
    exec.run_until_stalled();
    assert_eq!(code(&take(&flight)), "SESSION_EXPIRED");
    for slot in Slot::ALL {
        assert_eq!(stored(&storage, slot), None);
    }
    assert!(!m.is_authenticated());
    assert_eq!(m.state(), Default::default());
}

#[test]
fn state_reflects_a_refresh() {
    let (mut exec, _, _, m, _) = setup(answer_with(None));
    let outcome = exec.block_on(m.ensure_refresh(false));
    assert!(matches!(
        outcome,
        Ok(RefreshOutcome::Refreshed {
            session_data: None,
            session_id: Some(_)
        })
    ));
    let state = m.state();
    assert!(state.is_authenticated);
    assert_eq!(state.access_token.as_deref(), Some("at-2"));
    assert!(!state.is_refreshing);
}

/// Right after a refresh, the tokens in memory are the ones it committed (what `ensureRefresh()`
/// resolves to, with no storage read after it): the answer's, and the refresh token presented
/// when the answer has none.
#[test]
fn a_refresh_leaves_the_tokens_it_committed_in_memory() {
    let (mut exec, storage, _, m, _) = setup(answer_with(None));
    exec.block_on(m.ensure_refresh(false)).unwrap();
    assert_eq!(
        m.tokens_in_memory(),
        (Some("at-2".to_owned()), Some("rt-2".to_owned()))
    );
    assert_eq!(
        stored(&storage, Slot::RefreshToken).as_deref(),
        Some("rt-2")
    );

    let (mut exec, _, _, m, _) = setup(r#"{"access_token":"at-3"}"#.to_owned());
    exec.block_on(m.ensure_refresh(false)).unwrap();
    assert_eq!(
        m.tokens_in_memory(),
        (Some("at-3".to_owned()), Some("rt-1".to_owned()))
    );
}
