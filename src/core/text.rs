//! Message and string building without `core::fmt`, and hex (lowercase out, either case in).
//! `format!`, `to_string()` and `{}` would keep the formatting machinery (`fmt::write`,
//! `Formatter::pad_integral`, the integer `Display` impls) in the wasm for texts that are only
//! pieces glued together. Native code (tests, the server) may still format as it likes; what the
//! wasm runs builds its texts here.

/// The pieces one after the other, in one allocation.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Appends the decimal digits of `n` (as `{}` writes an unsigned integer).
pub fn push_dec(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = n;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

/// The decimal digits of `n` (as `n.to_string()` for an unsigned integer).
pub fn dec(n: u64) -> String {
    let mut out = String::with_capacity(20);
    push_dec(&mut out, n);
    out
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends `bytes` as lowercase hex.
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
        out.push(char::from(HEX_DIGITS[usize::from(b & 0x0f)]));
    }
}

/// `bytes` as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::new();
    push_hex(&mut out, bytes);
    out
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Decodes exactly `2 * out.len()` hex digits (either case) into `out`; `false` for any other
/// length or a non-hex character (`out` may then hold part of the bytes).
pub fn unhex_into(digits: &str, out: &mut [u8]) -> bool {
    let digits = digits.as_bytes();
    if digits.len() != out.len() * 2 {
        return false;
    }
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        match (hex_value(pair[0]), hex_value(pair[1])) {
            (Some(high), Some(low)) => *byte = (high << 4) | low,
            _ => return false,
        }
    }
    true
}

/// Decodes hex digits (either case, an even number of them); `None` otherwise.
pub fn unhex(digits: &str) -> Option<Vec<u8>> {
    if digits.len() % 2 != 0 {
        return None;
    }
    let mut out = vec![0u8; digits.len() / 2];
    unhex_into(digits, &mut out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dec_writes_what_display_writes() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            401,
            4096,
            65_535,
            2_592_000,
            u32::MAX as u64,
            u64::MAX,
        ] {
            assert_eq!(dec(n), n.to_string());
        }
        let mut out = String::from("x=");
        push_dec(&mut out, 42);
        assert_eq!(out, "x=42");
    }

    #[test]
    fn cat_joins_the_pieces() {
        assert_eq!(cat(&[]), "");
        assert_eq!(cat(&["a", "", "bc", "d"]), "abcd");
    }

    #[test]
    fn hex_matches_the_hex_crate() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(hex(&bytes), ::hex::encode(&bytes));
        assert_eq!(hex(&[]), "");
        let mut out = String::from("0x");
        push_hex(&mut out, &[0xab, 0x01]);
        assert_eq!(out, "0xab01");
        for text in [
            "", "00", "0f", "F0", "aBcD", "0", "abc", "0g", "g0", "zz", "+1", " 1", "é1", "1é",
            "0x12", "ffFF00",
        ] {
            assert_eq!(unhex(text), ::hex::decode(text).ok(), "{text:?}");
            let mut two = [0u8; 2];
            let ours = unhex_into(text, &mut two).then_some(two);
            let mut theirs = [0u8; 2];
            let theirs = ::hex::decode_to_slice(text, &mut theirs)
                .ok()
                .map(|()| theirs);
            assert_eq!(ours, theirs, "{text:?}");
        }
        assert_eq!(unhex(&hex(&bytes)).as_deref(), Some(&bytes[..]));
        assert_eq!(
            unhex(&hex(&bytes).to_uppercase()).as_deref(),
            Some(&bytes[..])
        );
    }
}
