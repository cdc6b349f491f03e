//! Property tests of every server parser that reads untrusted input (issue 14): the invariants of
//! the cargo-fuzz targets (`fuzz/src/server.rs`, included here, so both check the same thing) on a
//! few hundred generated inputs each, in the ordinary native test run: the Bearer parser, JWT
//! verification, refresh-token parsing, and JSON bodies through the real router (served in-process
//! over an in-memory duplex stream: no socket) never answering 5xx.

#[path = "../../fuzz/src/server.rs"]
#[allow(dead_code)]
mod server;

use axum::body::Body;
use axum::http::{Request, Response};
use hyper_util::rt::TokioIo;
use proptest::prelude::*;
use proptest::test_runner::Config;
use server::Call;
use tokio::io::DuplexStream;
use tokio::sync::mpsc;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// A listener whose connections are in-memory duplex streams handed over a channel.
struct Duplexes(mpsc::UnboundedReceiver<DuplexStream>);

impl axum::serve::Listener for Duplexes {
    type Io = DuplexStream;
    type Addr = ();

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.0.recv().await {
            Some(io) => (io, ()),
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(())
    }
}

/// Sends one request to the router served on `connections`, over a fresh in-memory connection.
async fn send(
    connections: mpsc::UnboundedSender<DuplexStream>,
    request: Request<Body>,
) -> Response<Body> {
    let (client, server) = tokio::io::duplex(1 << 16);
    connections.send(server).expect("the server runs");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(client))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    sender
        .send_request(request)
        .await
        .expect("an answer")
        .map(Body::new)
}

/// Runs `calls` against a fresh app (the case of the `server_router` fuzz target).
fn run_router(calls: &[Call]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let (tx, rx) = mpsc::unbounded_channel();
        let serving = tokio::spawn(async move {
            let _ = axum::serve(Duplexes(rx), server::app()).await;
        });
        server::check_router(|request| send(tx.clone(), request), calls).await;
        serving.abort();
    });
}

/// Pieces of request bodies: JSON around the fields the routes read, and the session's values.
const BODY_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\"",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e400",
    "18446744073709551616",
    "4294967296",
    "\"refresh_token\"",
    "\"$RT\"",
    "\"$AT\"",
    "\"$SID\"",
    "\"$PK\"",
    "\"username\"",
    "\"public_key\"",
    "\"session_data\"",
    "\"label\"",
    "\"password\"",
    "\"key\"",
    "\"data\"",
    "\"signature\"",
    "\"namespace\"",
    "\"timeout\"",
    "\"allowedOrigin\"",
    "\"sid\"",
    "\"scope\"",
    "\"all\"",
    "\"others\"",
    "\"count\"",
    "\"status\"",
    "\"body\"",
    "\"content_type\"",
    "\"delay_ms\"",
    "\"x\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"a\\nb\"",
    "\u{1}",
    "é",
];

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => prop::collection::vec(prop::sample::select(BODY_PIECES), 0..24)
            .prop_map(|p| p.concat().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
        1 => Just(b"{\"refresh_token\":\"$RT\"}".to_vec()),
    ]
}

fn call() -> impl Strategy<Value = Call> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        prop::bool::weighted(0.15),
        body(),
    )
        .prop_map(|(route, content_type, auth, signed, body)| Call {
            route,
            content_type,
            auth,
            signed,
            body,
        })
}

fn text(alphabet: &'static str, max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = alphabet.chars().collect();
    prop::collection::vec(
        prop_oneof![9 => prop::sample::select(chars), 1 => any::<char>()],
        0..max,
    )
    .prop_map(|c| c.into_iter().collect())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn bearer_parser_is_strict(
        values in prop::collection::vec(
            prop_oneof![
                text("Bearer aA0-._~+/= \t", 24).prop_map(String::into_bytes),
                prop::collection::vec(any::<u8>(), 0..24),
            ],
            0..3,
        ),
        token in text("aA0-._~+/= \tB", 24),
    ) {
        server::check_bearer(&values, &token);
    }

    #[test]
    fn jwt_verification_accepts_only_signed_tokens(
        token in text("eyJ0.-_abcAZ09", 80),
        now in any::<u64>(),
        id_use in any::<bool>(),
    ) {
        server::check_jwt_any(&token, now, id_use);
    }

    #[test]
    fn tampered_jwts_never_verify(
        sub in any::<String>(),
        iat in any::<u32>(),
        lifetime in any::<u16>(),
        offset in -2_000_000i64..2_000_000,
        id_use in any::<bool>(),
        ep in any::<u64>(),
        flips in prop::collection::vec((any::<u16>(), any::<u8>()), 0..4),
    ) {
        server::check_jwt_flips(&sub, u64::from(iat), u64::from(lifetime), offset, id_use, ep, &flips);
    }

    #[test]
    fn refresh_tokens_are_canonical(
        token in text("0123456789abcdefABCDEF.-_=+/", 90),
        sid in any::<[u8; 16]>(),
        secret in any::<[u8; 32]>(),
    ) {
        server::check_refresh_token(&token, &sid, &secret);
        // A made token with one character changed parses only to a different (sid, secret) or not at all.
        let made = format!("{}.{}", hex::encode(sid), base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, secret));
        server::check_refresh_token(&made.replacen('A', "B", 1), &sid, &secret);
    }
}

proptest! {
    // Each case starts an app and logs in: fewer cases.
    #![proptest_config(config(128))]

    #[test]
    fn router_never_answers_5xx(calls in prop::collection::vec(call(), 1..4)) {
        run_router(&calls);
    }
}
