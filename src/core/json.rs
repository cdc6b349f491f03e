//! A small JSON reader and writer: what the wire formats of the core need, without serde_json in the
//! wasm (STYLE.md: size is a budget).
//!
//! Reading follows RFC 8259 as `JSON.parse` does (whitespace is space, tab, CR, LF; no trailing
//! commas, no leading zeros), with serde_json's limits kept so that what it accepted or refused
//! stays so: nesting is limited to 127 levels, and [`parse`] refuses an escaped lone surrogate
//! (a Rust `String` cannot hold one) while [`is_valid`] accepts it. Writing a string escapes as
//! `JSON.stringify` does for any Rust string.
//!
//! In the wasm, [`parse`] and [`is_valid`] are the browser's own `JSON.parse` (`crate::web::json_parse`
//! walks its result into a [`Value`]): the reader below is native only (tests, fuzzing, the server's
//! view of the same formats). Differences there: a number is the text `JSON.stringify` writes for
//! the value `JSON.parse` read (`1.0` reads as `1`), an escaped lone surrogate reads as U+FFFD
//! instead of being refused, and an error carries no offset.

use std::fmt;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as its source text (valid JSON number syntax).
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object's members in source order. A key given twice appears twice; [`Value::get`] takes
    /// the last one, as `JSON.parse` does.
    Object(Vec<(String, Value)>),
}

/// Why a text is not JSON, and the byte offset where that was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    what: &'static str,
    at: usize,
}

impl ParseError {
    /// An error of the browser's reader (no offset).
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn browser(what: &'static str) -> Self {
        Self { what, at: 0 }
    }

    /// The byte offset of the problem.
    pub fn offset(&self) -> usize {
        self.at
    }

    /// `{what} at byte {offset}` (also its `Display`), built without `core::fmt`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn message(&self) -> String {
        let mut out = crate::core::text::cat(&[self.what, " at byte "]);
        crate::core::text::push_dec(&mut out, self.at as u64);
        out
    }

    /// `{what}` (the browser's reader gives no offset).
    #[cfg(target_arch = "wasm32")]
    pub fn message(&self) -> String {
        self.what.to_owned()
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ParseError {}

/// Nesting deeper than this is refused (serde_json's limit).
pub(crate) const MAX_DEPTH: u32 = 127;

#[cfg(target_arch = "wasm32")]
pub use crate::web::json_parse::{is_valid, parse};

/// Parses one JSON value surrounded by optional whitespace.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let mut parser = Parser::new(text);
    let value = parser.document()?;
    match parser.lone_surrogate {
        Some(at) => Err(ParseError {
            what: "lone surrogate in a \\u escape",
            at,
        }),
        None => Ok(value),
    }
}

/// True when `text` is one JSON value (lone surrogate escapes allowed, as `JSON.parse` allows them).
#[cfg(not(target_arch = "wasm32"))]
pub fn is_valid(text: &str) -> bool {
    Parser::new(text).document().is_ok()
}

/// Appends `s` as a JSON string literal, escaped as `JSON.stringify` escapes it: `"` and `\`,
/// `\b \f \n \r \t`, other control characters as `\u00xx`; everything else as is.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        } else {
            out.push_str(short);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// `s` as a JSON string literal (see [`write_str`]).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str(&mut out, s);
    out
}

/// The members `names` of an object, read the way serde's derived `Deserialize` reads a struct:
/// not an object, or one of `names` given twice, is an error; with `deny_unknown`, so is any other
/// member. A missing member is `None`.
pub fn fields<'a, const N: usize>(
    value: &'a Value,
    names: [&str; N],
    deny_unknown: bool,
) -> Result<[Option<&'a Value>; N], &'static str> {
    let Value::Object(members) = value else {
        return Err("not a JSON object");
    };
    let mut found = [None; N];
    for (key, v) in members {
        match names.iter().position(|n| n == key) {
            Some(i) if found[i].is_some() => return Err("duplicate field"),
            Some(i) => found[i] = Some(v),
            None if deny_unknown => return Err("unknown field"),
            None => {}
        }
    }
    Ok(found)
}

impl Value {
    /// The member `key` of an object (the last one if given twice); `None` for other values.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Self::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number as `JSON.parse` reads it (out of range: ±infinity, too small: 0), if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            Self::Number(text) => Some(number_to_f64(text)),
            // The text JSON.stringify wrote for a number JSON.parse read: reading it back gives
            // that number exactly.
            #[cfg(target_arch = "wasm32")]
            Self::Number(text) => js_sys::JSON::parse(text).ok()?.as_f64(),
            _ => None,
        }
    }

    /// JavaScript truthiness.
    pub fn is_truthy(&self) -> bool {
        match self {
            Self::Null => false,
            Self::Bool(b) => *b,
            Self::Number(_) => self.as_f64().is_some_and(|f| f != 0.0),
            Self::String(s) => !s.is_empty(),
            Self::Array(_) | Self::Object(_) => true,
        }
    }

    /// Appends the value as compact JSON; an object key given twice is written once, at its first
    /// place with its last value (what `JSON.stringify(JSON.parse(text))` does).
    pub fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Number(text) => out.push_str(text),
            Self::String(s) => write_str(out, s),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Self::Object(members) => {
                out.push('{');
                let mut first = true;
                for (i, (key, _)) in members.iter().enumerate() {
                    if members[..i].iter().any(|(k, _)| k == key) {
                        continue;
                    }
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    write_str(out, key);
                    out.push(':');
                    if let Some(v) = self.get(key) {
                        v.write(out);
                    }
                }
                out.push('}');
            }
        }
    }

    /// The value as compact JSON (see [`Value::write`]).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// The value of a valid JSON number text. Exact (correctly rounded) when the significant digits fit
