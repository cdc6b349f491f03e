//! Browser implementations of the core seams. Nothing here panics on a missing or blocked API: it
//! reports a typed error.

pub mod cookie_storage;
pub mod fetch;
pub mod js_adapter;
pub mod js_error;
pub mod json_parse;
pub mod locks;
pub mod random;
pub mod snippet;
pub mod subtle;
pub mod tab_sync;
pub mod task;
pub mod timer;
pub mod web_storage;
