//! server: every JSON request body through the real axum router, in-process: never a 5xx.
#![no_main]
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;
use wasm_session_manager_fuzz::server::{self, Call};

thread_local! {
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let n = u.int_in_range(1..=3u8).unwrap_or(1);
    let mut calls = Vec::new();
    for i in 0..n {
        let route: u8 = u.arbitrary().unwrap_or(0);
        let content_type: u8 = u.arbitrary().unwrap_or(0);
        let auth: u8 = u.arbitrary().unwrap_or(0);
        let signed = u.arbitrary::<u8>().unwrap_or(0) % 8 == 0;
        let body = if i + 1 == n {
            u.bytes(u.len()).unwrap_or(&[]).to_vec()
        } else {
            let len = usize::from(u.arbitrary::<u8>().unwrap_or(0));
            u.bytes(len.min(u.len())).unwrap_or(&[]).to_vec()
        };
        calls.push(Call {
            route,
            content_type,
            auth,
            signed,
            body,
        });
    }
    let router = server::app();
    RUNTIME.with(|rt| {
        rt.block_on(server::check_router(
            |request| {
                let router = router.clone();
                async move { router.oneshot(request).await.expect("infallible") }
            },
            &calls,
        ))
    });
});