/// in 2^53 and the decimal exponent is within ±22 — every timestamp and small number; otherwise
/// within an ulp or so. Written out rather than `str::parse::<f64>` to keep core's 4 KB decimal
/// float parser out of the wasm.
#[cfg(not(target_arch = "wasm32"))]
fn number_to_f64(text: &str) -> f64 {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (digits, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    let mut mantissa: u64 = 0;
    let mut exp10: i64 = 0;
    let mut after_point = false;
    for b in digits.bytes() {
        if b == b'.' {
            after_point = true;
            continue;
        }
        if mantissa < 1_000_000_000_000_000_000 / 10 {
            mantissa = mantissa * 10 + u64::from(b - b'0');
            exp10 -= i64::from(after_point);
        } else {
            // Digits past 18 significant ones only move the exponent.
            exp10 += i64::from(!after_point);
        }
    }
    // Trailing zeros of the kept digits only scale: without them more texts take the exact path
    // below (`340000000000.500000` is 3400000000005e-1, not 340000000000500000e-6).
    while mantissa != 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        exp10 += 1;
    }
    let (exp_negative, exp_digits) = match exponent.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, exponent.strip_prefix('+').unwrap_or(exponent)),
    };
    let mut e: i64 = 0;
    for b in exp_digits.bytes() {
        e = (e * 10 + i64::from(b - b'0')).min(1 << 20);
    }
    exp10 += if exp_negative { -e } else { e };
    let mut value = mantissa as f64;
    if mantissa != 0 {
        if mantissa <= 1 << 53 && (-22..=22).contains(&exp10) {
            // Both operands exact: one correctly rounded operation.
            let scale = pow10(exp10.unsigned_abs() as u32);
            value = if exp10 < 0 {
                value / scale
            } else {
                value * scale
            };
        } else {
            while exp10 > 0 && value.is_finite() {
                let step = exp10.min(22);
                value *= pow10(step as u32);
                exp10 -= step;
            }
            while exp10 < 0 && value != 0.0 {
                let step = (-exp10).min(22);
                value /= pow10(step as u32);
                exp10 += step;
            }
        }
    }
    if negative {
        -value
    } else {
        value
    }
}

/// 10^n for n <= 22 (exact in an f64).
#[cfg(not(target_arch = "wasm32"))]
fn pow10(n: u32) -> f64 {
    let mut p = 1.0;
    for _ in 0..n {
        p *= 10.0;
    }
    p
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

#[cfg(not(target_arch = "wasm32"))]
struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
    /// Where the first escaped lone surrogate was (decoded as U+FFFD).
    lone_surrogate: Option<usize>,
}

#[cfg(not(target_arch = "wasm32"))]
type Parsed<T> = Result<T, ParseError>;

