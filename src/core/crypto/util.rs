//! Small helpers shared by the crypto modules.

use crate::core::error::{Error, Result};
use crate::core::text;

/// Strips an optional `0x`/`0X` prefix.
pub(crate) fn strip_0x(s: &str) -> &str {
    s.strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s)
}

/// Fills `buf` from the platform CSPRNG.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<()> {
    // The code, not getrandom's Display: that one drags std::io's error-kind names into the wasm.
    getrandom::getrandom(buf).map_err(|e| {
        let mut message = String::from("random number generator failed (getrandom error ");
        text::push_dec(&mut message, u64::from(e.code().get()));
        message.push(')');
        Error::Crypto(message)
    })
}

/// Decodes hex (either case) into bytes, naming `what` in the error.
pub(crate) fn decode_hex(s: &str, what: &str) -> Result<Vec<u8>> {
    text::unhex(s).ok_or_else(|| Error::Crypto(text::cat(&[what, " is not valid hex"])))
}

/// Decodes lowercase-only hex: a stricter form for formats this SDK writes itself, so that a changed
/// letter case is a changed byte.
pub(crate) fn decode_lower_hex(s: &str, what: &str) -> Result<Vec<u8>> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(Error::Crypto(text::cat(&[what, " is not lowercase hex"])));
    }
    decode_hex(s, what)
}
