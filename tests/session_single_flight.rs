//! Single flight within a tab and across tabs (DESIGN.md "Refresh coordination").
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;
use wasm_session_manager::core::keys::Slot;
use wasm_session_manager::core::session::RefreshOutcome;

fn world() -> World {
    World::new(r#"{"user":"alice"}"#)
}

#[test]
fn fifty_concurrent_callers_one_transport_call() {
    let mut w = world();
    let m = w.tab();
    w.transport.hold();
    let results: Vec<_> = (0..50)
        .map(|_| {
            let m = m.clone();
            w.exec.spawn(async move { m.ensure_refresh(false).await })
        })
        .collect();
    w.exec.run_until_stalled();
    assert_eq!(w.transport.calls(), 1, "one request while held");
    assert!(m.is_refreshing());
    assert!(m.state().is_refreshing);
    w.transport.release();
    w.exec.run_until_stalled();
    assert_eq!(w.transport.calls(), 1);
    assert_eq!(w.server.refreshes(), 1);
    for r in &results {
        assert!(matches!(
            take(r),
            Ok(RefreshOutcome::Refreshed {
                session_data: Some(_),
                ..
            })
        ));
    }
    assert!(!m.is_refreshing());
    assert!(m.is_authenticated());
    assert_eq!(
        stored(&w.storage, Slot::AccessToken),
        Some(w.server.access())
    );
    assert_eq!(
        stored(&w.storage, Slot::RefreshToken),
        Some(w.server.refresh())
    );
}

#[test]
fn mixed_callers_share_one_flight() {
    let mut w = world();
    let m = w.tab();
    w.transport.hold();
    let mut authorizes = Vec::new();
    let mut others = Vec::new();
    for i in 0..30 {
        let m = m.clone();
        match i % 3 {
            0 => authorizes.push(w.exec.spawn(async move { m.authorize().await })),
            1 => others.push(w.exec.spawn(async move { m.ensure_refresh(true).await })),
            _ => others.push(
                w.exec
                    .spawn(async move { m.handle_unauthorized(None).await }),
            ),
        }
    }
    w.exec.run_until_stalled();
    w.transport.release();
    w.exec.run_until_stalled();
    assert_eq!(w.transport.calls(), 1);
    for r in &authorizes {
        assert_eq!(take(r), Ok(Some(r#"{"user":"alice"}"#.to_owned())));
    }
    for r in &others {
        assert!(take(r).is_ok());
    }
}

#[test]
fn lock_is_released_before_callers_continue() {
    let mut w = world();
    let m = w.tab();
    let lock = w.lock.clone();
    let seen = w.exec.spawn(async move {
        let r = m.ensure_refresh(false).await;
        (r.is_ok(), lock.is_held())
    });
    w.exec.run_until_stalled();
    assert_eq!(take(&seen), (true, false));
    assert_eq!(w.lock.names(), vec!["w3a:session-refresh".to_owned()]);
    assert_eq!(w.lock.waits(), vec![10_000]);
}

#[test]
fn two_tabs_sharing_storage_and_lock_send_one_refresh() {
    let mut w = world();
    let tab_a = w.tab();
    let tab_b = w.tab();
    w.transport.hold();
    let mut results = Vec::new();
    for i in 0..20 {
        let m = if i % 2 == 0 {
            tab_a.clone()
        } else {
            tab_b.clone()
        };
        results.push(w.exec.spawn(async move { m.ensure_refresh(true).await }));
    }
    w.exec.run_until_stalled();
    assert_eq!(w.transport.calls(), 1, "tab B waits for the lock");
    w.transport.release();
    w.exec.run_until_stalled();
    assert_eq!(w.transport.calls(), 1);
    assert_eq!(w.server.refreshes(), 1);
    let outcomes: Vec<_> = results.iter().map(take).collect();
    assert!(outcomes.iter().all(Result::is_ok));
    assert!(outcomes.contains(&Ok(RefreshOutcome::Adopted)));
    assert!(outcomes
        .iter()
        .any(|o| matches!(o, Ok(RefreshOutcome::Refreshed { .. }))));
    // Both tabs end with the server's current tokens.
    for tab in [&tab_a, &tab_b] {
        assert!(tab.is_authenticated());
        assert_eq!(tab.state().access_token, Some(w.server.access()));
        assert_eq!(tab.state().refresh_token, Some(w.server.refresh()));
    }
    let access = w.exec.block_on(tab_b.get_access_token());
    assert_eq!(access, Ok(Some(w.server.access())));
}

#[test]
fn second_tab_authorize_after_rotation_uses_the_rotated_refresh_token() {
    // A real refresh (authorize) in tab B after tab A rotated must send A's new refresh token,
    // re-read under the lock, never the one B saw before: else the server sees a replay.
    let mut w = world();
    let tab_a = w.tab();
    let tab_b = w.tab();
    w.transport.hold();
    let a = {
        let m = tab_a.clone();
        w.exec.spawn(async move { m.ensure_refresh(false).await })
    };
    let b = {
        let m = tab_b.clone();
        w.exec.spawn(async move { m.authorize().await })
    };
    w.exec.run_until_stalled();
    w.transport.release();
    w.exec.run_until_stalled();
    assert!(take(&a).is_ok());
    assert_eq!(take(&b), Ok(Some(r#"{"user":"alice"}"#.to_owned())));
    assert_eq!(w.server.refreshes(), 2);
    let bodies: Vec<_> = w
        .transport
        .requests()
        .into_iter()
        .map(|r| r.body.unwrap_or_default())
        .collect();
    assert_eq!(bodies[0], r#"{"refresh_token":"rt1"}"#);
    assert_eq!(bodies[1], r#"{"refresh_token":"rt2"}"#);
    assert_eq!(stored(&w.storage, Slot::RefreshToken), Some("rt3".into()));
    let _ = &w.key;
}

#[test]
fn wait_for_refresh_waits_for_any_flight() {
    let mut w = world();
    let m = w.tab();
    // Nothing in flight: resolves at once.
    w.exec.block_on(m.wait_for_refresh());
    w.transport.hold();
    let flight = {
        let m = m.clone();
        w.exec.spawn(async move { m.authorize().await })
    };
    let waiter = {
        let m = m.clone();
        w.exec.spawn(async move {
            m.wait_for_refresh().await;
            m.current_access_token().await
        })
    };
    w.exec.run_until_stalled();
    assert!(waiter.borrow().is_none(), "waits while the refresh is held");
    w.transport.release();
    w.exec.run_until_stalled();
    assert!(take(&flight).is_ok());
    assert_eq!(take(&waiter), Ok(Some(w.server.access())));
}
