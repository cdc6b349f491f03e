//! The target-independent `AuthSessionManager` (PROTOCOL.md §4–6, DESIGN.md "Refresh coordination").
//!
//! - [`options`]: `apiClientConfig` and this SDK's knobs.
//! - [`slots`]: the four storage slots.
//! - [`jwt`]: a token's expiry, read without verifying.
//! - [`wire`]: the refresh and logout requests, byte for byte.
//! - [`classify`]: what a failed refresh means for the session.
//! - [`refresh`]: the single-flight, cross-tab refresh coordinator.
//! - [`manager`]: the [`SessionManager`] itself.

pub mod classify;
pub mod jwt;
pub mod manager;
pub mod options;
pub mod refresh;
pub mod slots;
pub mod wire;

pub use manager::{AccessTokenProvider, SessionManager, SessionState, TokensInput};
pub use options::SessionOptions;
pub use refresh::RefreshOutcome;
pub use slots::SessionSlots;
