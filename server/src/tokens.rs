//! JSON Web Tokens, HS256 only. The algorithm is pinned: a token whose header names anything but
//! `HS256` (including `none`, `ES256`, `RS256`) is rejected before its signature is looked at, so no
//! algorithm confusion is possible. Signing is deterministic, so the same claims always give the
//! same token (the grace window re-derives the current access token from its stored claims).

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::config::{AUDIENCE, ISSUER};
use crate::util::{b64url, b64url_decode};

type HmacSha256 = Hmac<Sha256>;

/// Longest token accepted for verification.
pub const MAX_TOKEN_LEN: usize = 4096;

/// The `token_use` of access tokens.
pub const USE_ACCESS: &str = "access";
/// The `token_use` of id tokens.
pub const USE_ID: &str = "id";

/// The claims of the server's tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience (a single string).
    pub aud: String,
    /// The user.
    pub sub: String,
    /// The server session id.
    pub sid: String,
    /// Token id.
    pub jti: String,
    /// Issued at, seconds.
    pub iat: u64,
    /// Not before, seconds.
    pub nbf: u64,
    /// Expiry, seconds.
    pub exp: u64,
    /// `access` or `id`: an id token is never accepted as a Bearer token.
    pub token_use: String,
    /// The session's access epoch at issue; a token below the session's minimum epoch is rejected.
    #[serde(default)]
    pub ep: u64,
    /// The user name (id tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
}

/// Why a token was rejected (for logs and `error_description`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts of JSON, or too long.
    Malformed,
    /// The header's `alg` is not `HS256`, or it carries `crit`.
    Algorithm,
    /// The signature does not match.
    Signature,
    /// Wrong `iss`, `aud` or `token_use`.
    Claims,
    /// `exp` has passed.
    Expired,
    /// `nbf` or `iat` is in the future.
    NotYetValid,
}

impl TokenError {
    /// A short description.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Malformed => "malformed token",
            Self::Algorithm => "unsupported token algorithm",
            Self::Signature => "bad token signature",
            Self::Claims => "token issuer, audience or type mismatch",
            Self::Expired => "token expired",
            Self::NotYetValid => "token not yet valid",
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

/// Signs and verifies HS256 tokens with one key.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
    leeway_ms: u64,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(<redacted>)")
    }
}

impl Signer {
    /// A signer with `key` (HMAC-SHA256 key).
    pub fn new(key: &[u8]) -> Self {
        Self {
            key: key.to_vec(),
            leeway_ms: 0,
        }
    }

    /// Tolerates `leeway_ms` of clock skew on `iat` and `nbf` (a token minted by an instance whose
    /// clock is a little ahead). `exp` gets no leeway.
    pub fn with_leeway(mut self, leeway_ms: u64) -> Self {
        self.leeway_ms = leeway_ms;
        self
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length.
        HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length")
    }

    /// `header.payload.signature`.
    pub fn sign(&self, claims: &Claims) -> String {
        let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = b64url(&serde_json::to_vec(claims).expect("claims serialise"));
        let signing_input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = b64url(&mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// Verifies signature, issuer, audience, `token_use` and time (`now_ms`; the leeway on `iat`/`nbf`).
    pub fn verify(&self, token: &str, now_ms: u64, token_use: &str) -> Result<Claims, TokenError> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let mut parts = token.split('.');
        let (header_b64, payload_b64, signature_b64) =
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(h), Some(p), Some(s), None) => (h, p, s),
                _ => return Err(TokenError::Malformed),
            };
        let header_bytes = b64url_decode(header_b64).ok_or(TokenError::Malformed)?;
        let header: Header =
            serde_json::from_slice(&header_bytes).map_err(|_| TokenError::Malformed)?;
        if header.alg != "HS256" || header.crit.is_some() {
            return Err(TokenError::Algorithm);
        }
        if header
            .typ
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("JWT"))
        {
            return Err(TokenError::Malformed);
        }
        let signature = b64url_decode(signature_b64).ok_or(TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(header_b64.as_bytes());
        mac.update(b".");
        mac.update(payload_b64.as_bytes());
        // `verify_slice` compares in constant time.
        mac.verify_slice(&signature)
            .map_err(|_| TokenError::Signature)?;
        let payload = b64url_decode(payload_b64).ok_or(TokenError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        if claims.iss != ISSUER || claims.aud != AUDIENCE || claims.token_use != token_use {
            return Err(TokenError::Claims);
        }
        if claims.exp.saturating_mul(1000) <= now_ms {
            return Err(TokenError::Expired);
        }
        let late_now = now_ms.saturating_add(self.leeway_ms);
        if claims.nbf.saturating_mul(1000) > late_now || claims.iat.saturating_mul(1000) > late_now
        {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: "alice".into(),
            sid: "s1".into(),
            jti: "j1".into(),
            iat: 1000,
            nbf: 1000,
            exp: 1100,
            token_use: USE_ACCESS.into(),
            ep: 0,
            preferred_username: None,
        }
    }

    #[test]
    fn round_trip_and_determinism() {
        let s = Signer::new(&[7; 32]);
        let t = s.sign(&claims());
        assert_eq!(t, s.sign(&claims()));
        assert_eq!(s.verify(&t, 1_000_000, USE_ACCESS).unwrap(), claims());
        assert_eq!(s.verify(&t, 1_000_000, USE_ID), Err(TokenError::Claims));
        assert_eq!(
            s.verify(&t, 1_100_000, USE_ACCESS),
            Err(TokenError::Expired)
        );
        assert_eq!(
            s.verify(&t, 999_999, USE_ACCESS),
            Err(TokenError::NotYetValid)
        );
        assert_eq!(
            Signer::new(&[8; 32]).verify(&t, 1_000_000, USE_ACCESS),
            Err(TokenError::Signature)
        );
        assert_eq!(
            s.verify(&format!("{t}.x"), 1_000_000, USE_ACCESS),
            Err(TokenError::Malformed)
        );
    }
}
