//! Command-line flags (each also an environment variable `SESSION_SERVER_*`) and the validated
//! [`Settings`] the app is built from.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

use crate::cors::CorsPolicy;

/// Which store holds sessions and metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// In process memory: the embedded default, lost on restart.
    Memory,
}

/// `session-server` flags.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "session-server",
    version,
    about = "Reference session server for wasm-session-manager (dev-grade login: any username, password optional)"
)]
pub struct Cli {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "SESSION_SERVER_ADDR", default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,

    /// Enable the /test/* hooks (counters, forced expiry, injected failures and latency).
    #[arg(long, env = "SESSION_SERVER_TEST_HOOKS", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub test_hooks: bool,

    /// Serve this folder at `/` (the demo web app; index.html for directories).
    #[arg(long, env = "SESSION_SERVER_STATIC_DIR", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,

    /// Access token lifetime in seconds.
    #[arg(long, env = "SESSION_SERVER_ACCESS_TTL", value_name = "SECS", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub access_ttl: u64,

    /// A session ends when it is not refreshed for this many seconds.
    #[arg(long, env = "SESSION_SERVER_IDLE_TIMEOUT", value_name = "SECS", default_value_t = 1800,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,

    /// A session ends this many seconds after login, whatever happens.
    #[arg(long, env = "SESSION_SERVER_ABSOLUTE_TIMEOUT", value_name = "SECS", default_value_t = 2_592_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub absolute_timeout: u64,

    /// Seconds during which the immediate parent of the current refresh token answers the current pair.
    #[arg(
        long,
        env = "SESSION_SERVER_GRACE",
        value_name = "SECS",
        default_value_t = 10
    )]
    pub grace: u64,

    /// Allowed CORS origin (repeatable, or comma-separated in the env var; `*` allows any).
    /// Default: any http://127.0.0.1:*, http://localhost:* or http://[::1]:* origin.
    #[arg(
        long = "cors-origin",
        env = "SESSION_SERVER_CORS_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// HMAC-SHA256 key for tokens, hex (at least 32 bytes); random at start when absent.
    #[arg(
        long,
        env = "SESSION_SERVER_SIGNING_KEY",
        value_name = "HEX",
        hide_env_values = true
    )]
    pub signing_key: Option<String>,

    /// Session and metadata store.
    #[arg(
        long,
        env = "SESSION_SERVER_STORE",
        value_enum,
        default_value = "memory"
    )]
    pub store: StoreKind,
}

/// The token issuer (`iss`).
pub const ISSUER: &str = "session-server";
/// The token audience (`aud`).
pub const AUDIENCE: &str = "wasm-session-manager";
/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Largest accepted single header value.
pub const MAX_HEADER_VALUE_BYTES: usize = 16 * 1024;
/// Largest accepted total of header names and values.
pub const MAX_HEADERS_BYTES: usize = 48 * 1024;

/// Validated settings the app runs with.
#[derive(Clone)]
pub struct Settings {
    /// Access token lifetime, seconds (>= 1).
    pub access_ttl_secs: u64,
    /// Idle timeout, seconds.
    pub idle_timeout_secs: u64,
    /// Absolute session lifetime, seconds.
    pub absolute_timeout_secs: u64,
    /// Grace window for the immediate parent refresh token, seconds.
    pub grace_secs: u64,
    /// Who may call from a browser.
    pub cors: CorsPolicy,
    /// HMAC key for JWTs.
    pub signing_key: Vec<u8>,
    /// Whether /test/* exists.
    pub test_hooks: bool,
    /// Folder served at `/`.
    pub static_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("access_ttl_secs", &self.access_ttl_secs)
            .field("idle_timeout_secs", &self.idle_timeout_secs)
            .field("absolute_timeout_secs", &self.absolute_timeout_secs)
            .field("grace_secs", &self.grace_secs)
            .field("cors", &self.cors)
            .field("signing_key", &"<redacted>")
            .field("test_hooks", &self.test_hooks)
            .field("static_dir", &self.static_dir)
            .finish()
    }
}

impl Default for Settings {
    /// The defaults of the CLI, with a random signing key and hooks off.
    fn default() -> Self {
        Self {
            access_ttl_secs: 900,
            idle_timeout_secs: 1800,
            absolute_timeout_secs: 2_592_000,
            grace_secs: 10,
            cors: CorsPolicy::loopback(),
            signing_key: crate::util::random_bytes::<32>().to_vec(),
            test_hooks: false,
            static_dir: None,
        }
    }
}

impl Settings {
    /// Validates the flags.
    pub fn from_cli(cli: &Cli) -> Result<Self, String> {
        let signing_key = match &cli.signing_key {
            Some(hex_key) => {
                let key = hex::decode(hex_key.trim().trim_start_matches("0x"))
                    .map_err(|_| "--signing-key must be hex".to_owned())?;
                if key.len() < 32 {
                    return Err("--signing-key must be at least 32 bytes (64 hex chars)".into());
                }
                key
            }
            None => crate::util::random_bytes::<32>().to_vec(),
        };
        let cors = if cli.cors_origins.is_empty() {
            CorsPolicy::loopback()
        } else {
            CorsPolicy::list(&cli.cors_origins)?
        };
        if let Some(dir) = &cli.static_dir {
            if !dir.is_dir() {
                return Err(format!("--static-dir {} is not a directory", dir.display()));
            }
        }
        match cli.store {
            StoreKind::Memory => {}
        }
        Ok(Self {
            access_ttl_secs: cli.access_ttl.max(1),
            idle_timeout_secs: cli.idle_timeout.max(1),
            absolute_timeout_secs: cli.absolute_timeout.max(1),
            grace_secs: cli.grace,
            cors,
            signing_key,
            test_hooks: cli.test_hooks,
            static_dir: cli.static_dir.clone(),
        })
    }
}
