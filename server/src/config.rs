//! Command-line flags (each also an environment variable `SESSION_SERVER_*`) and the validated
//! [`Settings`] the app is built from.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::cors::CorsPolicy;

/// Which store holds sessions and metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// In process memory: the embedded default, lost on restart, one instance only.
    Memory,
    /// A Redis server (`redis://host:port/db`) shared by any number of instances.
    Redis {
        /// The URL.
        url: String,
        /// Key prefix.
        prefix: String,
    },
}

impl StoreSpec {
    /// Parses `--store` (`memory` or `redis://...`).
    pub fn parse(value: &str, prefix: &str) -> Result<Self, String> {
        if value == "memory" {
            return Ok(Self::Memory);
        }
        if value.starts_with("redis://") || value.starts_with("redis+unix://") {
            if !crate::store::redis::valid_prefix(prefix) {
                return Err("--redis-prefix must be 1 to 64 of A-Za-z0-9:_-.".into());
            }
            return Ok(Self::Redis {
                url: value.to_owned(),
                prefix: prefix.to_owned(),
            });
        }
        Err("--store must be `memory` or redis://host:port/db".into())
    }
}

/// Longest `--access-ttl` (1 day).
pub const MAX_ACCESS_TTL_SECS: u64 = 86_400;
/// Longest `--idle-timeout` and `--absolute-timeout` (400 days).
pub const MAX_SESSION_SECS: u64 = 400 * 86_400;
/// Longest `--grace` (1 hour).
pub const MAX_GRACE_SECS: u64 = 3_600;
/// Longest `--status-retention` (30 days).
pub const MAX_STATUS_RETENTION_SECS: u64 = 30 * 86_400;
/// Longest `--clock-leeway` (5 minutes).
pub const MAX_LEEWAY_SECS: u64 = 300;

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
          value_parser = clap::value_parser!(u64).range(1..=MAX_ACCESS_TTL_SECS))]
    pub access_ttl: u64,

    /// A session ends when it is not refreshed for this many seconds.
    #[arg(long, env = "SESSION_SERVER_IDLE_TIMEOUT", value_name = "SECS", default_value_t = 1800,
          value_parser = clap::value_parser!(u64).range(1..=MAX_SESSION_SECS))]
    pub idle_timeout: u64,

    /// A session ends this many seconds after login, whatever happens.
    #[arg(long, env = "SESSION_SERVER_ABSOLUTE_TIMEOUT", value_name = "SECS", default_value_t = 2_592_000,
          value_parser = clap::value_parser!(u64).range(1..=MAX_SESSION_SECS))]
    pub absolute_timeout: u64,

    /// Seconds during which the immediate parent of the current refresh token answers the current pair.
    #[arg(
        long,
        env = "SESSION_SERVER_GRACE",
        value_name = "SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(0..=MAX_GRACE_SECS)
    )]
    pub grace: u64,

    /// Seconds of clock skew tolerated on `iat`/`nbf` of access tokens (instances a little behind).
    #[arg(long, env = "SESSION_SERVER_CLOCK_LEEWAY", value_name = "SECS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(0..=MAX_LEEWAY_SECS))]
    pub clock_leeway: u64,

    /// The dev login (any user name, no password check): `true` or `false`. Default: on for a
    /// loopback `--addr`; a non-loopback bind refuses to start unless this is given explicitly.
    #[arg(long, env = "SESSION_SERVER_DEV_LOGIN", value_name = "BOOL",
          num_args = 0..=1, default_missing_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    pub dev_login: Option<bool>,

    /// Allowed CORS origin (repeatable, or comma-separated in the env var; `*` allows any).
    /// Default: any http://127.0.0.1:*, http://localhost:* or http://[::1]:* origin.
    #[arg(
        long = "cors-origin",
        env = "SESSION_SERVER_CORS_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// HMAC-SHA256 key for tokens, hex (at least 32 bytes); random at start when absent (memory
    /// store only: a shared store needs the same key on every instance).
    #[arg(
        long,
        env = "SESSION_SERVER_SIGNING_KEY",
        value_name = "HEX",
        hide_env_values = true,
        conflicts_with = "signing_key_file"
    )]
    pub signing_key: Option<String>,

    /// A file holding the signing key in hex (instead of `--signing-key`).
    #[arg(long, env = "SESSION_SERVER_SIGNING_KEY_FILE", value_name = "PATH")]
    pub signing_key_file: Option<PathBuf>,

    /// Session and metadata store: `memory` or `redis://host:port/db`.
    #[arg(
        long,
        env = "SESSION_SERVER_STORE",
        value_name = "STORE",
        default_value = "memory",
        hide_env_values = true
    )]
    pub store: String,

    /// Most live sessions per user; a login past it ends the user's oldest session.
    #[arg(long, env = "SESSION_SERVER_MAX_SESSIONS_PER_USER", value_name = "N", default_value_t = 50,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_sessions_per_user: u64,

    /// Largest `session_data` JSON accepted at login, bytes.
    #[arg(long, env = "SESSION_SERVER_MAX_SESSION_DATA_BYTES", value_name = "BYTES", default_value_t = 16_384,
          value_parser = clap::value_parser!(u64).range(2..=60_000))]
    pub max_session_data_bytes: u64,

    /// Largest metadata `data` accepted by `/v2/store/set` and `update`, bytes.
    #[arg(long, env = "SESSION_SERVER_MAX_METADATA_BYTES", value_name = "BYTES", default_value_t = 32_768,
          value_parser = clap::value_parser!(u64).range(64..=60_000))]
    pub max_metadata_bytes: u64,

    /// Logins per minute per client IP (a token bucket; 0 = no limit).
    #[arg(long, env = "SESSION_SERVER_LOGIN_RATE", value_name = "PER_MIN", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub login_rate: u64,

    /// Refreshes (and metadata writes) per minute per client IP (a token bucket; 0 = no limit).
    #[arg(long, env = "SESSION_SERVER_REFRESH_RATE", value_name = "PER_MIN", default_value_t = 6_000,
          value_parser = clap::value_parser!(u64).range(0..=10_000_000))]
    pub refresh_rate: u64,

    /// How long an ended session's status (`revoked` / `expired`) is kept for the refresh error.
    #[arg(long, env = "SESSION_SERVER_STATUS_RETENTION", value_name = "SECS", default_value_t = 86_400,
          value_parser = clap::value_parser!(u64).range(1..=MAX_STATUS_RETENTION_SECS))]
    pub status_retention: u64,

    /// Take the client IP (rate limits, session list) from the last `X-Forwarded-For` address:
    /// only behind a proxy that sets it.
    #[arg(long, env = "SESSION_SERVER_TRUST_FORWARDED_FOR", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub trust_forwarded_for: bool,

    /// Prefix of every Redis key (1 to 64 of `A-Za-z0-9:_-.`).
    #[arg(
        long,
        env = "SESSION_SERVER_REDIS_PREFIX",
        value_name = "PREFIX",
        default_value = crate::store::redis::DEFAULT_PREFIX
    )]
    pub redis_prefix: String,
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
    /// Tolerated clock skew on `iat`/`nbf`, seconds.
    pub leeway_secs: u64,
    /// Whether `POST /v1/auth/login` accepts any user name (the dev login).
    pub dev_login: bool,
    /// The store.
    pub store: StoreSpec,
    /// Most live sessions per user (the oldest is ended past it).
    pub max_sessions_per_user: usize,
    /// Largest `session_data`, bytes.
    pub max_session_data_bytes: usize,
    /// Largest metadata `data`, bytes.
    pub max_metadata_bytes: usize,
    /// Logins per minute per IP (0 = unlimited).
    pub login_rate: u64,
    /// Refreshes and metadata writes per minute per IP (0 = unlimited).
    pub refresh_rate: u64,
    /// Whether the client IP comes from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// How long an ended session's status is kept, seconds.
    pub status_retention_secs: u64,
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
            .field("leeway_secs", &self.leeway_secs)
            .field("dev_login", &self.dev_login)
            .field(
                "store",
                &match &self.store {
                    StoreSpec::Memory => "memory",
                    StoreSpec::Redis { .. } => "redis",
                },
            )
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
            leeway_secs: 5,
            dev_login: true,
            store: StoreSpec::Memory,
            max_sessions_per_user: 50,
            max_session_data_bytes: 16_384,
            max_metadata_bytes: 32_768,
            login_rate: 600,
            refresh_rate: 6_000,
            trust_forwarded_for: false,
            status_retention_secs: 86_400,
        }
    }
}

