//! Browser tests of the crate's executor (src/web/task.rs): promises awaited in any order, in
//! numbers and abandoned; tasks spawned from tasks; promises of futures resolved and rejected with
//! exactly their outcome. The tests await through wasm-bindgen-futures' `JsFuture` (the test
//! runner's executor), so the crate's executor runs beside another one, as it does in a page.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use futures::FutureExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_session_manager::web::task::{promise, settled, spawn};
use wasm_session_manager::web::timer::sleep;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    /// A promise that settles after `ms`: resolved with `value` when `ok`, else rejected with it.
    #[wasm_bindgen(js_name = settleLater)]
    fn later(ms: u32, ok: bool, value: &JsValue) -> js_sys::Promise;
}

/// The crate's promise of a future run on the crate's executor, awaited by the test runner's.
async fn outcome(
    fut: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
) -> Result<JsValue, JsValue> {
    JsFuture::from(promise(fut.boxed_local())).await
}

#[wasm_bindgen_test]
async fn a_promise_gives_its_value_or_its_rejection_unchanged() {
    let got = outcome(settled(later(0, true, &"yes".into()))).await;
    assert_eq!(got.unwrap().as_string().as_deref(), Some("yes"));
    // A rejection with something that is not an Error comes back as it was thrown.
    let got = outcome(settled(later(0, false, &42.into()))).await;
    assert_eq!(got.unwrap_err().as_f64(), Some(42.0));
    // A promise settled before it is awaited.
    let got = outcome(settled(js_sys::Promise::resolve(&JsValue::from_str(
        "early",
    ))))
    .await;
    assert_eq!(got.unwrap().as_string().as_deref(), Some("early"));
    // The crate's promise rejects with the future's error.
    let got = outcome(async { Err(JsValue::from_str("no")) }).await;
    assert_eq!(got.unwrap_err().as_string().as_deref(), Some("no"));
}

#[wasm_bindgen_test]
async fn many_promises_settling_in_reverse_order_each_reach_their_own_future() {
    // Twenty futures, each awaiting a promise that settles later the earlier it was made: every
    // future gets its own value, whatever order the slots fill and free in.
    let futures: Vec<_> = (0..20u32)
        .map(|i| {
            outcome(async move {
                let v = settled(later(40 - 2 * i, i % 3 != 0, &i.into())).await;
                Ok(JsValue::from(match v {
                    Ok(v) => v.as_f64().unwrap_or(-1.0),
                    Err(e) => -e.as_f64().unwrap_or(1000.0) - 100.0,
                }))
            })
        })
        .collect();
    let got = futures::future::join_all(futures).await;
    for (i, got) in got.into_iter().enumerate() {
        let want = if i % 3 != 0 {
            i as f64
        } else {
            -(i as f64) - 100.0
        };
        assert_eq!(got.unwrap().as_f64(), Some(want), "future {i}");
    }
}

#[wasm_bindgen_test]
async fn a_promise_abandoned_before_it_settles_does_not_reach_the_next_one_in_its_slot() {
    // A select drops the slower promise's future (its slot is then abandoned, freed when it
    // settles); futures made after it, in the freed slot or not, get their own outcomes.
    let got = outcome(async {
        let fast = settled(later(5, true, &"fast".into()));
        let slow = settled(later(60, true, &"slow".into()));
        let first = futures::future::select(fast, slow).await;
        let winner = match first {
            futures::future::Either::Left((v, _)) => v?,
            futures::future::Either::Right((v, _)) => v?,
        };
        sleep(100).await;
        let next = settled(later(0, true, &"next".into())).await?;
        let last = settled(later(0, false, &"last".into())).await.unwrap_err();
        Ok(js_sys::Array::of3(&winner, &next, &last).into())
    })
    .await
    .unwrap();
    let got: Vec<Option<String>> = js_sys::Array::from(&got)
        .iter()
        .map(|v| v.as_string())
        .collect();
    assert_eq!(
        got,
        [
            Some("fast".into()),
            Some("next".into()),
            Some("last".into())
        ]
    );
}

#[wasm_bindgen_test]
async fn tasks_spawned_from_tasks_run_in_the_order_they_were_spawned() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let (log2, log3) = (log.clone(), log.clone());
    let got = outcome(async move {
        log2.borrow_mut().push("outer");
        for n in ["a", "b", "c"] {
            let log = log3.clone();
            spawn(async move {
                log.borrow_mut().push(n);
                let _ = settled(later(0, true, &JsValue::NULL)).await;
                log.borrow_mut().push("after");
            });
        }
        log3.borrow_mut().push("spawned");
        sleep(30).await;
        Ok(JsValue::UNDEFINED)
    })
    .await;
    assert!(got.is_ok());
    assert_eq!(
        *log.borrow(),
        ["outer", "spawned", "a", "b", "c", "after", "after", "after"]
    );
}
