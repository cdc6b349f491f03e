//! Browser tests of the Web Locks binding (PROTOCOL.md §5): waiting behind a lock held by plain JS
//! under the original's name, the bounded wait, mutual exclusion, release when dropped.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use futures::FutureExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_session_manager::core::lock::Lock;
use wasm_session_manager::web::locks::{lock_manager, WebLock};
use wasm_session_manager::web::timer::sleep;
use wasm_session_manager::Error;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/lock_helpers.js")]
extern "C" {
    fn holdLock(name: &str, ms: u32) -> js_sys::Promise;
    fn lockHeld(name: &str) -> js_sys::Promise;
}

fn now() -> f64 {
    js_sys::Date::now()
}

async fn held(name: &str) -> bool {
    JsFuture::from(lockHeld(name))
        .await
        .unwrap()
        .as_bool()
        .unwrap()
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
    JsFuture::from(holdLock(name, 400)).await.unwrap();
    let start = now();
    let ran_at = WebLock
        .with_lock(name, 5_000, async { now() }.boxed_local())
        .await
        .unwrap();
    assert!(
        ran_at - start >= 350.0,
        "ran {} ms after the request, before the JS holder let go",
        ran_at - start
    );
    sleep(10).await; // the browser releases the lock in a task of its own
    assert!(!held(name).await, "released after the task");
}

#[wasm_bindgen_test]
async fn the_wait_is_bounded_and_leaves_the_lock_usable() {
    let name = "test:bounded";
    JsFuture::from(holdLock(name, 1_500)).await.unwrap();
    let start = now();
    let ran = Rc::new(RefCell::new(false));
    let flag = ran.clone();
    let result = WebLock
        .with_lock(
            name,
            200,
            async move { *flag.borrow_mut() = true }.boxed_local(),
        )
        .await;
    let waited = now() - start;
    assert!(
        matches!(result, Err(Error::LockTimeout(ref n)) if n == name),
        "{result:?}"
    );
    assert!(!*ran.borrow(), "the task never ran");
    assert!(
        (150.0..1_000.0).contains(&waited),
        "gave up after {waited} ms"
    );
    // after the holder lets go, the lock can be taken again: the timed-out request left nothing behind
    sleep(1_400).await;
    assert_eq!(
        WebLock
            .with_lock(name, 1_000, async { 7 }.boxed_local())
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
    let a = WebLock.with_lock(name, 5_000, task(1, log.clone()));
    let b = WebLock.with_lock(name, 5_000, task(2, log.clone()));
    let (ra, rb) = futures::join!(a, b);
    assert!(ra.is_ok() && rb.is_ok());
    assert_eq!(*log.borrow(), ["enter 1", "exit 1", "enter 2", "exit 2"]);
}

#[wasm_bindgen_test]
async fn dropping_the_future_releases_the_lock() {
    let name = "test:drop";
    {
        let fut = WebLock.with_lock(name, 5_000, sleep(10_000).boxed_local());
        let timeout = sleep(100).boxed_local();
        futures::pin_mut!(fut);
        let _ = futures::future::select(fut, timeout).await;
        assert!(held(name).await, "held while the task runs");
    }
    sleep(10).await;
    assert!(!held(name).await, "released when the future was dropped");
}
