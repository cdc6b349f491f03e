//! Regression tests for the four defects of the original (issue 4).
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;
use wasm_session_manager::core::keys::Slot;
use wasm_session_manager::core::session::RefreshOutcome;
use wasm_session_manager::Error;

const DATA: &str = r#"{"user":"alice","roles":["admin"]}"#;

fn world() -> World {
    World::new(DATA)
}

// Defect 1: a fresh instance's handleUnauthorized() takes its own stale stored access token for a
// fresh one and retries with it.
#[test]
fn defect1_fresh_instance_does_not_adopt_its_own_stale_token() {
    let mut w = world();
    let stale = w.server.access();
    w.server.invalidate_access(); // the server no longer accepts the stored (unexpired) token
    let fresh = w.tab();
    let outcome = w.exec.block_on(fresh.handle_unauthorized(None));
    assert!(
        matches!(outcome, Ok(RefreshOutcome::Refreshed { .. })),
        "{outcome:?}"
    );
    assert_eq!(w.transport.calls(), 1);
    assert_ne!(stored(&w.storage, Slot::AccessToken), Some(stale));
    assert_eq!(
        stored(&w.storage, Slot::AccessToken),
        Some(w.server.access())
    );
}

#[test]
fn defect1_the_failed_token_is_never_fresh() {
    let mut w = world();
    let failed = w.server.access();
    let fresh = w.tab();
    let outcome = w.exec.block_on(fresh.handle_unauthorized(Some(&failed)));
    assert!(matches!(outcome, Ok(RefreshOutcome::Refreshed { .. })));
    assert_eq!(w.transport.calls(), 1);
}

#[test]
fn a_token_rotated_by_another_tab_is_still_adopted() {
    let mut w = world();
    let tab_a = w.tab();
    let old = w.exec.block_on(tab_a.get_access_token()).unwrap().unwrap();
    // Tab B refreshes.
    let tab_b = w.tab();
    w.exec.block_on(tab_b.ensure_refresh(false)).unwrap();
    assert_eq!(w.transport.calls(), 1);
    // Tab A (which knows the old token) asks for a refresh if not fresh: the locked path adopts.
    let outcome = w.exec.block_on(tab_a.ensure_refresh(true));
    assert_eq!(outcome, Ok(RefreshOutcome::Adopted));
    assert_eq!(w.transport.calls(), 1, "nothing sent");
    assert!(tab_a.is_authenticated());
    assert_eq!(tab_a.state().access_token, Some(w.server.access()));
    // Tab C's request with the old token got a 401: the fast path adopts without the lock.
    let tab_c = w.tab();
    let outcome = w.exec.block_on(tab_c.handle_unauthorized(Some(&old)));
    assert_eq!(outcome, Ok(RefreshOutcome::Adopted));
    assert_eq!(w.transport.calls(), 1, "nothing sent");
    assert_eq!(
        w.lock.names().len(),
        2,
        "only the two real refresh flights took the lock"
    );
    assert_eq!(
        w.exec.block_on(tab_c.current_access_token()),
        Ok(Some(w.server.access()))
    );
}

// Defect 2: authorize() joining an in-flight "skip if fresh" refresh gets empty session_data,
// fails to decrypt and wipes the session without a request.
#[test]
fn defect2_authorize_joining_an_adopting_refresh_runs_its_own() {
    let mut w = world();
    let tab_a = w.tab();
    w.exec.block_on(tab_a.get_access_token()).unwrap();
    // Another tab rotates the tokens.
    w.exec.block_on(w.tab().ensure_refresh(false)).unwrap();
    assert_eq!(w.server.refreshes(), 1);
    // A third tab holds the lock while tab A starts a skip-if-fresh refresh and authorize joins it.
    let guard = w.lock.try_hold().unwrap();
    let skip = {
        let m = tab_a.clone();
        w.exec.spawn(async move { m.ensure_refresh(true).await })
    };
    let auth = {
        let m = tab_a.clone();
        w.exec.spawn(async move { m.authorize().await })
    };
    w.exec.run_until_stalled();
    assert!(tab_a.is_refreshing());
    assert!(auth.borrow().is_none());
    drop(guard);
    w.exec.run_until_stalled();
    assert_eq!(take(&skip), Ok(RefreshOutcome::Adopted));
    assert_eq!(take(&auth), Ok(Some(DATA.to_owned())));
    assert_eq!(w.server.refreshes(), 2, "authorize ran its own refresh");
    assert!(stored(&w.storage, Slot::SessionId).is_some());
    assert_eq!(
        stored(&w.storage, Slot::RefreshToken),
        Some(w.server.refresh())
    );
    assert!(tab_a.is_authenticated());
}

