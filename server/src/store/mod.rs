//! Storage behind a trait. Everything the server keeps — sessions and metadata entries — goes through
//! [`Store`], an async key-value interface with one compare-and-swap, so that a Redis store (a later
//! issue: `GET`/`SET` of JSON records, the CAS as a small Lua script, expiry as key TTLs and a set per
//! user) can run the same test suite as [`memory::MemoryStore`].
//!
//! Records hold no token material: refresh tokens only as SHA-256 hashes, the current access token
//! only as its claims (re-signed on demand), and the next refresh token only wrapped under a key
//! derived from its parent token, which the server does not keep.

pub mod memory;
pub mod redis;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A store failure (connection lost, ...): a 503 for the client, never a 4xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "store error: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// The claims of a session's current access token, from which the token is re-signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessGrant {
    /// Token id.
    pub jti: String,
    /// Issued at, seconds.
    pub iat: u64,
    /// Expiry, seconds.
    pub exp: u64,
    /// Access epoch at issue.
    pub ep: u64,
}

/// The refresh token that the current one replaced, kept for the grace window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentToken {
    /// SHA-256 of the parent's secret, hex.
    pub hash: String,
    /// When it was rotated (ms).
    pub rotated_ms: u64,
    /// The current refresh secret XOR a key derived from the parent secret, hex: only a client
    /// holding the parent can recover it, so the grace window answers the same pair to every caller.
    pub wrapped_child: String,
}

/// One login session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Server session id (32 hex chars).
    pub sid: String,
    /// The user (login name).
    pub user: String,
    /// A label given at login (device name, ...).
    pub label: Option<String>,
    /// Uncompressed secp256k1 public key of the client's session key, lowercase hex.
    pub public_key: String,
    /// The session data JSON text, encrypted to `public_key` on every refresh.
    pub session_data: String,
    /// Login time (ms).
    pub created_ms: u64,
    /// Last login or refresh (ms).
    pub last_used_ms: u64,
    /// Idle expiry (ms): moves forward on refresh.
    pub idle_expires_ms: u64,
    /// Absolute expiry (ms): never moves.
    pub absolute_expires_ms: u64,
    /// SHA-256 of the current refresh secret, hex.
    pub refresh_hash: String,
    /// The immediate parent of the current refresh token.
    pub parent: Option<ParentToken>,
    /// Compact tags (the first 16 bytes of the SHA-256, hex) of older refresh tokens (newest last,
    /// bounded): presenting one is reuse.
    pub ancestors: Vec<String>,
    /// The current access token's claims.
    pub access: AccessGrant,
    /// The access epoch new tokens get.
    pub epoch: u64,
    /// Access tokens with a lower epoch are rejected.
    pub min_epoch: u64,
    /// Forced to expire (test hook).
    pub force_expired: bool,
    /// Client IP at login.
    #[serde(default)]
    pub login_ip: Option<String>,
    /// Client User-Agent at login.
    #[serde(default)]
    pub login_user_agent: Option<String>,
    /// Client IP at the last refresh (or login).
    #[serde(default)]
    pub last_ip: Option<String>,
    /// Client User-Agent at the last refresh (or login).
    #[serde(default)]
    pub last_user_agent: Option<String>,
    /// Version for compare-and-swap; the store bumps it on every write.
    pub version: u64,
}

impl SessionRecord {
    /// A copy without `session_data` and `ancestors` (what a Bearer check needs).
    pub fn hot_clone(&self) -> SessionRecord {
        SessionRecord {
            sid: self.sid.clone(),
            user: self.user.clone(),
            label: self.label.clone(),
            public_key: self.public_key.clone(),
            session_data: String::new(),
            created_ms: self.created_ms,
            last_used_ms: self.last_used_ms,
            idle_expires_ms: self.idle_expires_ms,
            absolute_expires_ms: self.absolute_expires_ms,
            refresh_hash: self.refresh_hash.clone(),
            parent: self.parent.clone(),
            ancestors: Vec::new(),
            access: self.access.clone(),
            epoch: self.epoch,
            min_epoch: self.min_epoch,
            force_expired: self.force_expired,
            login_ip: self.login_ip.clone(),
            login_user_agent: self.login_user_agent.clone(),
            last_ip: self.last_ip.clone(),
            last_user_agent: self.last_user_agent.clone(),
            version: self.version,
        }
    }

    /// When the session ends on its own (ms).
    pub fn expires_ms(&self) -> u64 {
        self.idle_expires_ms.min(self.absolute_expires_ms)
    }

    /// Whether the session is over at `now_ms`.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.force_expired || now_ms >= self.expires_ms()
    }
}

/// Who may read a metadata entry (PROTOCOL.md §7 `allowedOrigin`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OriginRule {
    /// Any origin (`"*"`, `false` or absent).
    Any,
    /// Only requests whose Origin header equals this (`""` = requests without Origin).
    Exact(String),
}

