//! The target-independent `AuthSessionManager` (PROTOCOL.md §4–6, DESIGN.md "Session state" and
//! "Refresh coordination").
//!
//! - [`state`]: the session state machine (generation, transitions, events, cross-tab messages).
//! - [`options`]: `apiClientConfig` and this SDK's knobs.
//! - [`slots`]: the four storage slots, with a memory fallback for a slot whose storage refuses.
//! - [`jwt`]: a token's expiry and lifetime, read without verifying.
//! - [`wire`]: the refresh and logout requests, byte for byte.
//! - [`classify`]: what a failed refresh means for the session.
//! - [`backoff`]: how long to wait after transient failures.
//! - [`schedule`]: when the proactive refresh is due.
//! - [`refresh`]: the single-flight, cross-tab refresh coordinator.
//! - `single_flight`: the one future its callers share, abortable.
//! - [`manager`]: the [`SessionManager`] itself.

pub mod backoff;
pub mod classify;
pub mod jwt;
pub mod manager;
pub mod options;
pub mod refresh;
pub mod schedule;
mod single_flight;
pub mod slots;
pub mod state;
pub mod wire;

pub use backoff::BackoffPolicy;
pub use manager::{
    AccessTokenProvider, SessionManager, SessionState, Stored, TokensInput, WeakSessionManager,
};
pub use options::SessionOptions;
pub use refresh::RefreshOutcome;
pub use slots::SessionSlots;
pub use state::{AuthEvent, Broadcast, Change, Origin, SyncMessage};
