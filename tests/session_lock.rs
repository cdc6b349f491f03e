//! The cross-tab lock: bounded wait, exclusion, and a timeout that damages nothing.
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::rc::Rc;

use support::*;
use wasm_session_manager::core::keys::Slot;
use wasm_session_manager::core::lock::NoLock;
use wasm_session_manager::core::session::{
    RefreshOutcome, SessionManager, SessionOptions, SessionSlots,
};
use wasm_session_manager::core::storage::MemoryStorage;
use wasm_session_manager::Error;

#[test]
fn a_lock_timeout_leaves_everything_intact() {
    let World {
        mut exec,
        clock,
        transport,
        storage,
        ..
    } = World::new("{}");
    let lock = FakeLock::new();
    let m = manager(&storage, &transport, &lock, &clock);
    // An authenticated session first.
    exec.block_on(m.ensure_refresh(false)).unwrap();
    let before: Vec<_> = Slot::ALL.iter().map(|s| stored(&storage, *s)).collect();
    let state_before = m.state();

    // A frozen tab holds the lock.
    let guard = lock.try_hold().unwrap();
    let waiting: Vec<_> = (0..5)
        .map(|_| {
            let m = m.clone();
            exec.spawn(async move { m.ensure_refresh(true).await })
        })
        .collect();
    exec.run_until_stalled();
    assert!(m.is_refreshing());
    assert_eq!(transport.calls(), 1, "nothing sent while waiting");
    lock.expire_waits();
    exec.run_until_stalled();
    for w in &waiting {
        let r = take(w);
        assert_eq!(r, Err(Error::LockTimeout("w3a:session-refresh".into())));
        assert_eq!(code(&r), "LOCK_TIMEOUT");
    }
    assert!(!m.is_refreshing(), "the flight is over");
    let after: Vec<_> = Slot::ALL.iter().map(|s| stored(&storage, *s)).collect();
    assert_eq!(before, after);
    assert_eq!(m.state(), state_before);
    assert!(m.is_authenticated());
    assert_eq!(transport.calls(), 1);

    // authorize gives the typed error too, and nothing is cleared.
    let r = exec.block_on(m.authorize());
    assert_eq!(code(&r), "LOCK_TIMEOUT");
    assert!(stored(&storage, Slot::SessionId).is_some());
    drop(guard);
}

#[test]
fn a_refresh_waits_for_a_lock_another_tab_holds() {
    let World {
        mut exec,
        clock,
        transport,
        storage,
        ..
    } = World::new("{}");
    let lock = FakeLock::new();
    let m = manager(&storage, &transport, &lock, &clock);
    let guard = lock.try_hold().unwrap();
    let r = {
        let m = m.clone();
        exec.spawn(async move { m.ensure_refresh(false).await })
    };
    exec.run_until_stalled();
    assert_eq!(transport.calls(), 0);
    drop(guard);
    exec.run_until_stalled();
    assert!(matches!(take(&r), Ok(RefreshOutcome::Refreshed { .. })));
    assert_eq!(transport.calls(), 1);
}

#[test]
fn lock_wait_bound_comes_from_the_options() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    let transport = FakeTransport::fixed(Ok(response(200, r#"{"access_token":"a"}"#)));
    let lock = FakeLock::new();
    let mut options = SessionOptions::new(BASE);
    options.lock_wait_ms = 250;
    seed(&storage, Some("0x01"), Some("at"), Some("rt"));
    let slots = SessionSlots::uniform(options.keys(), storage.clone());
    let m = SessionManager::new(options, slots, transport, lock.clone(), FakeClock::new());
    exec.block_on(m.ensure_refresh(false)).unwrap();
    assert_eq!(lock.waits(), vec![250]);
}

#[test]
fn without_a_cross_tab_lock_the_tab_still_sends_one_refresh() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some("0x01"), Some("at"), Some("rt"));
    let transport = FakeTransport::fixed(Ok(response(
        200,
        r#"{"access_token":"a2","refresh_token":"r2"}"#,
    )));
    let options = SessionOptions::new(BASE);
    let slots = SessionSlots::uniform(options.keys(), storage.clone());
    let m = SessionManager::new(options, slots, transport.clone(), NoLock, FakeClock::new());
    transport.hold();
    let results: Vec<_> = (0..10)
        .map(|_| {
            let m = m.clone();
            exec.spawn(async move { m.ensure_refresh(true).await })
        })
        .collect();
    exec.run_until_stalled();
    transport.release();
    exec.run_until_stalled();
    assert_eq!(transport.calls(), 1);
    assert!(results.iter().all(|r| take(r).is_ok()));
    assert_eq!(stored(&storage, Slot::RefreshToken).as_deref(), Some("r2"));
}
