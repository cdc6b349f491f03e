//! `core::json::parse` and `is_valid` in the browser: the text goes through the browser's own
//! `JSON.parse`, so the wasm carries no JSON reader of its own (the core's reader stays native:
//! tests, fuzzing).
//!
//! What `JSON.parse` made crosses into the wasm in one call, as a tape (the snippet's `tape`): a
//! string of tagged items, read here without calling back into JS. Walking the JS value from Rust
//! took ~30 calls across the boundary for a refresh answer. Items: `n` null, `t`/`f` booleans,
//! `#<len>:<text>` a number as `JSON.stringify` writes it (`-0` kept: it reads back as the same
//! `f64`, `Value::as_f64`), `"<len>:<text>` a string, `[<count>:` an array of `count` items,
//! `{<count>:` an object of `count` members, each `<len>:<key>` then its item. Lengths count UTF-16
//! units, as JS strings do, so no character needs escaping. An object's members come in
//! `Object.keys` order, the order `JSON.stringify(JSON.parse(text))` writes (a key given twice once,
//! with its last value). Nesting deeper than the core's limit is refused, as natively.

use crate::core::json::{ParseError, Value, MAX_DEPTH};
use crate::web::snippet::json_tape;

/// One JSON value, read by `JSON.parse`.
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let tape = json_tape(text, MAX_DEPTH)
        .map_err(|_| ParseError::browser("not JSON"))?
        .ok_or_else(|| ParseError::browser("nested too deeply"))?;
    read_tape(&tape).ok_or_else(|| ParseError::browser("unreadable JSON.parse result"))
}

/// The value a tape of the snippet's `tape` holds; `None` if it is not one the snippet writes.
pub fn read_tape(tape: &str) -> Option<Value> {
    let mut reader = Tape { rest: tape };
    reader.value().filter(|_| reader.rest.is_empty())
}

/// True when `JSON.parse` accepts `text` (and it is nested no deeper than the core's limit, as
/// natively).
pub fn is_valid(text: &str) -> bool {
    matches!(json_tape(text, MAX_DEPTH), Ok(Some(_)))
}

/// A reader of the tape: what is left of it.
struct Tape<'a> {
    rest: &'a str,
}

impl<'a> Tape<'a> {
    /// The next item as a value; `None` if the tape is not one the snippet writes.
    fn value(&mut self) -> Option<Value> {
        let tag = self.rest.as_bytes().first().copied()?;
        self.rest = &self.rest[1..];
        Some(match tag {
            b'n' => Value::Null,
            b't' => Value::Bool(true),
            b'f' => Value::Bool(false),
            b'#' => Value::Number(self.text()?.to_owned()),
            b'"' => Value::String(self.text()?.to_owned()),
            b'[' => {
                let count = self.count()?;
                let mut items = Vec::new();
                for _ in 0..count {
                    items.push(self.value()?);
                }
                Value::Array(items)
            }
            b'{' => {
                let count = self.count()?;
                let mut members = Vec::new();
                for _ in 0..count {
                    let key = self.text()?.to_owned();
                    members.push((key, self.value()?));
                }
                Value::Object(members)
            }
            _ => return None,
        })
    }

    /// `<digits>:`, the number.
    fn count(&mut self) -> Option<usize> {
        let mut count = 0usize;
        for (i, b) in self.rest.bytes().enumerate() {
            match b {
                b'0'..=b'9' => count = count.checked_mul(10)?.checked_add(usize::from(b - b'0'))?,
                b':' if i > 0 => {
                    self.rest = &self.rest[i + 1..];
                    return Some(count);
                }
                _ => return None,
            }
        }
        None
    }

    /// `<len>:` then that many UTF-16 units of text.
    fn text(&mut self) -> Option<&'a str> {
        let mut units = self.count()?;
        // ASCII (tokens, hex, base64: nearly every text a server sends) is one byte per unit: no
        // walk char by char (a refresh answer's session data is ~600 of them).
        let ascii = self
            .rest
            .as_bytes()
            .get(..units)
            .filter(|b| b.iter().all(|&c| c < 0x80));
        let mut end = if ascii.is_some() {
            std::mem::take(&mut units)
        } else {
            0
        };
        let mut chars = self.rest.chars();
        while units > 0 {
            let c = chars.next()?;
            units = units.checked_sub(c.len_utf16())?;
            end += c.len_utf8();
        }
        let (text, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(text)
    }
}