fn parse_key(hex_key: &str, source: &str) -> Result<Vec<u8>, String> {
    let key = hex::decode(hex_key.trim().trim_start_matches("0x"))
        .map_err(|_| format!("{source} must be hex"))?;
    if key.len() < 32 {
        return Err(format!("{source} must be at least 32 bytes (64 hex chars)"));
    }
    Ok(key)
}

impl Settings {
    /// Validates the flags.
    pub fn from_cli(cli: &Cli) -> Result<Self, String> {
        let store = StoreSpec::parse(&cli.store, &cli.redis_prefix)?;
        let signing_key = match (&cli.signing_key, &cli.signing_key_file) {
            (Some(hex_key), _) => parse_key(hex_key, "--signing-key")?,
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("--signing-key-file {}: {e}", path.display()))?;
                parse_key(&text, "--signing-key-file")?
            }
            (None, None) if store != StoreSpec::Memory => {
                return Err("a shared store needs the same --signing-key (or --signing-key-file) on every instance".into());
            }
            (None, None) => crate::util::random_bytes::<32>().to_vec(),
        };
        let loopback = cli.addr.ip().is_loopback();
        let dev_login = match cli.dev_login {
            Some(on) => on,
            None if loopback => true,
            None => {
                return Err(format!(
                "--addr {} is not loopback: the dev login (any user name, no password) would be \
                     open to the network. Pass --dev-login=false (login answers 403; put a real \
                     identity provider in front) or --dev-login=true to publish it knowingly",
                cli.addr
            ))
            }
        };
        if cli.test_hooks && !loopback {
            return Err(format!(
                "--test-hooks needs a loopback --addr (not {}): the hooks expire and inject at will",
                cli.addr
            ));
        }
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
        Ok(Self {
            access_ttl_secs: cli.access_ttl.max(1),
            idle_timeout_secs: cli.idle_timeout.max(1),
            absolute_timeout_secs: cli.absolute_timeout.max(1),
            grace_secs: cli.grace,
            cors,
            signing_key,
            test_hooks: cli.test_hooks,
            static_dir: cli.static_dir.clone(),
            leeway_secs: cli.clock_leeway,
            dev_login,
            store,
            max_sessions_per_user: cli.max_sessions_per_user as usize,
            max_session_data_bytes: cli.max_session_data_bytes as usize,
            max_metadata_bytes: cli.max_metadata_bytes as usize,
            login_rate: cli.login_rate,
            refresh_rate: cli.refresh_rate,
            trust_forwarded_for: cli.trust_forwarded_for,
            status_retention_secs: cli.status_retention,
        })
    }
}