#[test]
fn defect2_ensure_refresh_without_skip_also_insists_on_a_real_refresh() {
    let mut w = world();
    let tab_a = w.tab();
    w.exec.block_on(tab_a.get_access_token()).unwrap();
    w.exec.block_on(w.tab().ensure_refresh(false)).unwrap();
    let guard = w.lock.try_hold().unwrap();
    let skip = {
        let m = tab_a.clone();
        w.exec
            .spawn(async move { m.handle_unauthorized(None).await })
    };
    let forced = {
        let m = tab_a.clone();
        w.exec.spawn(async move { m.ensure_refresh(false).await })
    };
    w.exec.run_until_stalled();
    drop(guard);
    w.exec.run_until_stalled();
    assert_eq!(take(&skip), Ok(RefreshOutcome::Adopted));
    assert!(matches!(
        take(&forced),
        Ok(RefreshOutcome::Refreshed {
            session_data: Some(_),
            ..
        })
    ));
    assert_eq!(w.server.refreshes(), 2);
}

// Defect 3: "stored token differs from the one in memory" counts as fresh whatever its expiry.
#[test]
fn defect3_a_different_but_expired_stored_token_is_not_adopted() {
    let mut w = world();
    let tab = w.tab();
    // The tab knows the current token...
    w.exec.block_on(tab.get_access_token()).unwrap();
    // ...then something (an old tab, a restore) writes a different, expired one.
    let expired = jwt_in(-60, "old");
    w.storage.set_now("w3a:access_token", &expired);
    let outcome = w.exec.block_on(tab.ensure_refresh(true));
    assert!(
        matches!(outcome, Ok(RefreshOutcome::Refreshed { .. })),
        "{outcome:?}"
    );
    assert_eq!(w.transport.calls(), 1);
}

#[test]
fn defect3_expiry_within_the_skew_counts_as_expired() {
    let mut w = world();
    let tab = w.tab();
    let known = w.exec.block_on(tab.get_access_token()).unwrap().unwrap();
    w.storage.set_now("w3a:access_token", &jwt_in(29, "nearly"));
    let outcome = w.exec.block_on(tab.handle_unauthorized(Some(&known)));
    assert!(
        matches!(outcome, Ok(RefreshOutcome::Refreshed { .. })),
        "{outcome:?}"
    );
    assert_eq!(w.transport.calls(), 1);
}

#[test]
fn defect3_a_different_token_with_unknown_expiry_is_adopted() {
    let mut w = world();
    let tab = w.tab();
    let known = w.exec.block_on(tab.get_access_token()).unwrap().unwrap();
    w.storage.set_now("w3a:access_token", "opaque-rotated");
    let outcome = w.exec.block_on(tab.handle_unauthorized(Some(&known)));
    assert_eq!(outcome, Ok(RefreshOutcome::Adopted));
    assert_eq!(w.transport.calls(), 0);
}

// Defect 4: any refresh failure, even a dropped connection, wipes the session.
#[test]
fn defect4_a_dropped_connection_keeps_the_session() {
    let mut w = world();
    let tab = w.tab();
    let server = w.server.clone();
    let failing = std::cell::Cell::new(true);
    w.transport.set_handler(move |req| {
        if failing.replace(false) {
            Err(Error::Network("connection reset by peer".into()))
        } else {
            server.handle(req)
        }
    });
    let before: Vec<_> = Slot::ALL.iter().map(|s| stored(&w.storage, *s)).collect();
    let r = w.exec.block_on(tab.authorize());
    assert_eq!(code(&r), "NETWORK");
    let after: Vec<_> = Slot::ALL.iter().map(|s| stored(&w.storage, *s)).collect();
    assert_eq!(before, after, "nothing cleared");
    // Backing off: an attempt right away sends nothing and fails the same way.
    let calls = w.transport.calls();
    assert_eq!(code(&w.exec.block_on(tab.authorize())), "NETWORK");
    assert_eq!(w.transport.calls(), calls, "no request while backing off");
    // After the first backoff delay (at most 1 s), the next attempt succeeds with the same session.
    w.clock.advance_ms(1_000);
    assert_eq!(w.exec.block_on(tab.authorize()), Ok(Some(DATA.to_owned())));
    assert!(tab.is_authenticated());
}

#[test]
fn defect4_a_5xx_keeps_the_session() {
    let mut w = world();
    let tab = w.tab();
    w.exec.block_on(tab.authorize()).unwrap();
    w.transport
        .set_handler(|_| Ok(html(503, "<html>maintenance</html>")));
    let r = w.exec.block_on(tab.handle_unauthorized(None));
    assert_eq!(code(&r), "REFRESH_FAILED");
    assert!(tab.is_authenticated());
    assert_eq!(
        stored(&w.storage, Slot::RefreshToken),
        Some(w.server.refresh())
    );
}
