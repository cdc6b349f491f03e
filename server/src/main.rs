//! `session-server`: parses flags, binds, prints `session-server listening on http://<ip>:<port>` as the
//! first stdout line (flushed), logs to stderr, serves until Ctrl-C.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use session_server::clock::SystemClock;
use session_server::config::{Cli, Settings, StoreSpec};
use session_server::store::memory::MemoryStore;
use session_server::store::redis::RedisStore;
use session_server::store::Store;

fn init_logs() {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(level)
        .init();
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logs();
    let settings = match Settings::from_cli(&cli) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("session-server: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let store: Arc<dyn Store> = match &settings.store {
        StoreSpec::Memory => Arc::new(MemoryStore::new()),
        StoreSpec::Redis { url, prefix } => match RedisStore::new(url, prefix) {
            Ok(store) => {
                if let Err(e) = store.ping().await {
                    // Start anyway: requests answer 503 until Redis is reachable.
                    tracing::warn!(error = %e, "Redis is not reachable yet");
                }
                Arc::new(store)
            }
            Err(e) => {
                eprintln!("session-server: {e}");
                return std::process::ExitCode::from(2);
            }
        },
    };
    let listener = match tokio::net::TcpListener::bind(cli.addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("session-server: cannot listen on {}: {e}", cli.addr);
            return std::process::ExitCode::from(1);
        }
    };
    let local = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("session-server: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "session-server listening on http://{local}");
        let _ = stdout.flush();
    }
    tracing::info!(addr = %local, store = store.name(), test_hooks = settings.test_hooks,
        access_ttl = settings.access_ttl_secs, idle_timeout = settings.idle_timeout_secs,
        absolute_timeout = settings.absolute_timeout_secs, grace = settings.grace_secs,
        cors = ?settings.cors, static_dir = ?settings.static_dir, dev_login = settings.dev_login,
        leeway = settings.leeway_secs, "session-server started");
    if settings.dev_login && !cli.addr.ip().is_loopback() {
        tracing::warn!(
            "the dev login is on for a non-loopback address: anyone can log in as anyone"
        );
    }
    let shared = store.is_shared();
    let (router, app) = session_server::build_app(settings, store, Arc::new(SystemClock));
    if !shared {
        // A shared store expires by key TTLs and read-time checks: no sweeper there.
        session_server::spawn_sweeper(app, Duration::from_secs(30));
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    };
    match session_server::serve(listener, router, shutdown).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("session-server: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
