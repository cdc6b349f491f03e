//! Integration tests of session-server over real HTTP on loopback (in-process server, fake clock).

/// This target runs on the memory store (`integration_redis` runs the same files on Redis).
pub const REDIS: bool = false;

mod common;

mod auth;
mod cli;
mod hardening;
mod hooks;
mod http;
mod jwt;
mod metadata;
mod sessions;