#[cfg(not(target_arch = "wasm32"))]
impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            depth: 0,
            lone_surrogate: None,
        }
    }

    fn fail<T>(&self, what: &'static str) -> Parsed<T> {
        Err(ParseError { what, at: self.pos })
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn document(&mut self) -> Parsed<Value> {
        let value = self.value()?;
        self.skip_ws();
        if self.pos < self.text.len() {
            return self.fail("trailing characters");
        }
        Ok(value)
    }

    fn value(&mut self) -> Parsed<Value> {
        self.skip_ws();
        match self.peek() {
            None => self.fail("unexpected end of input"),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.fail("expected a value"),
        }
    }

    fn enter(&mut self) -> Parsed<()> {
        if self.depth >= MAX_DEPTH {
            return self.fail("nested too deeply");
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    fn object(&mut self) -> Parsed<Value> {
        self.enter()?;
        let mut members = Vec::new();
        self.skip_ws();
        if !self.eat(b'}') {
            loop {
                self.skip_ws();
                if self.peek() != Some(b'"') {
                    return self.fail("expected a key");
                }
                let key = self.string()?;
                self.skip_ws();
                if !self.eat(b':') {
                    return self.fail("expected ':'");
                }
                let value = self.value()?;
                members.push((key, value));
                self.skip_ws();
                if self.eat(b'}') {
                    break;
                }
                if !self.eat(b',') {
                    return self.fail("expected ',' or '}'");
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Object(members))
    }

    fn array(&mut self) -> Parsed<Value> {
        self.enter()?;
        let mut items = Vec::new();
        self.skip_ws();
        if !self.eat(b']') {
            loop {
                items.push(self.value()?);
                self.skip_ws();
                if self.eat(b']') {
                    break;
                }
                if !self.eat(b',') {
                    return self.fail("expected ',' or ']'");
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    fn literal(&mut self, word: &str, value: Value) -> Parsed<Value> {
        if !self.text[self.pos..].starts_with(word) {
            return self.fail("expected a value");
        }
        self.pos += word.len();
        Ok(value)
    }

    /// Digits at the cursor; how many.
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Parsed<Value> {
        let start = self.pos;
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return self.fail("invalid number");
        }
        if self.eat(b'.') && self.digits() == 0 {
            return self.fail("invalid number");
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _ = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return self.fail("invalid number");
            }
        }
        Ok(Value::Number(self.text[start..self.pos].to_owned()))
    }

    /// A string literal; the cursor is on its opening quote.
    fn string(&mut self) -> Parsed<String> {
        self.pos += 1;
        let mut out = String::new();
        let mut start = self.pos;
        loop {
            match self.peek() {
                None => return self.fail("unterminated string"),
                Some(b'"') => {
                    out.push_str(&self.text[start..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[start..self.pos]);
                    self.pos += 1;
                    let c = self.escape()?;
                    out.push(c);
                    start = self.pos;
                }
                Some(0..=0x1f) => return self.fail("control character in a string"),
                Some(_) => self.pos += 1,
            }
        }
    }

    /// The character of an escape; the cursor is after its backslash.
    fn escape(&mut self) -> Parsed<char> {
        let Some(b) = self.peek() else {
            return self.fail("unterminated string");
        };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let at = self.pos - 2;
                let n = self.hex4()?;
                let mut c = char::from_u32(n);
                if (0xD800..0xDC00).contains(&n) && self.text[self.pos..].starts_with("\\u") {
                    let before = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        c = char::from_u32(0x10000 + ((n - 0xD800) << 10) + (low - 0xDC00));
                    } else {
                        // Not a pair: the second escape is read on its own.
                        self.pos = before;
                    }
                }
                c.unwrap_or_else(|| {
                    self.lone_surrogate.get_or_insert(at);
                    '\u{FFFD}'
                })
            }
            _ => {
                self.pos -= 1;
                return self.fail("invalid escape");
            }
        })
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let mut n = 0;
        for _ in 0..4 {
            let Some(d) = self.peek().and_then(|b| char::from(b).to_digit(16)) else {
                return self.fail("invalid \\u escape");
            };
            n = n * 16 + d;
            self.pos += 1;
        }
        Ok(n)
    }
}

// The reader's own tests: native only, as the reader is (the wasm reads with `JSON.parse`: its
// tests are the browser tests in tests/web_json.rs).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.to_owned())
    }

    fn n(text: &str) -> Value {
        Value::Number(text.to_owned())
    }

    #[test]
    fn parses_scalars() {
        assert_eq!(parse("null"), Ok(Value::Null));
        assert_eq!(parse(" true "), Ok(Value::Bool(true)));
        assert_eq!(parse("\t\r\nfalse\n"), Ok(Value::Bool(false)));
        assert_eq!(parse(r#""abc""#), Ok(s("abc")));
        assert_eq!(parse(r#""""#), Ok(s("")));
        for num in [
            "0",
            "-0",
            "1",
            "-12",
            "1.5",
            "0.25",
            "1e3",
            "1E+3",
            "-2.5e-7",
            "12345678901234567890123",
        ] {
            assert_eq!(parse(num), Ok(n(num)), "{num}");
        }
    }

    #[test]
    fn numbers() {
        // Found by the jwt_claims fuzz target: more digits than an f64 holds, trailing zeros kept.
        assert_eq!(
            parse("340000000000.500000001").unwrap().as_f64(),
            Some(340000000000.5)
        );
        assert_eq!(parse("1e3").unwrap().as_f64(), Some(1000.0));
        assert_eq!(parse("-2.5").unwrap().as_f64(), Some(-2.5));
        assert_eq!(parse("1700000000").unwrap().as_f64(), Some(1.7e9));
        assert_eq!(parse("1e400").unwrap().as_f64(), Some(f64::INFINITY));
        assert_eq!(parse(r#""1""#).unwrap().as_f64(), None);
        for bad in [
            "01", "-", "+1", "1.", ".5", "1e", "1e+", "-01", "0x10", "NaN", "Infinity", "1.e3",
            "--1",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_to_f64_like_str_parse() {
        for text in [
            "0",
            "-0",
            "1",
            "-1",
            "1700000000",
            "1700000000.5",
            "1700000000.123",
            "0.1",
            "0.3",
            "2.5e-3",
            "123456789012345",
            "9007199254740992",
            "9007199254740993",
            "1e22",
            "1e-22",
            "4.35e15",
            "1.7976931348623157e308",
            "1e400",
            "-1e400",
            "1e-400",
            "0e5",
            "0.000",
            "12345678901234567890123",
            "5e-324",
            "1E+2",
            "-0.5E-1",
        ] {
            let ours = number_to_f64(text);
            let exact: f64 = text.parse().unwrap();
            let close = ours == exact
                || ((ours - exact) / exact).abs() < 1e-15
                || (exact.abs() < 1e-300 && (ours - exact).abs() < 1e-320);
            assert!(close, "{text}: {ours} vs {exact}");
            if text.len() < 16 && !text.contains('e') && !text.contains('E') {
                assert_eq!(ours.to_bits(), exact.to_bits(), "{text} exact");
            }
        }
        assert!(number_to_f64("-0").is_sign_negative());
    }

    #[test]
    fn parses_escapes() {
        assert_eq!(
            parse(r#""a\"b\\c\/d\be\ff\ng\rh\ti""#),
            Ok(s("a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti"))
        );
        assert_eq!(parse(r#""\u0041\u00e9\u20AC""#), Ok(s("Aé€")));
        assert_eq!(parse(r#""\u0000""#), Ok(s("\0")));
        assert_eq!(parse("\"é€😀 raw\""), Ok(s("é€😀 raw")));
        // A surrogate pair is one character.
        assert_eq!(parse(r#""\ud83d\ude00""#), Ok(s("😀")));
        assert_eq!(parse(r#""x\uD83D\uDE00y""#), Ok(s("x😀y")));
        for bad in [
            r#""\x""#,
            r#""\u12""#,
            r#""\u12G4""#,
            r#""\"#,
            r#""abc"#,
            "\"a\nb\"",
            "\"\u{1}\"",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lone_surrogates() {
        for lone in [
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud800x""#,
            r#""\ud800\u0041""#,
            r#""\ud800\ud800""#,
        ] {
            assert!(parse(lone).is_err(), "{lone}");
            assert!(is_valid(lone), "{lone}");
        }
        // After a lone lead, the next escape is read on its own.
        let mut p = Parser::new(r#""\ud800\u0041""#);
        assert_eq!(p.document(), Ok(s("\u{FFFD}A")));
        assert_eq!(p.lone_surrogate, Some(1));
        assert!(!is_valid(r#""\ud800\u00""#));
    }

    #[test]
    fn parses_nesting_in_order() {
        let v = parse(r#" { "b" : [1, {"c": null}, []], "a": {}, "b": "again" } "#).unwrap();
        assert_eq!(
            v,
            Value::Object(vec![
                (
                    "b".into(),
                    Value::Array(vec![
                        n("1"),
                        Value::Object(vec![("c".into(), Value::Null)]),
                        Value::Array(vec![])
                    ])
                ),
                ("a".into(), Value::Object(vec![])),
                ("b".into(), s("again")),
            ])
        );
        assert_eq!(v.get("b"), Some(&s("again")));
        assert_eq!(v.get("z"), None);
        assert_eq!(s("x").get("x"), None);
        assert_eq!(v.to_json(), r#"{"b":"again","a":{}}"#);
    }

    #[test]
    fn depth_limit_is_serde_jsons() {
        let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse(&deep).is_err());
        let deep_obj = format!("{}1{}", r#"{"a":"#.repeat(128), "}".repeat(128));
        assert!(!is_valid(&deep_obj));
        // Depth is nesting, not count.
        let wide = format!("[{}]", vec!["[]"; 500].join(","));
        assert!(is_valid(&wide));
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "{'a':1}",
            "{\"a\":1 \"b\":2}",
            "[1 2]",
            "tru",
            "nul",
            "True",
            "1 2",
            "{}x",
            "\u{feff}{}",
            "\u{a0}1",
            "\"a\"\"b\"",
            "[1]]",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
            assert!(!is_valid(bad), "{bad:?}");
        }
        let err = parse("[1,]").unwrap_err();
        assert_eq!(err.offset(), 3);
        assert_eq!(err.to_string(), "expected a value at byte 3");
    }

    #[test]
    fn writes_strings_like_json_stringify() {
        assert_eq!(quote("abc"), r#""abc""#);
        assert_eq!(quote(""), r#""""#);
        assert_eq!(quote("a\"b\\c/d"), r#""a\"b\\c/d""#);
        assert_eq!(quote("\u{8}\u{c}\n\r\t"), r#""\b\f\n\r\t""#);
        assert_eq!(
            quote("\0\u{1}\u{1f}\u{7f}"),
            "\"\\u0000\\u0001\\u001f\u{7f}\""
        );
        assert_eq!(quote("é€😀\u{2028}"), "\"é€😀\u{2028}\"");
        // Every string round-trips.
        for text in [
            "",
            "plain",
            "q\"b\\s",
            "\u{0}\u{1f} é😀",
            "\u{2029}</script>",
        ] {
            assert_eq!(parse(&quote(text)), Ok(s(text)));
        }
    }

    #[test]
    fn writes_values() {
        let text = r#"{"a":[1,-2.5e3,true,false,null],"b":{"c":"d\n"},"e":""}"#;
        assert_eq!(parse(text).unwrap().to_json(), text);
        assert_eq!(parse(" [ ] ").unwrap().to_string(), "[]");
    }

    #[test]
    fn truthiness() {
        for (text, truthy) in [
            ("null", false),
            ("false", false),
            ("true", true),
            ("0", false),
            ("-0", false),
            ("0.0e5", false),
            ("1e-400", false),
            ("2", true),
            ("\"\"", false),
            ("\"0\"", true),
            ("[]", true),
            ("{}", true),
        ] {
            assert_eq!(parse(text).unwrap().is_truthy(), truthy, "{text}");
        }
    }

    #[test]
    fn reads_fields_like_serde_derive() {
        let v = parse(r#"{"a":"1","x":2,"b":null}"#).unwrap();
        assert_eq!(
            fields(&v, ["a", "b", "c"], false),
            Ok([Some(&s("1")), Some(&Value::Null), None])
        );
        assert_eq!(fields(&v, ["a", "b"], true), Err("unknown field"));
        let dup = parse(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(fields(&dup, ["a"], false), Err("duplicate field"));
        assert!(fields(&dup, ["b"], false).is_ok());
        assert_eq!(fields(&Value::Null, ["a"], false), Err("not a JSON object"));
    }

    #[test]
    fn accepts_and_refuses_what_serde_json_did() {
        let corpus = [
            "{}",
            "[]",
            "0",
            "-0.0e-0",
            "\"x\"",
            " {\"a\" : [ 1 , 2 ] } ",
            "{\"a\":1,\"a\":2}",
            "[1,]",
            "{,}",
            "01",
            "1.",
            ".1",
            "+1",
            "\"\\ud800\"",
            "\"\\udc00\\ud800\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud83d\\u0041\"",
            "\"\\q\"",
            "\"\t\"",
            "\"\u{7f}\"",
            "nul",
            "null ",
            "[null,true,false]",
            "[[[[]]]]",
            "{\"a\":{\"b\":{}}}",
            "\u{feff}1",
            "\u{c}1",
            "1 1",
            "\"\\u00e9\\u00E9\"",
            "[\"\\/\"]",
            "-",
            "--1",
            "1e5",
            "1E-5",
            "1e+",
        ];
        let mut every: String = (0u8..0x80).map(char::from).collect();
        every.push_str("é€😀\u{2028}\u{2029}\u{fffd}");
        assert_eq!(quote(&every), serde_json::to_string(&every).unwrap());
        for text in corpus {
            let strict = serde_json::from_str::<serde_json::Value>(text).is_ok();
            let any = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
            assert_eq!(parse(text).is_ok(), strict, "parse {text:?}");
            assert_eq!(is_valid(text), any, "is_valid {text:?}");
            if let (Ok(ours), Ok(theirs)) =
                (parse(text), serde_json::from_str::<serde_json::Value>(text))
            {
                // Same structure: compare through serde_json (numbers as f64).
                let back: serde_json::Value = serde_json::from_str(&ours.to_json()).unwrap();
                assert_eq!(back.to_string(), theirs.to_string(), "{text:?}");
            }
        }
    }
}
