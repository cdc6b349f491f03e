//! # session-server
//!
//! The reference session server for `wasm-session-manager`: login, refresh-token rotation with reuse
//! detection (PROTOCOL.md §4), session lifecycle (idle and absolute expiry, revocation), the encrypted
//! metadata store (§7), a small protected API, and test hooks. See `server/README.md`.
//!
//! Build the app in-process with [`build_app`] (any [`store::Store`], any [`clock::Clock`]) and serve it
//! with [`serve`]; `main.rs` does the same from the command line.
#![deny(missing_docs)]

pub mod clock;
pub mod config;
pub mod cors;
pub mod crypto;
pub mod error;
pub mod extract;
pub mod hooks;
pub mod lifecycle;
pub mod limits;
pub mod ratelimit;
pub mod routes;
pub mod static_files;
pub mod store;
pub mod tokens;
pub mod util;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::Settings;
use crate::hooks::{Counters, HookState};
use crate::lifecycle::Lifecycle;
use crate::store::Store;

/// Everything a handler needs.
#[derive(Debug)]
pub struct App {
    /// Validated settings.
    pub settings: Settings,
    /// Session rules over the store and clock.
    pub lifecycle: Lifecycle,
    /// Call counters (read over HTTP only with test hooks).
    pub counters: Counters,
    /// Test-hook state.
    pub hooks: HookState,
    /// Per-IP limit of logins.
    pub login_limit: ratelimit::RateLimiter,
    /// Per-IP limit of refreshes and metadata writes.
    pub refresh_limit: ratelimit::RateLimiter,
}

/// The shared app state.
pub type SharedApp = Arc<App>;

/// Builds the router and its state.
pub fn build_app(
    settings: Settings,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> (Router, SharedApp) {
    build(settings, store, clock, None)
}

/// [`build_app`] with a hook that receives every session lifecycle event (`created`, `refreshed`,
/// `revoked`, `expired`, `reuse_detected`); the events are logged either way.
pub fn build_app_with_events(
    settings: Settings,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    events: lifecycle::EventSink,
) -> (Router, SharedApp) {
    build(settings, store, clock, Some(events))
}

fn build(
    settings: Settings,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    events: Option<lifecycle::EventSink>,
) -> (Router, SharedApp) {
    let mut lifecycle = Lifecycle::new(store, clock, &settings);
    if let Some(events) = events {
        lifecycle.set_event_sink(events);
    }
    let app = Arc::new(App {
        login_limit: ratelimit::RateLimiter::new(settings.login_rate),
        refresh_limit: ratelimit::RateLimiter::new(settings.refresh_rate),
        settings,
        lifecycle,
        counters: Counters::default(),
        hooks: HookState::default(),
    });
    (routes::router(app.clone()), app)
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Ends expired sessions every `every` (run in the background by `main`).
pub fn spawn_sweeper(app: SharedApp, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(e) = app.lifecycle.sweep().await {
                tracing::warn!(error = %e, "sweep failed");
            }
        }
    })
}
