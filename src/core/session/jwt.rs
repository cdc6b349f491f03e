//! Reading a JWT's `exp` claim without verifying anything: the client only needs to know whether a
//! token it holds is worth sending. A token that is not a JWT has an unknown expiry.

/// Tokens expiring within this many milliseconds count as expired.
pub const EXPIRY_SKEW_MS: u64 = 30_000;

/// The `exp` claim of `token`, in milliseconds since the epoch, or `None` when the token is not a
/// JWT with a numeric `exp`.
pub fn expiry_ms(token: &str) -> Option<u64> {
    claim_ms(token, "exp")
}

/// The `iat` claim of `token`, in milliseconds since the epoch.
pub fn issued_at_ms(token: &str) -> Option<u64> {
    claim_ms(token, "iat")
}

/// The lifetime the server gave `token` (`exp - iat`), in milliseconds: measured on the server's
/// clock alone, so a client clock that is off does not change it.
pub fn lifetime_ms(token: &str) -> Option<u64> {
    let (exp, iat) = (expiry_ms(token)?, issued_at_ms(token)?);
    exp.checked_sub(iat)
}

/// True when `candidate` is a JWT that expires no earlier than `than`: a token issued after it
/// (in the same second, the two `exp` are equal). Comparing two `exp` claims needs no client clock.
pub fn expires_no_earlier(candidate: &str, than: &str) -> Option<bool> {
    Some(expiry_ms(candidate)? >= expiry_ms(than)?)
}

/// A numeric claim in seconds, as milliseconds.
fn claim_ms(token: &str, claim: &str) -> Option<u64> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let json = base64url_decode(payload)?;
    let claims = crate::core::json::parse(std::str::from_utf8(&json).ok()?).ok()?;
    let secs = claims.get(claim)?.as_f64()?;
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    // Seconds to milliseconds; saturating, as `as` does for floats.
    Some((secs * 1000.0) as u64)
}

/// True when `token` is a JWT whose `exp` is at or before `now_ms + EXPIRY_SKEW_MS`.
/// An unknown expiry counts as not expired.
pub fn is_expired(token: &str, now_ms: u64) -> bool {
    expiry_ms(token).is_some_and(|exp| exp <= now_ms.saturating_add(EXPIRY_SKEW_MS))
}

/// Decodes unpadded (or padded) base64url; `None` on any other character.
fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    let input = input.trim_end_matches('=');
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for byte in input.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover character (6 bits) cannot encode a byte.
    if bits >= 6 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64url() {
        assert_eq!(base64url_decode("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64url_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64url_decode("-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(base64url_decode("a"), None);
        assert_eq!(base64url_decode("a*b"), None);
    }

    #[test]
    fn reads_exp() {
        // {"alg":"none"} . {"sub":"x","exp":1700000000}
        let token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiZXhwIjoxNzAwMDAwMDAwfQ.sig";
        assert_eq!(expiry_ms(token), Some(1_700_000_000_000));
        assert!(is_expired(token, 1_700_000_000_000 - EXPIRY_SKEW_MS));
        assert!(!is_expired(token, 1_700_000_000_000 - EXPIRY_SKEW_MS - 1));
    }

    #[test]
    fn non_jwt_has_unknown_expiry() {
        assert_eq!(expiry_ms("opaque-token"), None);
        assert_eq!(expiry_ms("a.b"), None);
        assert_eq!(expiry_ms("a.b.c.d"), None);
        assert_eq!(expiry_ms("a.!!.c"), None);
        // {"sub":"x"}: no exp
        assert_eq!(expiry_ms("e30.eyJzdWIiOiJ4In0.s"), None);
        assert!(!is_expired("opaque-token", u64::MAX));
    }
}
