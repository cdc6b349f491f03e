//! Two session-server processes on one Redis (of their own, so it can be stopped mid-run): login on
//! one, refresh on the other, logout on the first; 20 parallel refreshes of one token split across
//! both rotate once; Redis stopped → 503 JSON with a retry hint, no panic; Redis back → requests
//! succeed without restarting either server. Only in the `integration_redis` target.

use std::process::Stdio;
use std::time::Duration;

use futures::future::join_all;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use wasm_session_manager::core::crypto::SessionKey;

use crate::common::{backend_store, Resp};

const KEY_HEX: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn redis_answers(port: u16) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    if stream.write_all(b"PING\r\n").await.is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    matches!(
        tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut buf)).await,
        Ok(Ok(_))
    ) && &buf == b"+PONG\r\n"
}

/// A private redis-server (no persistence) on `port`, killed on drop.
async fn start_redis(port: u16, dir: &std::path::Path) -> Child {
    let child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no", "--loglevel", "warning"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server on PATH (scripts/setup.sh installs it)");
    for _ in 0..800 {
        if redis_answers(port).await {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("redis-server did not answer on port {port}");
}

struct Instance {
    base: String,
    child: Child,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Instance {
    async fn start(redis_port: u16, prefix: &str) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_session-server"));
        for (name, _) in std::env::vars() {
            if name.starts_with("SESSION_SERVER_") {
                cmd.env_remove(name);
            }
        }
        let mut child = cmd
            .args(["--addr", "127.0.0.1:0", "--signing-key", KEY_HEX])
            .args(["--store", &format!("redis://127.0.0.1:{redis_port}/0")])
            .args(["--redis-prefix", prefix])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("first line in time")
            .unwrap()
            .unwrap();
        let url = first
            .strip_prefix("session-server listening on ")
            .expect(&first)
            .to_owned();
        Self {
            base: url,
            child,
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut builder = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(format!("{}{}", self.base, path));
        if let Some(token) = bearer {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            builder = builder.header("content-type", "application/json");
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let response = self
            .client
            .request(builder.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .expect("request failed");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn login(&self, user: &str) -> Value {
        let key = SessionKey::generate();
        let r = self
            .call(
                "POST",
                "/v1/auth/login",
                None,
                Some(json!({ "username": user, "public_key": key.public_key_hex() })),
            )
            .await;
        assert_eq!(r.status, 200, "login: {}", r.text);
        r.json()
    }

    async fn refresh(&self, token: &str) -> Resp {
        self.call(
            "POST",
            "/v1/auth/session",
            None,
            Some(json!({ "refresh_token": token })),
        )
        .await
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_one_redis() {
    drop(backend_store()); // fails in CI / skips locally without a test Redis
    let dir = std::env::temp_dir().join(format!(
        "session-server-multi-{}",
        session_server::util::random_id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let mut redis = start_redis(port, &dir).await;
    let prefix = format!("multi:{}:", session_server::util::random_id());
    let mut a = Instance::start(port, &prefix).await;
    let mut b = Instance::start(port, &prefix).await;

    // Login on A, refresh on B, the new access token works on A.
    let login = a.login("alice").await;
    let r = b.refresh(login["refresh_token"].as_str().unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let pair = r.json();
    let access = pair["access_token"].as_str().unwrap().to_owned();
    let refresh = pair["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        a.call("GET", "/v1/me", Some(&access), None).await.status,
        200
    );

    // 20 parallel refreshes of one token, split across both: one rotation, the same pair for all.
    let answers = join_all((0..20).map(|i| {
        let (inst, token) = (if i % 2 == 0 { &a } else { &b }, refresh.clone());
        async move { inst.refresh(&token).await }
    }))
    .await;
    let pairs: Vec<(String, String)> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{}", r.text);
            let v = r.json();
            (
                v["access_token"].as_str().unwrap().to_owned(),
                v["refresh_token"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(pairs.iter().all(|p| *p == pairs[0]), "{pairs:?}");
    let (access, refresh) = pairs[0].clone();
    assert_ne!(refresh, pair["refresh_token"].as_str().unwrap());
    let sessions = b
        .call("GET", "/v1/auth/sessions", Some(&access), None)
        .await
        .json();
    assert_eq!(
        sessions["sessions"].as_array().unwrap().len(),
        1,
        "{sessions}"
    );
    // The session is alive: the winner's token rotates again, on either instance.
    let next = a.refresh(&refresh).await;
    assert_eq!(next.status, 200, "{}", next.text);
    let next = next.json();
    let (access, refresh) = (
        next["access_token"].as_str().unwrap().to_owned(),
        next["refresh_token"].as_str().unwrap().to_owned(),
    );

    // Logout on A: B refuses both tokens at once.
    let r = a
        .call(
            "POST",
            "/v1/auth/logout",
            None,
            Some(json!({ "refresh_token": refresh })),
        )
        .await;
    assert_eq!(r.json(), json!({ "ok": true, "revoked": true }));
    b.refresh(&refresh).await.assert_error(401, "invalid_grant");
    b.call("GET", "/v1/me", Some(&access), None)
        .await
        .assert_error(401, "invalid_token");

    // Redis stops: 503 JSON with a retry hint, no panic, on both.
    let second = b.login("bob").await;
    redis.kill().await.unwrap();
    for inst in [&a, &b] {
        let r = inst
            .refresh(second["refresh_token"].as_str().unwrap())
            .await;
        r.assert_error(503, "temporarily_unavailable");
        assert_eq!(r.header("retry-after"), Some("1"));
        assert_eq!(r.json()["retry_after"], 1);
        let key = SessionKey::generate();
        inst.call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({ "username": "carol", "public_key": key.public_key_hex() })),
        )
        .await
        .assert_error(503, "temporarily_unavailable");
    }
    a.call("GET", "/health", None, None)
        .await
        .assert_error(503, "temporarily_unavailable");
    assert!(a.alive() && b.alive(), "a server died with Redis");

    // Redis back (empty: no persistence): both work again without a restart.
    let _redis = start_redis(port, &dir).await;
    let mut recovered = None;
    for _ in 0..300 {
        let r = a
            .call(
                "POST",
                "/v1/auth/login",
                None,
                Some(json!({ "username": "dave", "public_key": SessionKey::generate().public_key_hex() })),
            )
            .await;
        if r.status == 200 {
            recovered = Some(r.json());
            break;
        }
        r.assert_error(503, "temporarily_unavailable");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let login = recovered.expect("A recovers once Redis is back");
    let mut refreshed = None;
    for _ in 0..300 {
        let r = b.refresh(login["refresh_token"].as_str().unwrap()).await;
        if r.status == 200 {
            refreshed = Some(r);
            break;
        }
        r.assert_error(503, "temporarily_unavailable");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refreshed.is_some(), "B recovers once Redis is back");
    assert_eq!(
        b.call("GET", "/health", None, None).await.json(),
        json!({ "ok": true, "store": "redis" })
    );
    assert!(a.alive() && b.alive());
    let _ = std::fs::remove_dir_all(&dir);
}
