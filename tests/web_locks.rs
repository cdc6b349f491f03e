//! Browser tests of the Web Locks binding (PROTOCOL.md §5): waiting behind a lock held by plain JS
//! under the original's name, the bounded wait, mutual exclusion, release when dropped.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use futures::FutureExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_session_manager::core::lock::{Grant, Holding, Lock, MARK_HOLD_MS};
use wasm_session_manager::web::locks::{lock_manager, WebLock};
use wasm_session_manager::web::timer::sleep;
use wasm_session_manager::Error;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = holdUntilReleased)]
    fn hold_until_released(name: &str) -> js_sys::Promise;
    #[wasm_bindgen(catch)]
    fn release(name: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = lockHeld)]
    fn lock_held(name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = lockPending)]
    fn lock_pending(name: &str) -> js_sys::Promise;

    type ScriptedLocks;
    #[wasm_bindgen(js_name = scriptedLocks)]
    fn scripted_locks(free: bool) -> ScriptedLocks;
    #[wasm_bindgen(method)]
    fn waiting(this: &ScriptedLocks) -> bool;
    #[wasm_bindgen(method)]
    fn grant(this: &ScriptedLocks);
    #[wasm_bindgen(method)]
    fn logged(this: &ScriptedLocks) -> String;
    #[wasm_bindgen(method)]
    fn restore(this: &ScriptedLocks);

    type ReleasingLocks;
    #[wasm_bindgen(js_name = releasingLocks)]
    fn releasing_locks() -> ReleasingLocks;
    #[wasm_bindgen(method, getter)]
    fn waits(this: &ReleasingLocks) -> u32;
    #[wasm_bindgen(method, js_name = restore)]
    fn restore_releasing(this: &ReleasingLocks);
}

fn now() -> f64 {
    js_sys::Date::now()
}

async fn query(p: js_sys::Promise) -> bool {
    JsFuture::from(p).await.unwrap().as_bool().unwrap()
}

async fn held(name: &str) -> bool {
    query(lock_held(name)).await
}

/// Waits until the lock manager reports `name` held (`want` true) or free; the browser updates
/// that in tasks of its own. The limit only ends a test that would hang.
async fn until_held(name: &str, want: bool) {
    let start = now();
    while held(name).await != want {
        assert!(now() - start < 10_000.0, "{name}: held never became {want}");
        sleep(5).await;
    }
}

/// Waits until a request for `name` is queued behind its holder.
async fn until_pending(name: &str) {
    let start = now();
    while !query(lock_pending(name)).await {
        assert!(now() - start < 10_000.0, "{name}: no request queued");
        sleep(5).await;
    }
}

/// Where a test that does not look at how the lock was granted lets `with_lock` note it.
fn unread() -> &'static Holding {
    Box::leak(Box::default())
}

#[wasm_bindgen_test]
fn locks_api_exists_on_loopback() {
    assert!(
        lock_manager().is_some(),
        "http://127.0.0.1 is a secure context"
    );
}

#[wasm_bindgen_test]
async fn waits_for_a_lock_held_by_plain_js_under_the_original_name() {
    let name = "w3a:session-refresh";
    JsFuture::from(hold_until_released(name)).await.unwrap();
    let events = Rc::new(RefCell::new(Vec::new()));
    let (in_task, in_driver) = (events.clone(), events.clone());
    let task = WebLock.with_lock(name, 60_000, unread(), {
        async move { in_task.borrow_mut().push("ran") }.boxed_local()
    });
    let driver = async move {
        until_pending(name).await;
        // Queued behind the JS holder, and not run: only then does the holder let go.
        in_driver.borrow_mut().push("released");
        release(name).unwrap();
    };
    let (result, ()) = futures::join!(task, driver);
    assert_eq!(result, Ok(()));
    assert_eq!(*events.borrow(), ["released", "ran"]);
    until_held(name, false).await;
}

#[wasm_bindgen_test]
async fn the_wait_is_bounded_and_leaves_the_lock_usable() {
    let name = "test:bounded";
    JsFuture::from(hold_until_released(name)).await.unwrap();
    let start = now();
    let ran = Rc::new(RefCell::new(false));
    let flag = ran.clone();
    let result = WebLock
        .with_lock(name, 200, unread(), {
            async move { *flag.borrow_mut() = true }.boxed_local()
        })
        .await;
    let waited = now() - start;
    assert!(
        matches!(result, Err(Error::LockTimeout(ref n)) if n == name),
        "{result:?}"
    );
    assert!(!*ran.borrow(), "the task never ran");
    // Timers never fire early; how late they fire is load's business, and the holder never lets go
    // on its own, so giving up is the only way this wait could end.
    assert!(
        waited >= 190.0,
        "gave up after {waited} ms, before the bound"
    );
    assert!(held(name).await, "the JS holder still holds it");
    assert!(
        !query(lock_pending(name)).await,
        "the timed-out request left nothing queued"
    );
    release(name).unwrap();
    assert_eq!(
        WebLock
            .with_lock(name, 10_000, unread(), async { 7 }.boxed_local())
            .await,
        Ok(7)
    );
}

#[wasm_bindgen_test]
async fn two_holders_never_overlap() {
    let name = "test:exclusive";
    let log = Rc::new(RefCell::new(Vec::new()));
    let task = |id: u32, log: Rc<RefCell<Vec<String>>>| {
        async move {
            log.borrow_mut().push(format!("enter {id}"));
            sleep(50).await;
            log.borrow_mut().push(format!("exit {id}"));
        }
        .boxed_local()
    };
    let a = WebLock.with_lock(name, 5_000, unread(), task(1, log.clone()));
    let b = WebLock.with_lock(name, 5_000, unread(), task(2, log.clone()));
    let (ra, rb) = futures::join!(a, b);
    assert!(ra.is_ok() && rb.is_ok());
    assert_eq!(*log.borrow(), ["enter 1", "exit 1", "enter 2", "exit 2"]);
}