impl OriginRule {
    /// Whether a get with this Origin header may read.
    pub fn allows(&self, origin: Option<&str>) -> bool {
        match self {
            Self::Any => true,
            Self::Exact(expected) => expected == origin.unwrap_or(""),
        }
    }
}

/// One metadata entry (ciphertext only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaEntry {
    /// The ciphertext as sent.
    pub data: String,
    /// Origin rule for gets.
    pub origin: OriginRule,
    /// Written at (ms).
    pub created_ms: u64,
    /// Gone at (ms).
    pub expires_ms: u64,
}

/// Storage for sessions and metadata entries.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// A short name for logs (`memory`).
    fn name(&self) -> &'static str;

    /// Adds a new session (`record.version` is set to 1).
    async fn insert_session(&self, record: SessionRecord) -> StoreResult<()>;

    /// Whether several server instances can share this store (then a fixed signing key is required).
    fn is_shared(&self) -> bool {
        false
    }

    /// Whether the store answers (`GET /health`).
    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }

    /// The session `sid`, if stored.
    async fn get_session(&self, sid: &str) -> StoreResult<Option<SessionRecord>>;

    /// The session `sid` for a Bearer check: `session_data` and `ancestors` may be left empty (a
    /// networked store reads only the small hot part). Never pass the result to `replace_session`.
    async fn get_session_hot(&self, sid: &str) -> StoreResult<Option<SessionRecord>> {
        self.get_session(sid).await
    }

    /// Replaces a session if its stored version still equals `record.version` (then bumps it).
    /// `Ok(false)` when it changed or vanished in between: re-read and decide again.
    /// `session_data` never changes after login; a store may keep the stored one.
    async fn replace_session(&self, record: SessionRecord) -> StoreResult<bool>;

    /// Deletes a session; `Ok(true)` if it existed.
    async fn delete_session(&self, sid: &str) -> StoreResult<bool>;

    /// All sessions of `user`, oldest first, as for a Bearer check: `session_data` and `ancestors`
    /// may be left empty.
    async fn user_sessions(&self, user: &str) -> StoreResult<Vec<SessionRecord>>;

    /// The session ids of `user`, oldest first (the per-user index; may list sessions that just
    /// ended).
    async fn user_session_ids(&self, user: &str) -> StoreResult<Vec<String>>;

    /// Remembers that session `sid` ended (`revoked` or `expired`) from `now_ms` until `until_ms`.
    async fn mark_ended(
        &self,
        sid: &str,
        status: &'static str,
        now_ms: u64,
        until_ms: u64,
    ) -> StoreResult<()>;

    /// How session `sid` ended, if that is still remembered at `now_ms`.
    async fn ended(&self, sid: &str, now_ms: u64) -> StoreResult<Option<&'static str>>;

    /// Every session id (test hooks).
    async fn session_ids(&self) -> StoreResult<Vec<String>>;

    /// Drops sessions and metadata entries that ended before `now_ms`; returns the session ids dropped.
    async fn purge_expired(&self, now_ms: u64) -> StoreResult<Vec<String>>;

    /// A metadata entry (expired entries may still be returned; callers check `expires_ms`).
    async fn meta_get(&self, namespace: &str, key: &str) -> StoreResult<Option<MetaEntry>>;

    /// Writes a metadata entry.
    async fn meta_put(&self, namespace: &str, key: &str, entry: MetaEntry) -> StoreResult<()>;

    /// Replaces a metadata entry if it still equals `expected` (compare-and-swap, for an atomic
    /// `update`); the stored expiry is kept. `Ok(false)` when it changed or vanished.
    async fn meta_replace(
        &self,
        namespace: &str,
        key: &str,
        expected: &MetaEntry,
        entry: MetaEntry,
    ) -> StoreResult<bool>;

    /// Records that a write with data hash `hash` was accepted for `key` (any namespace), to refuse
    /// its replay until `until_ms` (when the entry it wrote ends). Atomic check-and-add.
    async fn meta_mark_write(
        &self,
        key: &str,
        hash: &str,
        until_ms: u64,
        now_ms: u64,
    ) -> StoreResult<WriteMark>;
}

/// The `session_status` of a session that ended: `revoked` (logout, revocation, reuse, eviction).
pub const STATUS_REVOKED: &str = "revoked";
/// The `session_status` of a session that ended on its own.
pub const STATUS_EXPIRED: &str = "expired";

/// Maps a stored status text back to its constant.
pub fn status_of(text: &str) -> Option<&'static str> {
    match text {
        "revoked" => Some(STATUS_REVOKED),
        "expired" => Some(STATUS_EXPIRED),
        _ => None,
    }
}

/// Outcome of [`Store::meta_mark_write`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMark {
    /// First time seen: go ahead.
    Fresh,
    /// The same write was accepted before and what it wrote still lives: a replay.
    Replayed,
    /// The key has [`MAX_WRITES_REMEMBERED`] live writes: refuse until some end.
    Full,
}

/// Live writes remembered per metadata key (replay protection); more are refused.
pub const MAX_WRITES_REMEMBERED: usize = 1024;
