//! The invariants of session-server's parsers of untrusted input, shared by the cargo-fuzz targets
//! (`fuzz/fuzz_targets/server_*.rs`) and the proptest properties (`server/tests/properties.rs`,
//! which includes this file by path). Every `check_*` function panics when an invariant fails.

use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Request, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use session_server::clock::FakeClock;
use session_server::config::{Settings, AUDIENCE, ISSUER};
use session_server::extract::bearer_token;
use session_server::lifecycle::parse_refresh_token;
use session_server::store::memory::MemoryStore;
use session_server::tokens::{Claims, Signer, USE_ACCESS, USE_ID};
use wasm_session_manager::core::crypto::{ecies, signature, SessionKey};

/// The signing key of the server under test.
pub const SIGNING_KEY: [u8; 32] = [0x42; 32];
/// Where the fake clock starts (ms).
pub const START_MS: u64 = 1_700_000_000_000;
/// The session key of the client that logs in (fixed vector KEY_A).
pub const CLIENT_KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

// ---------------------------------------------------------------------------------------------
// extract.rs: the Bearer parser

/// `bearer_token` over any set of Authorization values: `None` exactly without the header; a token
/// only from exactly one value spelled `Bearer <token68>` (1..=4096 chars), and then that token.
/// A token68 string always round-trips.
pub fn check_bearer(values: &[Vec<u8>], token: &str) {
    let mut headers = HeaderMap::new();
    for v in values {
        if let Ok(v) = HeaderValue::from_bytes(v) {
            headers.append(AUTHORIZATION, v);
        }
    }
    let n = headers.get_all(AUTHORIZATION).iter().count();
    match bearer_token(&headers) {
        Ok(None) => assert_eq!(n, 0),
        Ok(Some(t)) => {
            assert_eq!(n, 1);
            let value = headers[AUTHORIZATION].as_bytes();
            assert_eq!(value, format!("Bearer {t}").as_bytes());
            assert!(!t.is_empty() && t.len() <= 4096);
            assert!(t
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)));
        }
        Err(e) => {
            assert!(n > 0);
            assert_eq!(e.status.as_u16(), 401);
        }
    }
    let token68 = !token.is_empty()
        && token.len() <= 4096
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b));
    if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
        let mut one = HeaderMap::new();
        one.insert(AUTHORIZATION, v);
        match bearer_token(&one) {
            Ok(Some(t)) => assert!(token68 && t == token),
            Ok(None) => unreachable!("a header was set"),
            Err(_) => assert!(!token68, "{token:?} refused"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// tokens.rs: JWT verification

type HmacSha256 = Hmac<Sha256>;
use sha2::Sha256;

/// What the check expects of any accepted token, computed here: three parts, strict base64url,
/// HMAC-SHA256 over `header.payload` equal to the signature, an `HS256` header, the claims' issuer,
/// audience and use, and `exp > now`.
fn acceptable(token: &str, now_ms: u64, token_use: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    let &[h, p, s] = parts.as_slice() else {
        return false;
    };
    let (Ok(header), Ok(payload), Ok(sig)) = (
        URL_SAFE_NO_PAD.decode(h),
        URL_SAFE_NO_PAD.decode(p),
        URL_SAFE_NO_PAD.decode(s),
    ) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(&SIGNING_KEY).expect("any key length");
    mac.update(format!("{h}.{p}").as_bytes());
    if mac.finalize().into_bytes().as_slice() != sig.as_slice() {
        return false;
    }
    let header: serde_json::Value = serde_json::from_slice(&header).unwrap_or_default();
    let claims: serde_json::Value = serde_json::from_slice(&payload).unwrap_or_default();
    header["alg"] == "HS256"
        && claims["iss"] == ISSUER
        && claims["aud"] == AUDIENCE
        && claims["token_use"] == token_use
        && claims["exp"]
            .as_u64()
            .is_some_and(|e| e.saturating_mul(1000) > now_ms)
}

/// `Signer::verify` on any text accepts only what [`acceptable`] accepts.
pub fn check_jwt_any(token: &str, now_ms: u64, id_use: bool) {
    let token_use = if id_use { USE_ID } else { USE_ACCESS };
    let signer = Signer::new(&SIGNING_KEY).with_leeway(5_000);
    if let Ok(claims) = signer.verify(token, now_ms, token_use) {
        assert!(acceptable(token, now_ms, token_use), "{token:?} accepted");
        assert_eq!(claims.token_use, token_use);
    }
}

/// A token the server signed verifies to its claims (when in its time window); with any bit of it
/// flipped it never verifies (base64url is strict, so no other spelling of it exists).
#[allow(clippy::too_many_arguments)]
pub fn check_jwt_flips(
    sub: &str,
    iat: u64,
    lifetime: u64,
    now_offset: i64,
    id_use: bool,
    ep: u64,
    flips: &[(u16, u8)],
) {
    let claims = Claims {
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        sub: sub.to_owned(),
        sid: "0123456789abcdef0123456789abcdef".to_owned(),
        jti: "j".to_owned(),
        iat,
        nbf: iat,
        exp: iat.saturating_add(lifetime),
        token_use: if id_use { USE_ID } else { USE_ACCESS }.to_owned(),
        ep,
        preferred_username: None,
    };
    let signer = Signer::new(&SIGNING_KEY);
    let token = signer.sign(&claims);
    let now = iat.saturating_mul(1000).saturating_add_signed(now_offset);
    let in_window = claims.exp.saturating_mul(1000) > now && iat.saturating_mul(1000) <= now;
    let verified = signer.verify(&token, now, &claims.token_use);
    if token.len() <= 4096 {
        assert_eq!(verified.is_ok(), in_window, "{claims:?} at {now}");
        if let Ok(got) = verified {
            assert_eq!(got, claims);
        }
    }
    let mut bytes = token.clone().into_bytes();
    for &(at, bit) in flips {
        let i = usize::from(at) % bytes.len();
        bytes[i] ^= 1 << (bit % 8);
    }
    if let Ok(tampered) = String::from_utf8(bytes) {
        if tampered != token {
            assert!(
                signer.verify(&tampered, now, &claims.token_use).is_err(),
                "tampered {tampered:?} verified"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// lifecycle.rs: refresh tokens

/// `parse_refresh_token` accepts only the canonical `{32 lowercase hex}.{base64url of 32 bytes}`
/// it writes: what it parses writes back to the same text, and what it writes parses back.
pub fn check_refresh_token(token: &str, sid: &[u8; 16], secret: &[u8; 32]) {
    if let Some((s, k)) = parse_refresh_token(token) {
        assert_eq!(format!("{s}.{}", URL_SAFE_NO_PAD.encode(k)), token);
    }
    let sid = hex::encode(sid);
    let made = format!("{sid}.{}", URL_SAFE_NO_PAD.encode(secret));
    assert_eq!(parse_refresh_token(&made), Some((sid, *secret)));
}

// ---------------------------------------------------------------------------------------------
// The whole router, in-process

/// One request of a router case.
#[derive(Debug, Clone)]
pub struct Call {
    /// Index into [`ROUTES`] (modulo), or past it: a route × another method.
    pub route: u8,
    /// Which Content-Type header(s).
    pub content_type: u8,
    /// Which Authorization header.
    pub auth: u8,
    /// Build a correctly signed metadata body around `body` (as its `data`).
    pub signed: bool,
    /// The body; `$AT`, `$RT`, `$ID`, `$SID`, `$PK` are replaced by the session's own values.
    pub body: Vec<u8>,
}

/// Method and path of every route that reads a body (and a few that do not).
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/v1/auth/login"),
    ("POST", "/v1/auth/session"),
    ("POST", "/v1/auth/logout"),
    ("GET", "/v1/auth/sessions"),
    ("POST", "/v1/auth/sessions/revoke"),
    ("DELETE", "/v1/auth/sessions/$SID"),
    ("GET", "/v1/me"),
    ("POST", "/v1/echo"),
    ("POST", "/v2/store/set"),
    ("POST", "/v2/store/get"),
    ("PUT", "/v2/store/update"),
    ("POST", "/test/counters/reset"),
    ("POST", "/test/expire-access"),
    ("POST", "/test/expire-session"),
    ("POST", "/test/next-refresh"),
    ("GET", "/health"),
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];

/// A fresh app: memory store, fake clock, test hooks on, the fixed signing key.
pub fn app() -> axum::Router {
    let settings = Settings {
        signing_key: SIGNING_KEY.to_vec(),
        test_hooks: true,
        ..Settings::default()
    };
    let (router, _) = session_server::build_app(
        settings,
        Arc::new(MemoryStore::new()),
        Arc::new(FakeClock::new(START_MS)),
    );
    router
}

/// The session's own values, substituted into bodies.
#[derive(Debug, Default)]
struct Session {
    access: String,
    refresh: String,
    id: String,
    sid: String,
    public_key: String,
}

impl Session {
    fn fill(&self, text: &str) -> String {
        text.replace("$AT", &self.access)
            .replace("$RT", &self.refresh)
            .replace("$ID", &self.id)
            .replace("$SID", &self.sid)
            .replace("$PK", &self.public_key)
    }
}

fn request(method: &str, path: &str, headers: &[(&str, String)], body: Vec<u8>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    builder.body(Body::from(body)).expect("a valid request")
}

/// Status and body of a response.
pub async fn read(response: Response<Body>) -> (u16, Vec<u8>, Option<String>) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body reads");
    (status, body.to_vec(), content_type)
}

/// Logs in, then sends `calls`: never a 5xx, every 4xx a JSON `{error, error_description}`, every
/// 2xx JSON. A call that queues a refresh-answer injection (which may be a 5xx on purpose) ends the case.
pub async fn check_router<F, Fut>(mut send: F, calls: &[Call])
where
    F: FnMut(Request<Body>) -> Fut,
    Fut: Future<Output = Response<Body>>,
{
    let client_key = SessionKey::from_hex(CLIENT_KEY).expect("a fixed key");
    let mut session = Session {
        public_key: client_key.public_key_hex(),
        ..Session::default()
    };
    let login = format!(
        r#"{{"username":"fuzz","public_key":"{}","session_data":{{"n":1}}}}"#,
        session.public_key
    );
    let json = ("content-type", "application/json".to_owned());
    let (status, body, _) = read(
        send(request(
            "POST",
            "/v1/auth/login",
            &[json],
            login.into_bytes(),
        ))
        .await,
    )
    .await;
    assert_eq!(status, 200, "login: {}", String::from_utf8_lossy(&body));
    let answer: serde_json::Value = serde_json::from_slice(&body).expect("login answer is JSON");
    let field = |name: &str| answer[name].as_str().unwrap_or_default().to_owned();
    session.access = field("access_token");
    session.refresh = field("refresh_token");
    session.id = field("id_token");
    session.sid = field("session_id");

    for call in calls {
        let (default_method, path) = ROUTES[usize::from(call.route) % ROUTES.len()];
        let method = if usize::from(call.route) / ROUTES.len() % 4 == 3 {
            METHODS[usize::from(call.route) % METHODS.len()]
        } else {
            default_method
        };
        let path = session.fill(path);
        let body = if call.signed {
            let data = String::from_utf8_lossy(&call.body).into_owned();
            let data = if data.is_empty() {
                ecies::encrypt(&client_key.public_key().unwrap(), b"{\"a\":1}").to_json()
            } else {
                data
            };
            let sig = signature::sign_keccak(&client_key, data.as_bytes());
            serde_json::json!({
                "key": session.public_key,
                "data": data,
                "signature": sig,
                "timeout": call.content_type as u64 * 37,
            })
            .to_string()
            .into_bytes()
        } else {
            match String::from_utf8(call.body.clone()) {
                Ok(text) => session.fill(&text).into_bytes(),
                Err(_) => call.body.clone(),
            }
        };
        let mut headers: Vec<(&str, String)> = Vec::new();
        match call.content_type % 6 {
            0 => headers.push(("content-type", "application/json".to_owned())),
            1 => {}
            2 => headers.push(("content-type", "application/json; charset=utf-8".to_owned())),
            3 => headers.push(("content-type", "text/plain".to_owned())),
            4 => headers.push(("content-type", "application/merge-patch+json".to_owned())),
            _ => {
                headers.push(("content-type", "application/json".to_owned()));
                headers.push(("content-type", "application/json".to_owned()));
            }
        }
        match call.auth % 6 {
            0 => {}
            1 => headers.push(("authorization", format!("Bearer {}", session.access))),
            2 => headers.push(("authorization", format!("Bearer {}", session.id))),
            3 => headers.push(("authorization", format!("Bearer {}", session.refresh))),
            4 => headers.push(("authorization", "Bearer a.b.c".to_owned())),
            _ => headers.push(("origin", "http://127.0.0.1:8080".to_owned())),
        }
        let response = send(request(method, &path, &headers, body.clone())).await;
        let (status, answer, content_type) = read(response).await;
        let text = String::from_utf8_lossy(&answer);
        let what = format!(
            "{method} {path} {:?} -> {status} {text}",
            String::from_utf8_lossy(&body)
        );
        assert!(status < 500, "5xx: {what}");
        if method == "HEAD" {
            // No body to look at.
        } else if (400..500).contains(&status) {
            assert!(
                content_type
                    .as_deref()
                    .is_some_and(|t| t.starts_with("application/json")),
                "4xx without JSON: {what}"
            );
            let error: serde_json::Value =
                serde_json::from_slice(&answer).unwrap_or_else(|_| panic!("4xx not JSON: {what}"));
            assert!(
                error["error"].is_string() && error["error_description"].is_string(),
                "{what}"
            );
        } else if (200..300).contains(&status) && !answer.is_empty() {
            assert!(
                serde_json::from_slice::<serde_json::Value>(&answer).is_ok(),
                "2xx not JSON: {what}"
            );
            if path == "/test/next-refresh" {
                return;
            }
        }
    }
}
