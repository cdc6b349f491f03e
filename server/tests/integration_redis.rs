//! The whole integration suite of `tests/integration/` again, unchanged, on the Redis store: every
//! `TestServer` gets a Redis store (`SESSION_SERVER_TEST_REDIS_URL`) under its own key prefix.
//! Without that variable this target fails when `CI` is set, and skips with a printed line otherwise.
//! Run it with `bash scripts/with-redis.sh cargo test -p session-server`.

/// Every `TestServer` of this target runs on Redis.
pub const REDIS: bool = true;

#[path = "integration/common.rs"]
mod common;

#[path = "integration/auth.rs"]
mod auth;
#[path = "integration/hardening.rs"]
mod hardening;
#[path = "integration/hooks.rs"]
mod hooks;
#[path = "integration/http.rs"]
mod http;
#[path = "integration/jwt.rs"]
mod jwt;
#[path = "integration/metadata.rs"]
mod metadata;
#[path = "integration/sessions.rs"]
mod sessions;

// Only here: two server processes on one Redis of their own.
#[path = "integration/multi.rs"]
mod multi;
