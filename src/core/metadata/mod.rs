//! The legacy `StorageManager` of PROTOCOL.md §7: session data encrypted to the session key and kept
//! on a session server (`/v2/store/set|update|get`), signed with the session key, optionally cached
//! locally — encrypted, unlike the original.
//!
//! - [`options`]: the option object and its defaults.
//! - [`request`]: the exact request bodies.
//! - [`cache`]: the encrypted local cache.
//! - [`manager`]: the `StorageManager` itself.
//!
//! The core works on JSON text: the bindings turn JS values into `JSON.stringify` text and back.

pub mod cache;
pub mod manager;
pub mod options;
pub mod request;

pub use manager::{generate_random_session_key, public_key_of, StorageManager};
pub use options::{AllowedOrigin, Scheme, StorageManagerOptions};
