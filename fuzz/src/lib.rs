//! Shared invariants of the fuzz targets; `tests/properties.rs` and `server/tests/properties.rs`
//! include the same files as proptest properties.

pub mod sdk;
pub mod server;

use libfuzzer_sys::arbitrary::Unstructured;

/// Up to 8 (byte offset, bit) flips.
pub fn flips(u: &mut Unstructured<'_>) -> Vec<(u16, u8)> {
    let n = u.int_in_range(0..=8u8).unwrap_or(0);
    (0..n)
        .map(|_| (u.arbitrary().unwrap_or(0), u.arbitrary().unwrap_or(0)))
        .collect()
}

/// A string of up to `max` bytes (lossy UTF-8).
pub fn text(u: &mut Unstructured<'_>, max: usize) -> String {
    let len = u.int_in_range(0..=max).unwrap_or(0);
    let bytes = u.bytes(len.min(u.len())).unwrap_or(&[]);
    String::from_utf8_lossy(bytes).into_owned()
}
