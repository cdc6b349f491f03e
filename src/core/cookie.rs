//! Cookie strings (PROTOCOL.md §2): what `CookieStorage` writes to and reads from `document.cookie`.
//! Pure string logic, so that every rule is tested natively.

use crate::core::error::{Error, Result};
use crate::core::text;

/// A cookie name must be non-empty and free of `=`, `;`, `,`, whitespace and control characters,
/// or it would be split or would inject attributes.
pub fn check_name(key: &str) -> Result<()> {
    let bad = key.is_empty()
        || key
            .chars()
            .any(|c| matches!(c, '=' | ';' | ',') || c.is_whitespace() || c.is_control());
    if bad {
        return Err(Error::InvalidOption(
            "a cookie name must be non-empty, without '=', ';', ',', spaces or control characters"
                .to_owned(),
        ));
    }
    Ok(())
}

/// The browser limit on one cookie's `name=value` (RFC 6265 §6.1 asks for at least 4096 bytes; Chromium
/// and Firefox drop larger ones silently).
pub const MAX_COOKIE_BYTES: usize = 4096;

/// `SameSite` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `Strict` (the default)
    Strict,
    /// `Lax`
    Lax,
    /// `None` (needs `Secure`)
    None,
}

impl SameSite {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Strict => "Strict",
            Self::Lax => "Lax",
            Self::None => "None",
        }
    }
}

/// `CookieStorage` options, with the original's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieOptions {
    /// `Path`, default `/`; omitted when empty.
    pub path: String,
    /// `Domain`, default empty (omitted).
    pub domain: String,
    /// `SameSite`, default `Strict`; `None` in the options object omits it.
    pub same_site: Option<SameSite>,
    /// `Secure`, default true.
    pub secure: bool,
    /// `Max-Age` in seconds, default 30 days; 0 (or less) makes a session cookie.
    pub max_age: i64,
}

impl Default for CookieOptions {
    fn default() -> Self {
        Self {
            path: "/".into(),
            domain: String::new(),
            same_site: Some(SameSite::Strict),
            secure: true,
            max_age: 2_592_000,
        }
    }
}

impl CookieOptions {
    /// Rejects option sets a browser would refuse (`SameSite=None` without `Secure`) and `path` or
    /// `domain` values that would inject attributes (`domain: "x.com; SameSite=None"`) or break the
    /// cookie string (`;`, control characters; whitespace and `,` in a domain).
    pub fn validate(&self) -> Result<()> {
        if self.same_site == Some(SameSite::None) && !self.secure {
            return Err(Error::CookieInsecureSameSiteNone);
        }
        if self.path.chars().any(|c| c == ';' || c.is_control()) {
            return Err(Error::InvalidOption(
                "cookieOptions.path must not contain ';' or control characters".to_owned(),
            ));
        }
        if self
            .domain
            .chars()
            .any(|c| matches!(c, ';' | ',') || c.is_whitespace() || c.is_control())
        {
            return Err(Error::InvalidOption(
                "cookieOptions.domain must be a domain name (no ';', ',', spaces or control characters)"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    fn push_common(&self, out: &mut String) {
        if !self.path.is_empty() {
            out.push_str("; Path=");
            out.push_str(&self.path);
        }
        if !self.domain.is_empty() {
            out.push_str("; Domain=");
            out.push_str(&self.domain);
        }
    }

    /// The string `set` writes:
    /// `{key}={encodeURIComponent(value)}; Path=..; Domain=..; SameSite=..; Secure; Max-Age=..`.
    pub fn set_string(&self, key: &str, value: &str) -> Result<String> {
        self.validate()?;
        check_name(key)?;
        let mut out = String::with_capacity(key.len() + value.len() + 64);
        out.push_str(key);
        out.push('=');
        out.push_str(&encode_uri_component(value));
        let size = out.len();
        if size > MAX_COOKIE_BYTES {
            return Err(Error::CookieTooLarge {
                name: key.to_owned(),
                size,
                limit: MAX_COOKIE_BYTES,
            });
        }
        self.push_common(&mut out);
        if let Some(same_site) = self.same_site {
            out.push_str("; SameSite=");
            out.push_str(same_site.as_str());
        }
        if self.secure {
            out.push_str("; Secure");
        }
        if self.max_age > 0 {
            out.push_str("; Max-Age=");
            text::push_dec(&mut out, self.max_age.unsigned_abs());
        }
        Ok(out)
    }

    /// The string `remove` writes: `{key}=; Path=..; Domain=..; Max-Age=0`.
    pub fn remove_string(&self, key: &str) -> String {
        let mut out = text::cat(&[key, "="]);
        self.push_common(&mut out);
        out.push_str("; Max-Age=0");
        out
    }
}

/// Finds cookie `name` in a `document.cookie` string: split on `;`, trim, split on the first `=`,
/// exact name match, `decodeURIComponent`. A value that does not decode reads as `None`.
pub fn find_cookie(cookie_header: &str, name: &str) -> Option<String> {
    cookie_header.split(';').find_map(|part| {
        let (n, v) = part.trim().split_once('=')?;
        (n == name).then(|| decode_uri_component(v))?
    })
}

/// JS `encodeURIComponent`: UTF-8 bytes percent-encoded except `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
pub fn encode_uri_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
    out
}

/// JS `decodeURIComponent`; `None` where JS would throw `URIError` (a bad escape or invalid UTF-8).
pub fn decode_uri_component(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex_val(*bytes.get(i + 1)?)?;
            let lo = hex_val(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}
