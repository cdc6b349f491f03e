//! The crypto of PROTOCOL.md §6–7 and this SDK's AES-256-GCM scheme.
//!
//! - [`keys`]: the session key (a secp256k1 secret key) and public-key parsing.
//! - [`ecies`]: eccrypto-compatible ECIES, the wire format of `session_data` and of the metadata store.
//! - [`signature`]: ECDSA over keccak256, as the metadata server checks it.
//! - [`aead`]: this SDK's own opt-in AES-256-GCM envelope.
//! - [`symmetric`]: the AES modes both use, RustCrypto natively and Web Crypto in the wasm.
//! - [`hash`]: ECIES's SHA-512 and HMAC-SHA256, behind the same kind of seam.
//!
//! Target-independent: randomness comes from `getrandom`, AES from [`symmetric`]'s seam, ECIES's
//! hashes from [`hash`]'s; nothing names a browser type. Encryption and decryption are `async` (Web
//! Crypto is); natively, where they complete at once, the synchronous forms (`ecies::decrypt`,
//! `aead::decrypt_envelope`, …) serve the server, the tests and the fuzz targets.

pub mod aead;
pub mod curve;
pub mod ecies;
mod field;
pub mod hash;
pub mod keys;
mod limbs;
mod scalar;
pub mod signature;
pub mod symmetric;

mod util;

pub use keys::{public_key_from_hex, SessionKey};
