//! Message and string building without `core::fmt`: `format!`, `to_string()` and `{}` would keep
//! the formatting machinery (`fmt::write`, `Formatter::pad_integral`, the integer `Display` impls)
//! in the wasm for texts that are only pieces glued together. Native code (tests, the server) may
//! still format as it likes; what the wasm runs builds its texts here.

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
}
