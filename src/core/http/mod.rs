//! The target-independent `HttpClient` (PROTOCOL.md §8): JSON requests, and authenticated requests
//! that wait for any refresh in flight, share one refresh on 401 and retry once.
//!
//! - [`request`]: per-request options, building the request, the result type.
//! - [`client`]: [`HttpClient`] and its 401 policy.

pub mod client;
pub mod request;

pub use client::HttpClient;
pub use request::{HttpResult, RequestOptions, DEFAULT_API_KEY, DEFAULT_TIMEOUT_MS};
