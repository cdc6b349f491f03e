//! The session state machine across tabs (`core::session::state`): every transition against a
//! refresh at each of its await points, in this tab and in another one, with and without the
//! cross-tab channel; commit order and storage fallback; events; backoff; the proactive refresh
//! under a skewed clock and after a sleep; bounded waits; dispose.
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::FutureExt;
use support::*;
use wasm_session_manager::core::clock::Clock;
use wasm_session_manager::core::crypto::{ecies, SessionKey};
use wasm_session_manager::core::keys::Slot;
use wasm_session_manager::core::session::{
    AuthEvent, Broadcast, Origin, RefreshOutcome, SessionManager, SessionOptions, SessionSlots,
    SyncMessage, TokensInput,
};
use wasm_session_manager::core::storage::MemoryStorage;
use wasm_session_manager::core::transport::HttpRequest;
use wasm_session_manager::{Error, Result};

const DATA: &str = r#"{"user":"alice"}"#;

/// What a spawned future gave, once it has finished.
type Spawned<T> = Rc<RefCell<Option<Result<T>>>>;

fn all_cleared(storage: &MemoryStorage) {
    for slot in Slot::ALL {
        assert_eq!(stored(storage, slot), None, "{slot:?} cleared");
    }
}

fn refresh_token_of(req: &HttpRequest) -> String {
    let body: serde_json::Value =
        serde_json::from_str(req.body.as_deref().unwrap_or("{}")).unwrap();
    body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

// ---------------------------------------------------------------------------------------------
// Defect 1: logout while a rotated answer is on its way.

#[test]
fn logout_in_another_tab_while_the_rotated_answer_is_on_its_way_sticks() {
    let mut w = World::new(DATA);
    let (hub, a, b) = w.two_synced_tabs();
    let a_events = record_events(&a);
    let held = w.transport.answer_gate_for(REFRESH_URL);
    let auth = {
        let a = a.clone();
        w.exec.spawn(async move { a.authorize().await })
    };
    w.exec.run_until_stalled();
    assert_eq!(
        w.server.refreshes(),
        1,
        "the server rotated; its answer is held"
    );
    let out = {
        let b = b.clone();
        w.exec.spawn(async move { b.logout().await })
    };
    w.exec.run_until_stalled();
    assert_eq!(take(&out), Ok(()));
    assert_eq!(
        take(&auth),
        Ok(None),
        "authorize gives null: the session is gone"
    );
    held.open();
    w.exec.run_until_stalled();
    all_cleared(&w.storage);
    assert!(!a.is_authenticated() && !b.is_authenticated());
    assert_eq!(a.state().refresh_token, None, "tab A holds no token");
    assert_eq!(w.server.logouts(), 1);
    let requests = w.transport.requests();
    assert_eq!(
        requests.last().map(|r| r.url.as_str()),
        Some(LOGOUT_URL),
        "nothing is sent after the logout"
    );
    assert!(a_events
        .borrow()
        .contains(&(AuthEvent::SignedOut, Origin::Remote)));
    assert_eq!(hub.posted()[0], SyncMessage::Supersede);
}

#[test]
fn a_logout_heard_before_the_cleared_storage_reaches_the_tab_sends_nothing_with_the_old_tokens() {
    // e2e defect 1, seen once: B's logout message reached A before B's cleared storage did. A's
    // authorize, superseded, went round, read the old tokens from its late view and refreshed with
    // them (a request with the ended session's tokens), then gave up ("kept changing").
    let mut w = World::new(DATA);
    let hub = Hub::new(&w.exec);
    let view = LaggingView::new(&w.storage);
    let a = w.tab_over(&view);
    let b = w.tab();
    hub.join(&a);
    hub.join(&b);
    let held = w.transport.answer_gate_for(REFRESH_URL);
    let auth = {
        let a = a.clone();
        w.exec.spawn(async move { a.authorize().await })
    };
    w.exec.run_until_stalled();
    assert_eq!(w.server.refreshes(), 1, "A's refresh is on its way");
    view.lag_all();
    let out = {
        let b = b.clone();
        w.exec.spawn(async move { b.logout().await })
    };
    w.exec.run_until_stalled();
    assert_eq!(take(&out), Ok(()));
    w.tick(5);
    let sent_after_logout = |w: &World| {
        let requests = w.transport.requests();
        let at = requests.iter().position(|r| r.url == LOGOUT_URL).unwrap();
        requests.len() - at - 1
    };
    assert_eq!(
        sent_after_logout(&w),
        0,
        "A waits for its view of the storage"
    );
    view.catch_up();
    w.tick(1);
    assert_eq!(
        take(&auth),
        Ok(None),
        "authorize gives null: the session is gone"
    );
    held.open();
    w.exec.run_until_stalled();
    assert_eq!(sent_after_logout(&w), 0);
    assert!(!a.is_authenticated());
}

#[test]
fn logout_without_the_channel_waits_for_the_lock_then_the_late_answer_is_dropped() {
    // Another tab that hears nothing (an original 5.6 tab, or no BroadcastChannel) holds the lock
    // for its refresh: the logout waits for the lock (bounded), then goes ahead; the late answer
    // finds the session changed and writes nothing.
    let mut w = World::new(DATA);
    let (a, b) = (w.tab(), w.tab());
    let held = w.transport.answer_gate_for(REFRESH_URL);
    let auth = {
        let a = a.clone();
        w.exec.spawn(async move { a.authorize().await })
    };
    w.exec.run_until_stalled();
    let out = {
        let b = b.clone();
        w.exec.spawn(async move { b.logout().await })
    };
    w.exec.run_until_stalled();
    assert!(out.borrow().is_none(), "logout waits for the lock");
    w.lock.expire_waits();
    w.exec.run_until_stalled();
    assert_eq!(take(&out), Ok(()));
    all_cleared(&w.storage);
    held.open();
    w.exec.run_until_stalled();
    assert_eq!(take(&auth), Ok(None));
    all_cleared(&w.storage);
    assert!(!a.is_authenticated());
}

#[test]
fn logout_first_then_a_refresh_in_another_tab_finds_nothing_to_send() {
    let mut w = World::new(DATA);
    let (_hub, a, b) = w.two_synced_tabs();
    let logout_gate = w.transport.gate_for(LOGOUT_URL);
    let out = {
        let b = b.clone();
        w.exec.spawn(async move { b.logout().await })
    };
    w.exec.run_until_stalled();
    let auth = {
        let a = a.clone();
        w.exec.spawn(async move { a.authorize().await })
    };
    w.exec.run_until_stalled();
    logout_gate.open();
    w.exec.run_until_stalled();
    assert_eq!(take(&out), Ok(()));
    assert_eq!(take(&auth), Ok(None));
    assert_eq!(w.server.refreshes(), 0, "no refresh after the logout began");
    all_cleared(&w.storage);
}

#[test]
fn logout_in_the_same_tab_cancels_its_refresh() {
    let mut w = World::new(DATA);
    let a = w.tab();
    let held = w.transport.answer_gate_for(REFRESH_URL);
    let auth = {
        let a = a.clone();
        w.exec.spawn(async move { a.authorize().await })
    };
    w.exec.run_until_stalled();
    w.exec.block_on(a.logout()).unwrap();
    held.open();
    w.exec.run_until_stalled();
    assert_eq!(take(&auth), Ok(None));
    all_cleared(&w.storage);
    assert!(!a.is_authenticated());
}

// ---------------------------------------------------------------------------------------------
// Defect 2: an older refresh never overwrites a newer login.

/// A transport for two logins: `rt-1…` belongs to the old session (key `old`), `rt-new…` to the
/// new one (key `new`); each refresh rotates within its session.
fn two_sessions(old: &SessionKey, new: &SessionKey) -> FakeTransport {
    let (old_pk, new_pk) = (old.public_key().unwrap(), new.public_key().unwrap());
    let serial = Cell::new(0);
    FakeTransport::new(move |req| {
        serial.set(serial.get() + 1);
        let n = serial.get();
        let rt = refresh_token_of(req);
        let (tag, pk, data) = if rt.starts_with("rt-new") {
            ("new", &new_pk, r#"{"user":"bob"}"#)
        } else {
            ("old", &old_pk, DATA)
        };
        let session_data = ecies::encrypt(pk, data.as_bytes()).to_json();
        let body = serde_json::json!({
            "access_token": jwt_in(900, &format!("at-{tag}-{n}")),
            "refresh_token": format!("rt-{tag}-{n}"),
            "session_data": session_data,
        });
        Ok(response(200, &body.to_string()))
    })
}

fn new_login(key: &SessionKey) -> TokensInput {
    TokensInput {
        session_id: Some(key.to_hex()),
        access_token: Some(jwt_in(900, "at-new-0")),
        refresh_token: Some("rt-new-0".into()),
        id_token: Some("id-new".into()),
    }
}

#[test]
fn set_tokens_during_an_old_refresh_keeps_the_new_login() {
    let (old, new) = (SessionKey::generate(), SessionKey::generate());
    let transport = two_sessions(&old, &new);
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some(&old.to_hex()), Some("at-1"), Some("rt-1"));
    let (lock, clock) = (FakeLock::new(), FakeClock::new());
    let a = manager(&storage, &transport, &lock, &clock);
    let mut exec = Exec::new();
    let held = transport.answer_gate_for(REFRESH_URL);
    let auth = {
        let a = a.clone();
        exec.spawn(async move { a.authorize().await })
    };
    exec.run_until_stalled();
    assert_eq!(
        transport.answered(),
        1,
        "the old session rotated on the server"
    );
    held.open();
    exec.block_on(a.set_tokens(new_login(&new))).unwrap();
    exec.run_until_stalled();
    // authorize() went round for the session stored now: the new login.
    assert_eq!(take(&auth), Ok(Some(r#"{"user":"bob"}"#.to_owned())));
    assert_eq!(
        stored(&storage, Slot::SessionId).as_deref(),
        Some(new.to_hex().as_str())
    );
    let rt = stored(&storage, Slot::RefreshToken).unwrap();
    assert!(
        rt.starts_with("rt-new-"),
        "{rt}: the old answer was never written"
    );
    assert_eq!(stored(&storage, Slot::IdToken).as_deref(), Some("id-new"));
    // And it keeps working: the next authorize decrypts with the new key.
    assert_eq!(
        exec.block_on(a.authorize()),
        Ok(Some(r#"{"user":"bob"}"#.to_owned()))
    );
}

#[test]
fn set_tokens_in_another_tab_during_a_refresh_keeps_the_new_login() {
    let (old, new) = (SessionKey::generate(), SessionKey::generate());
    let transport = two_sessions(&old, &new);
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some(&old.to_hex()), Some("at-1"), Some("rt-1"));
    let (lock, clock) = (FakeLock::new(), FakeClock::new());
    let mut exec = Exec::new();
    let hub = Hub::new(&exec);
    let (a, b) = (
        manager(&storage, &transport, &lock, &clock),
        manager(&storage, &transport, &lock, &clock),
    );
    hub.join(&a);
    hub.join(&b);
    let b_events = record_events(&b);
    let a_events = record_events(&a);
    let held = transport.answer_gate_for(REFRESH_URL);
    let auth = {
        let a = a.clone();
        exec.spawn(async move { a.authorize().await })
    };
    exec.run_until_stalled();
    exec.block_on(b.set_tokens(new_login(&new))).unwrap();
    held.open();
    exec.run_until_stalled();
    assert_eq!(take(&auth), Ok(Some(r#"{"user":"bob"}"#.to_owned())));
    let rt = stored(&storage, Slot::RefreshToken).unwrap();
    assert!(rt.starts_with("rt-new-"), "{rt}");
    assert_eq!(b_events.borrow()[0], (AuthEvent::SignedIn, Origin::Local));
    assert!(a_events
        .borrow()
        .contains(&(AuthEvent::SignedIn, Origin::Remote)));
}

#[test]
fn a_login_heard_before_the_new_session_reaches_the_tab_sends_nothing_with_the_old_tokens() {
    // As a logout's news (above), a login's can arrive before its writes: A's authorize, superseded,
    // must not go round with the old session its late view still shows.
    let (old, new) = (SessionKey::generate(), SessionKey::generate());
    let transport = two_sessions(&old, &new);
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some(&old.to_hex()), Some("at-1"), Some("rt-1"));
    let (lock, clock) = (FakeLock::new(), FakeClock::new());
    let mut exec = Exec::new();
    let hub = Hub::new(&exec);
    let view = LaggingView::new(&storage);
    let options = SessionOptions::new(BASE);
    let slots = SessionSlots::uniform(options.keys(), view.clone());
    let a = SessionManager::new(
        options,
        slots,
        transport.clone(),
        lock.clone(),
        clock.clone(),
    );
    let b = manager(&storage, &transport, &lock, &clock);
    hub.join(&a);
    hub.join(&b);
    let held = transport.answer_gate_for(REFRESH_URL);
    let auth = {
        let a = a.clone();
        exec.spawn(async move { a.authorize().await })
    };
    exec.run_until_stalled();
    view.lag_all();
    exec.block_on(b.set_tokens(new_login(&new))).unwrap();
    let old_sent = || {
        transport
            .requests()
            .iter()
            .filter(|r| refresh_token_of(r).starts_with("rt-1"))
            .count()
    };
    exec.tick(&clock, 5);
    assert_eq!(old_sent(), 1, "only the refresh sent before the login");
    view.catch_up();
    exec.tick(&clock, 1);
    held.open();
    exec.run_until_stalled();
    assert_eq!(take(&auth), Ok(Some(r#"{"user":"bob"}"#.to_owned())));
    assert_eq!(old_sent(), 1);
}

#[test]
fn clear_session_data_during_a_commit_wait_is_not_undone() {
    let mut w = World::new(DATA);
    let a = w.tab();
    let held = w.transport.answer_gate_for(REFRESH_URL);
    let flight = {
        let a = a.clone();
        w.exec.spawn(async move { a.ensure_refresh(true).await })
    };
    w.exec.run_until_stalled();
    w.exec.block_on(a.clear_session_data()).unwrap();
    held.open();
    w.exec.run_until_stalled();
    assert_eq!(code(&take(&flight)), "SESSION_EXPIRED");
    all_cleared(&w.storage);
}

// ---------------------------------------------------------------------------------------------
// A terminal answer clears only the session it was about.

#[test]
fn a_terminal_401_does_not_clear_a_newer_refresh_token_stored_meanwhile() {
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some("0x01"), Some("at-1"), Some("rt-1"));
    let transport = FakeTransport::new(|req| {
        if refresh_token_of(req) == "rt-newer" {
            Ok(response(
                200,
                r#"{"access_token":"at-3","refresh_token":"rt-3"}"#,
            ))
        } else {
            Ok(response(401, r#"{"error":"invalid_grant"}"#))
        }
    });
    let a = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
    let mut exec = Exec::new();
    let gate = transport.gate_for(REFRESH_URL);
    let flight = {
        let a = a.clone();
        exec.spawn(async move { a.ensure_refresh(false).await })
    };
    exec.run_until_stalled();
    // An original tab (no lock, no message) stores a newer refresh token meanwhile.
    storage.set_now("w3a:refresh_token", "rt-newer");
    gate.open();
    exec.run_until_stalled();
    assert!(take(&flight).is_ok(), "went round with the newer token");
    assert_eq!(stored(&storage, Slot::SessionId).as_deref(), Some("0x01"));
    assert_eq!(
        stored(&storage, Slot::RefreshToken).as_deref(),
        Some("rt-3")
    );
    assert_eq!(
        transport
            .requests()
            .iter()
            .map(refresh_token_of)
            .collect::<Vec<_>>(),
        ["rt-1", "rt-newer"]
    );
}

// ---------------------------------------------------------------------------------------------
// Another tab's rotation seen half-way: the refresh token (a cookie) before the access token
// (localStorage), as Chromium carries them to other renderer processes separately.

/// Tabs A and B, B seeing the storage through a [`LaggingView`], connected by `connect`; B has
/// refreshed once, so it holds the current pair.
fn tabs_b_lagging(
    w: &mut World,
    connect: impl FnOnce(&Manager, &Manager),
) -> (Manager, Manager, Rc<LaggingView>) {
    let a = w.tab();
    let view = LaggingView::new(&w.storage);
    let b = w.tab_over(&view);
    connect(&a, &b);
    w.exec.block_on(b.ensure_refresh(false)).unwrap();
    w.exec.run_until_stalled();
    assert_eq!(w.server.refreshes(), 1);
    (a, b, view)
}

/// [`tabs_b_lagging`] on one channel.
fn synced_tabs_b_lagging(w: &mut World) -> (Hub, Manager, Manager, Rc<LaggingView>) {
    let hub = Hub::new(&w.exec);
    let (a, b, view) = tabs_b_lagging(w, |a, b| {
        hub.join(a);
        hub.join(b);
    });
    (hub, a, b, view)
}

#[test]
fn a_sync_message_ahead_of_the_access_token_does_not_make_the_tab_refresh_again() {
    let mut w = World::new(DATA);
    let (_hub, a, b, view) = synced_tabs_b_lagging(&mut w);
    assert_eq!(w.server.refreshes(), 1);
    // A rotates; B hears of it (TOKEN_REFRESHED) before A's access token reaches B's view.
    view.lag(Slot::AccessToken);
    w.exec.block_on(a.ensure_refresh(false)).unwrap();
    w.exec.run_until_stalled();
    assert_eq!(w.server.refreshes(), 2);
    // B's proactive timer (or a 401) asks for a refresh now.
    let flight = {
        let b = b.clone();
        w.exec.spawn(async move { b.ensure_refresh(true).await })
    };
    w.exec.run_until_stalled();
    w.clock.advance_ms(200);
    w.exec.run_until_stalled();
    assert_eq!(
        w.server.refreshes(),
        2,
        "B does not send the new refresh token with the old access token"
    );
    b_catches_up_and_adopts(&mut w, &view, &flight);
    let state = b.state();
    assert_eq!(state.access_token, Some(w.server.access()));
    assert_eq!(state.refresh_token, Some(w.server.refresh()));
}

/// A's writes reach B's view: B's waiting flight adopts A's rotation and sends nothing.
fn b_catches_up_and_adopts(w: &mut World, view: &LaggingView, flight: &Spawned<RefreshOutcome>) {
    view.catch_up();
    w.clock.advance_ms(40);
    w.exec.run_until_stalled();
    assert_eq!(take(flight), Ok(RefreshOutcome::Adopted));
    assert_eq!(w.server.refreshes(), 2, "B adopted A's rotation");
}

/// A rotates while neither of its token writes has reached B's view of the storage.
fn a_rotates_unseen_by_b(w: &mut World, a: &Manager, view: &LaggingView) {
    view.lag(Slot::AccessToken);
    view.lag(Slot::RefreshToken);
    w.exec.block_on(a.ensure_refresh(false)).unwrap();
}

/// A request of B's fails with the access token B holds (the one A replaced): B asks for a
/// refresh, and the clock moves on `steps` times 20 ms.
fn b_refreshes_after_a_401(w: &mut World, b: &Manager, steps: usize) -> Spawned<RefreshOutcome> {
    let failed = b.state().access_token;
    let flight = {
        let b = b.clone();
        w.exec
            .spawn(async move { b.handle_unauthorized(failed.as_deref()).await })
    };
    w.tick(steps);
    flight
}

#[test]
fn a_flight_that_heard_its_refresh_token_rotated_waits_for_the_storage_and_adopts() {
    // The e2e stampede's rare second refresh: A rotates under the lock; B gets the lock next but
    // neither of A's writes has reached B's view yet, so B reads the very pair A just presented.
    // Sending it would replay the rotated-away refresh token (a strict server, as here, ends the
    // session; the reference server answers it from its grace window: still a second request).
    // A's news, posted before it releases the lock, names the refresh token it rotated away.
    let mut w = World::new(DATA);
    let (hub, a, b, view) = synced_tabs_b_lagging(&mut w);
    assert_eq!(w.server.refreshes(), 1);
    let parent = b.state().refresh_token.expect("B holds the current pair");
    a_rotates_unseen_by_b(&mut w, &a, &view);
    assert_eq!(
        hub.posted().last(),
        Some(&SyncMessage::Rotated(SyncMessage::fingerprint(&parent))),
        "A's news names the refresh token it rotated away"
    );
    w.exec.run_until_stalled();
    assert_eq!(w.server.refreshes(), 2);
    let flight = b_refreshes_after_a_401(&mut w, &b, 10);
    assert_eq!(
        w.server.refreshes(),
        2,
        "B does not present the refresh token A rotated away"
    );
    b_catches_up_and_adopts(&mut w, &view, &flight);
    assert!(b.is_authenticated());
    assert_eq!(b.state().refresh_token, Some(w.server.refresh()));
    // Had the writes never arrived, B would wait no longer than the catch-up bound, once.
    let mut w = World::new(DATA);
    let (_hub, a, b, view) = synced_tabs_b_lagging(&mut w);
    a_rotates_unseen_by_b(&mut w, &a, &view);
    w.exec.run_until_stalled();
    let flight = b_refreshes_after_a_401(&mut w, &b, 60);
    assert!(
        take(&flight).is_err(),
        "the strict server refused the replay"
    );
    assert_eq!(w.server.refreshes(), 3, "B sent once the wait was over");
}

/// B, refreshed once (it holds the current pair) and blind to A's writes, asks for a refresh
/// while A's rotation holds the lock (its answer on its way back); once A has committed and let
/// go, B has the lock after a wait, its view still shows the pair A presented, and no news came.
fn b_queued_behind_a_rotation_it_cannot_see(
    w: &mut World,
) -> (Rc<LaggingView>, Spawned<RefreshOutcome>) {
    let (a, b, view) = tabs_b_lagging(w, |_, _| {});
    view.lag(Slot::AccessToken);
    view.lag(Slot::RefreshToken);
    let answer = w.transport.answer_gate_for(REFRESH_URL);
    let a_flight = {
        let a = a.clone();
        w.exec.spawn(async move { a.ensure_refresh(false).await })
    };
    w.exec.run_until_stalled();
    assert_eq!(
        w.server.refreshes(),
        2,
        "A's rotation is done on the server"
    );
    let flight = {
        let b = b.clone();
        w.exec.spawn(async move { b.ensure_refresh(true).await })
    };
    w.exec.run_until_stalled();
    answer.open();
    w.exec.run_until_stalled();
    assert!(matches!(
        take(&a_flight),
        Ok(RefreshOutcome::Refreshed { .. })
    ));
    (view, flight)
}

#[test]
fn a_flight_granted_the_lock_after_a_wait_waits_for_the_holders_writes_and_adopts() {
    // The e2e round-robin's rare third refresh (4b): a tab queued behind another tab's refresh is
    // granted the lock before either of that tab's writes, or its news, has reached it. It reads
    // the very pair the holder presented; sending it replays a rotated-away refresh token.
    let mut w = World::new(DATA);
    let (view, flight) = b_queued_behind_a_rotation_it_cannot_see(&mut w);
    w.tick(5);
    assert_eq!(
        w.server.refreshes(),
        2,
        "B does not present the pair A rotated away"
    );
    b_catches_up_and_adopts(&mut w, &view, &flight);
    // A holder that changed nothing costs the next one a bounded wait, once.
    let mut w = World::new(DATA);
    let (_view, flight) = b_queued_behind_a_rotation_it_cannot_see(&mut w);
    w.tick(10);
    assert!(
        take(&flight).is_err(),
        "the strict server refused the replay"
    );
    assert_eq!(w.server.refreshes(), 3, "B sent once the wait was over");
}

/// A channel on which every message is lost (or still on its way), between tabs that have heard
/// of each other (`peers`) or not.
struct Silent {
    peers: bool,
}

impl Broadcast for Silent {
    fn post(&self, _: SyncMessage) {}

    fn has_peers(&self) -> bool {
        self.peers
    }
}

/// A rotates the pair B holds while B's view of the storage lags and no news reaches B; B, on
/// channels with(out) `peers`, asks for a refresh only once A has let go of the lock (B gets it at
/// once). Returns B's flight, after `steps` times 20 ms.
fn b_after_a_rotation_it_cannot_see(
    w: &mut World,
    peers: bool,
    steps: usize,
) -> (Rc<LaggingView>, Spawned<RefreshOutcome>) {
    let (a, b, view) = tabs_b_lagging(w, |a, b| {
        a.set_broadcast(Some(Rc::new(Silent { peers })));
        b.set_broadcast(Some(Rc::new(Silent { peers })));
    });
    a_rotates_unseen_by_b(w, &a, &view);
    assert_eq!(w.server.refreshes(), 2);
    assert!(!w.lock.is_held(), "A has let go");
    let flight = {
        let b = b.clone();
        w.exec.spawn(async move { b.ensure_refresh(true).await })
    };
    w.exec.run_until_stalled();
    w.tick(steps);
    (view, flight)
}

#[test]
fn a_rotation_marked_before_the_lock_is_released_is_seen_by_a_tab_that_gets_the_lock_at_once() {
    // e2e 4's rare second refresh (five tabs waking together): a tab whose flight asks for the
    // lock just after another tab's rotation released it gets it at once, before that tab's writes
    // or news reach it. The mark, a lock the rotating tab holds for a while, is origin-wide state.
    let mut w = World::new(DATA);
    let (view, flight) = b_after_a_rotation_it_cannot_see(&mut w, true, 5);
    assert_eq!(
        w.lock.marks().len(),
        2,
        "B's rotation, then A's, marked the token each rotated away"
    );
    assert_eq!(
        w.server.refreshes(),
        2,
        "B does not present the pair A rotated away"
    );
    b_catches_up_and_adopts(&mut w, &view, &flight);
    // Tabs that have not heard of each other neither mark nor ask: a lone tab pays no lock trip.
    let mut w = World::new(DATA);
    let (_view, flight) = b_after_a_rotation_it_cannot_see(&mut w, false, 0);
    assert!(w.lock.marks().is_empty());
    assert!(
        take(&flight).is_err(),
        "B sent the rotated-away token, which the strict server refused"
    );
    assert_eq!(w.server.refreshes(), 3);
}

/// A channel that notes, with each message, whether the lock was held when it was posted.
struct LockWitness {
    lock: FakeLock,
    record: Rc<RefCell<Vec<(SyncMessage, bool)>>>,
}

impl Broadcast for LockWitness {
    fn post(&self, message: SyncMessage) {
        self.record
            .borrow_mut()
            .push((message, self.lock.is_held()));
    }
}

#[test]
fn refresh_news_is_posted_before_the_lock_is_released() {
    let mut w = World::new(DATA);
    let a = w.tab();
    let lock = w.lock.clone();
    let seen: Rc<RefCell<Vec<(SyncMessage, bool)>>> = Rc::default();
    let record = seen.clone();
    a.set_broadcast(Some(Rc::new(LockWitness { lock, record })));
    let before = stored(&w.storage, Slot::RefreshToken).unwrap();
    w.exec.block_on(a.ensure_refresh(false)).unwrap();
    assert_eq!(
        *seen.borrow(),
        [(
            SyncMessage::Rotated(SyncMessage::fingerprint(&before)),
            true
        )],
        "posted once, under the lock"
    );
    assert_eq!(
        SyncMessage::decode(&SyncMessage::Rotated(7).encode()),
        Some(SyncMessage::Rotated(7))
    );
    assert_eq!(SyncMessage::decode("rotated:xyz"), None);
}

/// A logs out while none of its removals reach B's view of the storage, and B's catch-up wait
/// (60 × 40 ms) runs out.
fn a_logs_out_unseen_by_b(w: &mut World) -> (Hub, Manager, Rc<LaggingView>) {
    let (hub, a, b, view) = synced_tabs_b_lagging(w);
    view.lag_all();
    w.exec.block_on(a.logout()).unwrap();
    for _ in 0..60 {
        w.clock.advance_ms(40);
        w.exec.run_until_stalled();
    }
    (hub, b, view)
}

#[test]
fn a_logout_message_ahead_of_the_cleared_storage_leaves_no_token_in_memory() {
    // B hears of A's logout before A's removals reach B's view of the storage: B must not keep the
    // ended session's tokens in memory (which `getAccessToken()` answers from).
    let mut w = World::new(DATA);
    let (_hub, a, b, view) = synced_tabs_b_lagging(&mut w);
    assert!(b.access_token_in_memory().is_some());
    view.lag_all();
    w.exec.block_on(a.logout()).unwrap();
    w.exec.run_until_stalled();
    w.clock.advance_ms(100);
    w.exec.run_until_stalled();
    view.catch_up();
    w.clock.advance_ms(40);
    w.exec.run_until_stalled();
    assert!(!b.is_authenticated());
    assert_eq!(b.access_token_in_memory(), None);
    assert_eq!(b.state().refresh_token, None);
    // Without the removals ever arriving, the message still wins once the wait is over.
    let mut w = World::new(DATA);
    let (_hub, b, _view) = a_logs_out_unseen_by_b(&mut w);
    assert!(!b.is_authenticated());
    assert_eq!(
        b.access_token_in_memory(),
        None,
        "the message wins over a late read"
    );
}

/// B hears of A's logout while its view of the storage still shows the session, and reads a slot
/// in that window (as its `authorize()` does when going round after a superseded refresh, or a
/// `getAccessToken()` that found nothing in memory): the ended session's access token is back in
/// B's memory. Then the removals arrive.
fn b_reads_late_after_a_logs_out(w: &mut World) -> Manager {
    let (_hub, b, view) = a_logs_out_unseen_by_b(w);
    assert_eq!(b.access_token_in_memory(), None, "the message won");
    let late = w.exec.block_on(b.get_access_token()).unwrap();
    assert!(late.is_some(), "the late read saw the ended session");
    assert!(b.access_token_in_memory().is_some());
    view.catch_up();
    b
}

#[test]
fn what_a_late_read_put_back_in_memory_goes_once_a_read_finds_no_session() {
    // e2e defect 1's rare failure: tab A's authorize() gave null after B's logout, A was not
    // authenticated, but A's getAccessToken() kept answering the ended session's token from memory.
    let mut w = World::new(DATA);
    let b = b_reads_late_after_a_logs_out(&mut w);
    assert_eq!(w.exec.block_on(b.authorize()), Ok(None));
    assert_eq!(
        b.access_token_in_memory(),
        None,
        "authorize() found no session"
    );
    assert!(!b.is_authenticated());
    // The same when a refresh finds nothing stored under the lock.
    let mut w = World::new(DATA);
    let b = b_reads_late_after_a_logs_out(&mut w);
    let refreshes = w.server.refreshes();
    let refresh = w.exec.block_on(b.ensure_refresh(false));
    assert_eq!(refresh.map_err(|e| e.code()), Err("EXPIRED"));
    assert_eq!(w.server.refreshes(), refreshes, "no request");
    assert_eq!(
        b.access_token_in_memory(),
        None,
        "the refresh found no session"
    );
}

#[test]
fn a_rotation_whose_stored_access_token_changed_meanwhile_is_committed_not_dropped() {
    // B sends the stored refresh token next to an access token that another tab has already
    // replaced (still on its way to B). The server rotates that refresh token: B's answer is the
    // newest pair. Dropping it would leave the rotated-away token in storage, and the next refresh
    // would present it (here a strict server, with no grace window, refuses it and the session
    // ends).
    let mut w = World::new(DATA);
    let a = w.tab();
    let view = LaggingView::new(&w.storage);
    let b = w.tab_over(&view);
    view.lag(Slot::AccessToken);
    w.exec.block_on(a.ensure_refresh(false)).unwrap();
    let held = w.transport.answer_gate_for(REFRESH_URL);
    let flight = {
        let b = b.clone();
        w.exec.spawn(async move { b.ensure_refresh(false).await })
    };
    w.exec.run_until_stalled();
    assert_eq!(
        w.server.refreshes(),
        2,
        "B's refresh rotated A's refresh token"
    );
    view.catch_up();
    held.open();
    w.exec.run_until_stalled();
    assert!(
        matches!(take(&flight), Ok(RefreshOutcome::Refreshed { .. })),
        "B's answer is committed"
    );
    assert_eq!(w.server.refreshes(), 2);
    assert_eq!(
        stored(&w.storage, Slot::RefreshToken),
        Some(w.server.refresh())
    );
    assert_eq!(
        stored(&w.storage, Slot::AccessToken),
        Some(w.server.access())
    );
    // The session lives on: the next refresh presents the current token.
    w.exec.block_on(a.ensure_refresh(false)).unwrap();
    assert_eq!(w.server.refreshes(), 3);
}

// ---------------------------------------------------------------------------------------------
// Commit order and the memory fallback.

fn recording_tab(
    storage: &Rc<RecordingStorage>,
    transport: &FakeTransport,
) -> (Manager, FakeClock) {
    let options = SessionOptions::new(BASE);
    let slots = SessionSlots::uniform(options.keys(), storage.clone());
    let clock = FakeClock::new();
    let m = SessionManager::new(
        options,
        slots,
        transport.clone(),
        FakeLock::new(),
        clock.clone(),
    );
    (m, clock)
}

#[test]
fn the_rotated_refresh_token_is_stored_before_the_access_token() {
    let clock = FakeClock::new();
    let server = FakeServer::new(&clock, None, "{}");
    let transport = FakeTransport::server(&server);
    let storage = Rc::new(RecordingStorage::default());
    storage.inner.set_now("w3a:access_token", &server.access());
    storage
        .inner
        .set_now("w3a:refresh_token", &server.refresh());
    let (m, _) = recording_tab(&storage, &transport);
    let mut exec = Exec::new();
    exec.block_on(m.ensure_refresh(false)).unwrap();
    assert_eq!(
        *storage.log.borrow(),
        ["set w3a:refresh_token", "set w3a:access_token"]
    );
    exec.block_on(m.set_tokens(TokensInput {
        session_id: Some("0x02".into()),
        access_token: Some("at".into()),
        refresh_token: Some("rt".into()),
        id_token: None,
    }))
    .unwrap();
    assert_eq!(
        storage.log.borrow()[2..],
        [
            "set w3a:session_id",
            "set w3a:refresh_token",
            "set w3a:access_token"
        ]
    );
}

#[test]
fn a_refused_write_of_the_rotated_refresh_token_keeps_it_in_memory_and_says_so() {
    let clock = FakeClock::new();
    let server = FakeServer::new(&clock, None, "{}");
    let transport = FakeTransport::server(&server);
    let storage = Rc::new(RecordingStorage::default());
    storage.inner.set_now("w3a:session_id", "0x01");
    storage.inner.set_now("w3a:access_token", &server.access());
    let first = server.refresh();
    storage.inner.set_now("w3a:refresh_token", &first);
    storage.refuse.borrow_mut().push("w3a:refresh_token".into());
    let (m, _) = recording_tab(&storage, &transport);
    let events = Rc::new(RefCell::new(Vec::new()));
    let seen = events.clone();
    m.subscribe(Rc::new(move |c| {
        seen.borrow_mut()
            .push((c.event, c.error.as_ref().map(Error::code)))
    }));
    let mut exec = Exec::new();
    exec.block_on(m.ensure_refresh(false)).unwrap();
    let rotated = server.refresh();
    assert_ne!(rotated, first);
    assert_eq!(
        storage.inner.get_now("w3a:refresh_token").as_deref(),
        Some(first.as_str()),
        "storage refused"
    );
    assert_eq!(
        exec.block_on(m.get_refresh_token()),
        Ok(Some(rotated.clone())),
        "kept in memory"
    );
    assert!(events
        .borrow()
        .contains(&(AuthEvent::StorageFallback, Some("STORAGE_WRITE_FAILED"))));
    // The next refresh sends the rotated token, never the revoked one.
    exec.block_on(m.ensure_refresh(false)).unwrap();
    assert_eq!(refresh_token_of(&transport.requests()[1]), rotated);
    assert_eq!(server.refreshes(), 2);
}

// ---------------------------------------------------------------------------------------------
// Events and sync.

#[test]
fn events_in_order_for_this_tab_and_the_other() {
    let mut w = World::new(DATA);
    let (_hub, a, b) = w.two_synced_tabs();
    let (ea, eb) = (record_events(&a), record_events(&b));
    w.exec.block_on(a.authorize()).unwrap();
    w.exec.run_until_stalled();
    assert_eq!(*ea.borrow(), [(AuthEvent::TokenRefreshed, Origin::Local)]);
    assert_eq!(*eb.borrow(), [(AuthEvent::TokenRefreshed, Origin::Remote)]);
    assert!(
        b.is_authenticated(),
        "the other tab follows without a request"
    );
    assert_eq!(b.state().access_token, a.state().access_token);
    let requests = w.transport.calls();
    w.exec.block_on(b.logout()).unwrap();
    w.exec.run_until_stalled();
    assert_eq!(
        w.transport.calls(),
        requests + 1,
        "one logout request, nothing else"
    );
    assert_eq!(
        *ea.borrow(),
        [
            (AuthEvent::TokenRefreshed, Origin::Local),
            (AuthEvent::SignedOut, Origin::Remote)
        ]
    );
    assert!(!a.is_authenticated());
    assert_eq!(a.state().access_token, None);
}

#[test]
fn a_terminal_answer_is_session_expired_here_and_there() {
    let mut w = World::new(DATA);
    let (_hub, a, b) = w.two_synced_tabs();
    let (ea, eb) = (record_events(&a), record_events(&b));
    w.server.revoke();
    assert_eq!(w.exec.block_on(a.authorize()), Ok(None));
    w.exec.run_until_stalled();
    assert_eq!(*ea.borrow(), [(AuthEvent::SessionExpired, Origin::Local)]);
    assert_eq!(*eb.borrow(), [(AuthEvent::SessionExpired, Origin::Remote)]);
}

#[test]
fn a_listener_that_reenters_the_manager_or_panics_nothing() {
    let mut w = World::new(DATA);
    let a = w.tab();
    let calls = Rc::new(Cell::new(0));
    let (again, count) = (a.clone(), calls.clone());
    a.subscribe(Rc::new(move |_| {
        count.set(count.get() + 1);
        // Re-entering from a listener: state is readable, a new call can be started.
        let _ = again.state();
        let _ = again.is_refreshing();
    }));
    w.exec.block_on(a.authorize()).unwrap();
    assert_eq!(calls.get(), 1);
}

// ---------------------------------------------------------------------------------------------
// Backoff.

#[test]
fn a_server_answering_503_sees_a_bounded_number_of_refreshes_and_the_session_recovers() {
    let mut w = World::new(DATA);
    let a = w.tab();
    let down = Rc::new(Cell::new(true));
    let (server, is_down) = (w.server.clone(), down.clone());
    w.transport.set_handler(move |req| {
        if is_down.get() && req.url == REFRESH_URL {
            Ok(html(503, "down"))
        } else {
            server.handle(req)
        }
    });
    // The app asks for a refresh every 100 ms for 20 s.
    let mut failures = 0;
    for _ in 0..200 {
        match w.exec.block_on(a.ensure_refresh(true)) {
            Err(e) => {
                assert_eq!(e.code(), "REFRESH_FAILED");
                failures += 1;
            }
            Ok(o) => panic!("{o:?}"),
        }
        w.clock.advance_ms(100);
    }
    let sent = w.transport.calls_to(REFRESH_URL);
    assert_eq!(failures, 200);
    assert!(
        (3..=6).contains(&sent),
        "{sent} refreshes in 20 s (1 per call without backoff)"
    );
    assert!(stored(&w.storage, Slot::RefreshToken).is_some(), "kept");
    // The server recovers; after the cool-down the next call succeeds.
    down.set(false);
    w.clock.advance_ms(60_000);
    assert!(w.exec.block_on(a.ensure_refresh(true)).is_ok());
    assert!(a.is_authenticated());
}

#[test]
fn retry_after_is_honoured() {
    let mut w = World::new(DATA);
    let a = w.tab();
    let first = Rc::new(Cell::new(true));
    let (server, once) = (w.server.clone(), first.clone());
    w.transport.set_handler(move |req| {
        if once.replace(false) {
            let mut r = response(429, r#"{"error":"slow_down"}"#);
            r.headers.push(("retry-after".into(), "10".into()));
            Ok(r)
        } else {
            server.handle(req)
        }
    });
    assert_eq!(
        code(&w.exec.block_on(a.ensure_refresh(false))),
        "REFRESH_FAILED"
    );
    w.clock.advance_ms(9_900);
    assert_eq!(
        code(&w.exec.block_on(a.ensure_refresh(false))),
        "REFRESH_FAILED"
    );
    assert_eq!(w.transport.calls(), 1, "nothing sent before Retry-After");
    w.clock.advance_ms(100);
    assert!(w.exec.block_on(a.ensure_refresh(false)).is_ok());
}

#[test]
fn set_tokens_forgets_the_backoff() {
    let mut w = World::new(DATA);
    let a = w.tab();
    let (server, failing) = (w.server.clone(), Rc::new(Cell::new(true)));
    let f = failing.clone();
    w.transport.set_handler(move |req| {
        if f.replace(false) {
            Err(Error::Network("offline".into()))
        } else {
            server.handle(req)
        }
    });
    assert_eq!(code(&w.exec.block_on(a.ensure_refresh(false))), "NETWORK");
    let (at, rt) = (w.server.access(), w.server.refresh());
    w.exec
        .block_on(a.set_tokens(TokensInput {
            access_token: Some(at),
            refresh_token: Some(rt),
            ..TokensInput::default()
        }))
        .unwrap();
    assert!(w.exec.block_on(a.ensure_refresh(false)).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Proactive refresh.

/// A server whose access tokens carry `iat`/`exp` on *its* clock (`server_now_s`), with a
/// lifetime of 900 s.
fn timed_server(server_now_s: Rc<Cell<u64>>, refreshes: Rc<Cell<usize>>) -> FakeTransport {
    FakeTransport::new(move |_| {
        refreshes.set(refreshes.get() + 1);
        let n = refreshes.get();
        let iat = server_now_s.get();
        let body = serde_json::json!({
            "access_token": jwt_iat(iat, iat + 900, &format!("at{n}")),
            "refresh_token": format!("rt{n}"),
        });
        Ok(response(200, &body.to_string()))
    })
}

fn auto_tab(
    storage: &Rc<MemoryStorage>,
    transport: &FakeTransport,
    lock: &FakeLock,
    clock: &FakeClock,
) -> Manager {
    let mut options = SessionOptions::new(BASE);
    options.auto_refresh_lead_ms = Some(60_000);
    SessionManager::new(
        options.clone(),
        SessionSlots::uniform(options.keys(), storage.clone()),
        transport.clone(),
        lock.clone(),
        clock.clone(),
    )
}

#[test]
fn proactive_refresh_is_on_time_whatever_the_client_clock_says() {
    for skew_s in [-3600i64, 0, 3600] {
        let server_now = Rc::new(Cell::new(T0_MS / 1000));
        let refreshes = Rc::new(Cell::new(0));
        let transport = timed_server(server_now.clone(), refreshes.clone());
        let clock = FakeClock::new();
        clock.set_ms((T0_MS as i64 + skew_s * 1000) as u64);
        let storage = Rc::new(MemoryStorage::new());
        let mut exec = Exec::new();
        let a = auto_tab(&storage, &transport, &FakeLock::new(), &clock);
        exec.spawn(a.auto_refresh_task());
        let iat = server_now.get();
        exec.block_on(a.set_tokens(TokensInput {
            session_id: Some("0x01".into()),
            access_token: Some(jwt_iat(iat, iat + 900, "at0")),
            refresh_token: Some("rt0".into()),
            id_token: None,
        }))
        .unwrap();
        exec.run_until_stalled();
        let step = |exec: &mut Exec, s: u64| {
            clock.advance_ms(s * 1000);
            server_now.set(server_now.get() + s);
            exec.run_until_stalled();
        };
        step(&mut exec, 839);
        assert_eq!(
            refreshes.get(),
            0,
            "skew {skew_s}: not before lifetime - lead"
        );
        step(&mut exec, 1);
        assert_eq!(refreshes.get(), 1, "skew {skew_s}: at lifetime - lead");
        step(&mut exec, 600);
        assert_eq!(refreshes.get(), 1, "skew {skew_s}: no loop");
        step(&mut exec, 240);
        assert_eq!(refreshes.get(), 2, "skew {skew_s}: the next one on time");
        a.dispose();
        exec.run_until_stalled();
    }
}

#[test]
fn five_tabs_waking_from_sleep_send_one_refresh() {
    let server_now = Rc::new(Cell::new(T0_MS / 1000));
    let refreshes = Rc::new(Cell::new(0));
    let transport = timed_server(server_now.clone(), refreshes.clone());
    let (clock, lock) = (FakeClock::new(), FakeLock::new());
    let storage = Rc::new(MemoryStorage::new());
    let mut exec = Exec::new();
    let hub = Hub::new(&exec);
    let tabs: Vec<Manager> = (0..5)
        .map(|_| auto_tab(&storage, &transport, &lock, &clock))
        .collect();
    for tab in &tabs {
        hub.join(tab);
        exec.spawn(tab.auto_refresh_task());
    }
    let iat = server_now.get();
    exec.block_on(tabs[0].set_tokens(TokensInput {
        session_id: Some("0x01".into()),
        access_token: Some(jwt_iat(iat, iat + 900, "at0")),
        refresh_token: Some("rt0".into()),
        id_token: None,
    }))
    .unwrap();
    exec.run_until_stalled();
    assert!(tabs.iter().all(|t| t.next_auto_refresh_ms().is_some()));
    // The laptop sleeps for two hours; timers did not run. It wakes: every tab re-checks.
    clock.set_ms(clock.now_ms() + 7_200_000);
    server_now.set(server_now.get() + 7_200);
    for tab in &tabs {
        tab.wake();
    }
    exec.run_until_stalled();
    assert_eq!(refreshes.get(), 1, "one refresh; the other tabs adopt it");
    let at = stored(&storage, Slot::AccessToken);
    for tab in &tabs {
        assert_eq!(tab.state().access_token, at);
        assert!(tab.is_authenticated());
    }
    for tab in &tabs {
        tab.dispose();
    }
    exec.run_until_stalled();
}

// ---------------------------------------------------------------------------------------------
// Bounded waits, provider outside the lock, dispose.

#[test]
fn a_server_that_never_answers_fails_the_refresh_after_the_timeout_and_frees_the_lock() {
    let mut w = World::new(DATA);
    let a = w.tab();
    let _never = w.transport.gate_for(REFRESH_URL);
    let flight = {
        let a = a.clone();
        w.exec.spawn(async move { a.ensure_refresh(false).await })
    };
    w.exec.run_until_stalled();
    assert!(w.lock.is_held());
    w.clock.advance_ms(11_000);
    w.exec.run_until_stalled();
    assert_eq!(code(&take(&flight)), "NETWORK");
    assert!(!w.lock.is_held(), "the lock is released");
    assert!(stored(&w.storage, Slot::RefreshToken).is_some(), "kept");
}

#[test]
fn a_storage_that_never_settles_cannot_keep_the_lock() {
    struct Stuck;
    impl wasm_session_manager::core::storage::StorageAdapter for Stuck {
        fn get<'a>(
            &'a self,
            _: &'a str,
        ) -> futures::future::LocalBoxFuture<'a, Result<Option<String>>> {
            futures::future::pending().boxed_local()
        }
        fn set<'a>(
            &'a self,
            _: &'a str,
            _: &'a str,
        ) -> futures::future::LocalBoxFuture<'a, Result<()>> {
            futures::future::pending().boxed_local()
        }
        fn remove<'a>(&'a self, _: &'a str) -> futures::future::LocalBoxFuture<'a, Result<()>> {
            futures::future::pending().boxed_local()
        }
    }
    let options = SessionOptions::new(BASE);
    let slots = SessionSlots::uniform(options.keys(), Rc::new(Stuck));
    let (lock, clock) = (FakeLock::new(), FakeClock::new());
    let m = SessionManager::new(options, slots, ok_transport(), lock.clone(), clock.clone());
    let mut exec = Exec::new();
    let flight = {
        let m = m.clone();
        exec.spawn(async move { m.ensure_refresh(false).await })
    };
    exec.run_until_stalled();
    clock.advance_ms(5_000);
    exec.run_until_stalled();
    assert_eq!(code(&take(&flight)), "STORAGE_UNAVAILABLE");
    assert!(!lock.is_held());
}

fn ok_transport() -> FakeTransport {
    FakeTransport::fixed(Ok(response(
        200,
        r#"{"access_token":"at-2","refresh_token":"rt-2"}"#,
    )))
}

#[test]
fn the_access_token_provider_runs_outside_the_lock() {
    let mut w = World::new(DATA);
    let held_during_call = Rc::new(RefCell::new(Vec::new()));
    let (lock, seen) = (w.lock.clone(), held_during_call.clone());
    let access = w.server.access();
    let a = w.tab().with_access_token_provider(Rc::new(move || {
        seen.borrow_mut().push(lock.is_held());
        let token = access.clone();
        async move { Ok(Some(token)) }.boxed_local()
    }));
    w.exec.block_on(a.ensure_refresh(false)).unwrap();
    assert!(!held_during_call.borrow().is_empty());
    assert!(held_during_call.borrow().iter().all(|held| !held));
}

#[test]
fn dispose_stops_everything() {
    let mut w = World::new(DATA);
    let a = w.tab();
    let events = record_events(&a);
    let held = w.transport.answer_gate_for(REFRESH_URL);
    let flight = {
        let a = a.clone();
        w.exec.spawn(async move { a.ensure_refresh(false).await })
    };
    w.exec.run_until_stalled();
    a.dispose();
    held.open();
    w.exec.run_until_stalled();
    assert!(take(&flight).is_err(), "the refresh in flight was aborted");
    assert!(!w.lock.is_held());
    for r in [
        w.exec.block_on(a.authorize()).map(|_| ()),
        w.exec.block_on(a.logout()),
        w.exec.block_on(a.set_tokens(TokensInput::default())),
    ] {
        assert_eq!(code(&r), "INVALID");
    }
    assert!(events.borrow().is_empty());
}

#[test]
fn without_api_client_config_api_calls_are_the_originals_invalid_error() {
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some("0x01"), Some("at"), Some("rt"));
    let options = SessionOptions::without_api();
    let m = SessionManager::new(
        options.clone(),
        SessionSlots::uniform(options.keys(), storage.clone()),
        ok_transport(),
        FakeLock::new(),
        FakeClock::new(),
    );
    let mut exec = Exec::new();
    for r in [
        exec.block_on(m.authorize()).map(|_| ()),
        exec.block_on(m.ensure_refresh(false)).map(|_| ()),
        exec.block_on(m.logout()),
    ] {
        let e = r.unwrap_err();
        assert_eq!(e.code(), "INVALID");
        assert_eq!(
            e.to_string(),
            "apiClientConfig is required for API operations"
        );
    }
    assert!(
        stored(&storage, Slot::RefreshToken).is_some(),
        "logout cleared nothing"
    );
    // Storage still works.
    assert_eq!(exec.block_on(m.get_refresh_token()), Ok(Some("rt".into())));
}
