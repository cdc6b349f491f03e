//! The target-independent core: session logic, crypto and the seams (storage, transport, lock, clock)
//! it talks through. Nothing here names a browser type, so all of it is tested natively.

pub mod clock;
pub mod cookie;
pub mod crypto;
pub mod error;
pub mod http;
pub mod json;
pub mod keys;
pub mod lock;
pub mod metadata;
pub mod session;
pub mod storage;
pub mod text;
pub mod transport;
