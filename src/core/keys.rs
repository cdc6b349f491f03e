//! Storage key names (PROTOCOL.md §1) and session-id validation and normalisation (§3).

use crate::core::error::{Error, Result};
use crate::core::text;

/// The default storage key prefix.
pub const DEFAULT_PREFIX: &str = "w3a";

/// The four storage slots of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// `{prefix}:session_id`
    SessionId,
    /// `{prefix}:access_token`
    AccessToken,
    /// `{prefix}:refresh_token`
    RefreshToken,
    /// `{prefix}:id_token`
    IdToken,
}

impl Slot {
    /// Every slot, in the order the original clears them.
    pub const ALL: [Slot; 4] = [
        Slot::SessionId,
        Slot::AccessToken,
        Slot::RefreshToken,
        Slot::IdToken,
    ];

    /// The key suffix.
    pub fn suffix(self) -> &'static str {
        match self {
            Slot::SessionId => "session_id",
            Slot::AccessToken => "access_token",
            Slot::RefreshToken => "refresh_token",
            Slot::IdToken => "id_token",
        }
    }
}

/// The storage keys for one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageKeys {
    prefix: String,
}

impl Default for StorageKeys {
    fn default() -> Self {
        Self::new(DEFAULT_PREFIX)
    }
}

impl StorageKeys {
    /// Keys under `prefix` (empty means the default).
    pub fn new(prefix: &str) -> Self {
        let prefix = if prefix.is_empty() {
            DEFAULT_PREFIX
        } else {
            prefix
        };
        Self {
            prefix: prefix.to_owned(),
        }
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `{prefix}:{slot}`.
    pub fn key(&self, slot: Slot) -> String {
        text::cat(&[&self.prefix, ":", slot.suffix()])
    }

    /// The Web Lock name for refreshes: `{prefix}:session-refresh` (PROTOCOL.md §5).
    pub fn lock_name(&self) -> String {
        text::cat(&[&self.prefix, ":session-refresh"])
    }

    /// The Web Lock a tab holds for a while after rotating the refresh token whose fingerprint is
    /// `fingerprint` (a mark, never waited for): `{prefix}:session-rotated:{fingerprint}`.
    pub fn rotated_mark(&self, fingerprint: u64) -> String {
        let mut name = text::cat(&[&self.prefix, ":session-rotated:"]);
        text::push_dec(&mut name, fingerprint);
        name
    }
}

/// Validates and normalises a session id (PROTOCOL.md §3): optional `0x`, hex digits, left-padded with
/// `0` to 64 digits, the leftmost 64 kept, `0x` prefixed; letter case kept.
///
/// ```
/// use wasm_session_manager::core::keys::normalize_session_id;
/// assert_eq!(normalize_session_id("0xAb").unwrap(), format!("0x{}Ab", "0".repeat(62)));
/// assert!(normalize_session_id("0x").is_err());
/// ```
pub fn normalize_session_id(id: &str) -> Result<String> {
    // The original's check is `/^(?:0x)?[0-9a-f]+$/i`: the `i` flag admits `0X` as the prefix too.
    let hex = id
        .strip_prefix("0x")
        .or_else(|| id.strip_prefix("0X"))
        .unwrap_or(id);
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::InvalidSessionId);
    }
    let mut out = String::with_capacity(66);
    out.push_str("0x");
    if hex.len() < 64 {
        out.extend(std::iter::repeat('0').take(64 - hex.len()));
        out.push_str(hex);
    } else {
        out.push_str(&hex[..64]);
    }
    Ok(out)
}