#[wasm_bindgen_test]
async fn dropping_the_future_releases_the_lock() {
    let name = "test:drop";
    {
        // A task that never ends, dropped once the lock is seen held.
        let fut = WebLock.with_lock(name, 10_000, unread(), {
            futures::future::pending::<()>().boxed_local()
        });
        let seen_held = until_held(name, true).boxed_local();
        futures::pin_mut!(fut);
        let _ = futures::future::select(fut, seen_held).await;
        assert!(held(name).await, "held while the task runs");
    }
    until_held(name, false).await;
}

#[wasm_bindgen_test]
async fn dropping_the_future_while_it_waits_leaves_nothing_queued_or_held() {
    let name = "test:drop-waiting";
    JsFuture::from(hold_until_released(name)).await.unwrap();
    {
        let fut = WebLock.with_lock(name, 60_000, unread(), async { 1 }.boxed_local());
        let queued = until_pending(name).boxed_local();
        futures::pin_mut!(fut);
        let _ = futures::future::select(fut, queued).await;
    }
    // Given up: the request left the queue, so the JS holder's release leaves the lock free (a
    // request still queued would be granted and, with nobody to release it, hold it for ever).
    let start = now();
    while query(lock_pending(name)).await {
        assert!(
            now() - start < 10_000.0,
            "the dropped request stayed queued"
        );
        sleep(5).await;
    }
    release(name).unwrap();
    until_held(name, false).await;
    assert_eq!(
        WebLock
            .with_lock(name, 10_000, unread(), async { 7 }.boxed_local())
            .await,
        Ok(7)
    );
}

/// Runs a task under the lock of a [`scripted_locks`] manager; returns what its log held when the
/// task began, and how the lock was granted.
async fn log_when_the_task_runs(free: bool) -> (String, Grant) {
    let locks = Rc::new(scripted_locks(free));
    let seen = Rc::new(RefCell::new(None));
    let (in_task, in_driver) = (locks.clone(), locks.clone());
    let record = seen.clone();
    let holding = Holding::default();
    let granted = &holding;
    let task = WebLock.with_lock(
        "test:scripted",
        10_000,
        granted,
        async move { *record.borrow_mut() = Some((in_task.logged(), granted.grant.get())) }
            .boxed_local(),
    );
    let driver = async move {
        while !free && !in_driver.waiting() {
            sleep(1).await;
        }
        if !free {
            in_driver.grant();
        }
    };
    let (result, ()) = futures::join!(task, driver);
    locks.restore();
    assert_eq!(result, Ok(()));
    let seen = seen.borrow_mut().take();
    seen.expect("the task ran")
}

#[wasm_bindgen_test]
async fn a_lock_granted_after_a_wait_runs_the_task_after_the_tasks_already_queued() {
    // The tab that held the lock has just written the session; its writes reach this page as
    // tasks that may be queued behind the grant. The refresh must read after them, and is told it
    // waited: what it reads may still be older than those writes.
    assert_eq!(
        log_when_the_task_runs(false).await,
        ("task".to_owned(), Grant::AfterWait)
    );
}

#[wasm_bindgen_test]
async fn a_free_lock_is_taken_at_once() {
    assert_eq!(
        log_when_the_task_runs(true).await,
        (String::new(), Grant::AtOnce)
    );
}

#[wasm_bindgen_test]
async fn a_lock_asked_for_again_right_after_its_release_is_taken_without_a_wait() {
    // The browser learns of a release by a message of its own. A request this tab sends right after
    // letting go could reach it first, find the lock still held and queue: a second request, a
    // timer and a task's delay for a lock nobody else wanted (half the requests of back-to-back
    // refreshes did in Chromium). The next request waits for this tab's release to be processed.
    let locks = releasing_locks();
    for i in 0..3 {
        let got = WebLock
            .with_lock(
                "test:again",
                10_000,
                unread(),
                async move { i }.boxed_local(),
            )
            .await;
        assert_eq!(got, Ok(i));
    }
    let waits = locks.waits();
    locks.restore_releasing();
    assert_eq!(
        waits, 0,
        "requests that queued behind this tab's own release"
    );
}

#[wasm_bindgen_test]
async fn a_mark_left_as_the_lock_is_let_go_is_seen_by_the_next_holder_then_let_go() {
    let (name, mark) = ("test:marked", "test:mark");
    let first = Holding::default();
    let leaving = &first;
    let start = now();
    let out = WebLock
        .with_lock(
            name,
            10_000,
            leaving,
            async move { *leaving.leave.borrow_mut() = Some(mark.to_owned()) }.boxed_local(),
        )
        .await;
    assert_eq!(out, Ok(()));
    // The lock is let go only once the mark is taken: the next holder sees it, whenever it comes.
    assert!(
        holder_finds(name, mark).await,
        "the next holder found the mark"
    );
    assert!(held(mark).await);
    // Held for its time, then let go.
    until_held(mark, false).await;
    assert!(now() - start >= f64::from(MARK_HOLD_MS) - 10.0);
    assert!(!holder_finds(name, mark).await, "no mark once it is let go");
    until_held(name, false).await;
}

/// Takes and lets go of the lock `name`, looking for the mark `mark` as it is granted: found?
async fn holder_finds(name: &str, mark: &str) -> bool {
    let holding = Holding {
        look_for: Some(mark.to_owned()),
        ..Holding::default()
    };
    assert_eq!(
        WebLock
            .with_lock(name, 10_000, &holding, async {}.boxed_local())
            .await,
        Ok(())
    );
    holding.found.get()
}
