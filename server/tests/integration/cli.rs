//! The binary: first stdout line, every flag's environment variable (each one checked for its
//! effect), and exit status 2 with a clear message for every invalid or unsafe setting.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use session_server::tokens::{Signer, USE_ACCESS};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use wasm_session_manager::core::crypto::SessionKey;

fn server() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_session-server"));
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    for (name, _) in std::env::vars() {
        if name.starts_with("SESSION_SERVER_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// Spawns and reads the first line; answers (child, "ip:port").
async fn start(mut cmd: Command) -> (Child, String) {
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("first line in time")
        .unwrap()
        .unwrap();
    let url = first
        .strip_prefix("session-server listening on http://")
        .expect(&first)
        .to_owned();
    (child, url)
}

struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One HTTP/1.1 request over a fresh connection.
async fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").expect(&answer);
    let status = head[9..12].parse().unwrap();
    Answer {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_owned(),
    }
}

async fn login(addr: &str) -> Answer {
    let key = SessionKey::generate();
    http(
        addr,
        "POST",
        "/v1/auth/login",
        &[],
        Some(&json!({ "username": "alice", "public_key": key.public_key_hex() })),
    )
    .await
}

#[tokio::test]
async fn binary_prints_its_url_first_and_serves() {
    let mut cmd = server();
    cmd.args(["--addr", "127.0.0.1:0", "--test-hooks", "--access-ttl", "1"]);
    let (mut child, url) = start(cmd).await;
    let (ip, port) = url.rsplit_once(':').unwrap();
    assert_eq!(ip, "127.0.0.1");
    assert!(port.parse::<u16>().unwrap() > 0);
    let r = http(&url, "GET", "/test/counters", &[], None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["refresh"], 0);
    // The dev login is on by default on a loopback bind.
    assert_eq!(login(&url).await.status, 200);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn every_flag_has_an_env_var_and_each_takes_effect() {
    let static_dir = std::env::temp_dir().join(format!(
        "session-server-cli-{}",
        session_server::util::random_id()
    ));
    std::fs::create_dir_all(&static_dir).unwrap();
    std::fs::write(static_dir.join("hello.txt"), "hello from the static dir").unwrap();
    let signing_key = [0xab_u8; 32];
    let mut cmd = server();
    cmd.env("SESSION_SERVER_ADDR", "127.0.0.1:0")
        .env("SESSION_SERVER_TEST_HOOKS", "1")
        .env("SESSION_SERVER_STATIC_DIR", &static_dir)
        .env("SESSION_SERVER_ACCESS_TTL", "5")
        .env("SESSION_SERVER_IDLE_TIMEOUT", "60")
        .env("SESSION_SERVER_ABSOLUTE_TIMEOUT", "120")
        .env("SESSION_SERVER_GRACE", "0")
        .env("SESSION_SERVER_CLOCK_LEEWAY", "0")
        .env("SESSION_SERVER_DEV_LOGIN", "true")
        .env(
            "SESSION_SERVER_CORS_ORIGIN",
            "https://a.example,https://b.example",
        )
        .env("SESSION_SERVER_SIGNING_KEY", hex::encode(signing_key))
        .env("SESSION_SERVER_STORE", "memory")
        .env("SESSION_SERVER_REDIS_PREFIX", "unused:");
    let (mut child, url) = start(cmd).await;

    // ADDR: a loopback port; TEST_HOOKS: the hooks answer; CORS_ORIGIN: both origins, no others.
    assert!(url.starts_with("127.0.0.1:"));
    for origin in ["https://a.example", "https://b.example"] {
        let r = http(&url, "GET", "/test/counters", &[("Origin", origin)], None).await;
        assert_eq!(r.status, 200);
        assert!(
            r.head
                .contains(&format!("access-control-allow-origin: {origin}")),
            "{}",
            r.head
        );
    }
    let r = http(
        &url,
        "GET",
        "/health",
        &[("Origin", "http://localhost:1")],
        None,
    )
    .await;
    assert!(
        !r.head.contains("access-control-allow-origin"),
        "{}",
        r.head
    );
    // STORE: memory.
    assert_eq!(
        http(&url, "GET", "/health", &[], None).await.json()["store"],
        "memory"
    );
    // STATIC_DIR.
    let r = http(&url, "GET", "/hello.txt", &[], None).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, "hello from the static dir")
    );

    // DEV_LOGIN + ACCESS_TTL: a login, whose token lives 5 s.
    let r = login(&url).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tokens = r.json();
    assert_eq!(tokens["expires_in"], 5);
    let access = tokens["access_token"].as_str().unwrap();
    // SIGNING_KEY: the token verifies with that key (and not with another).
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let claims = Signer::new(&signing_key)
        .with_leeway(5_000)
        .verify(access, now_ms, USE_ACCESS)
        .expect("signed with SESSION_SERVER_SIGNING_KEY");
    assert!((5..=6).contains(&(claims.exp - claims.iat)), "{claims:?}");
    assert!(Signer::new(&[0xcd; 32])
        .with_leeway(5_000)
        .verify(access, now_ms, USE_ACCESS)
        .is_err());
    // IDLE_TIMEOUT and ABSOLUTE_TIMEOUT: the session's deadlines.
    let bearer = format!("Bearer {access}");
    let list = http(
        &url,
        "GET",
        "/v1/auth/sessions",
        &[("Authorization", &bearer)],
        None,
    )
    .await
    .json();
    let session = &list["sessions"][0];
    let at = |f: &str| session[f].as_u64().unwrap();
    assert_eq!(
        at("idle_expires_at") - at("last_used_at"),
        60_000,
        "{session}"
    );
    assert_eq!(
        at("absolute_expires_at") - at("created_at"),
        120_000,
        "{session}"
    );
    // GRACE=0: the parent token is reuse at once, which revokes the session.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let body = json!({ "refresh_token": refresh });
    assert_eq!(
        http(&url, "POST", "/v1/auth/session", &[], Some(&body))
            .await
            .status,
        200
    );
    let again = http(&url, "POST", "/v1/auth/session", &[], Some(&body)).await;
    assert_eq!(again.status, 401);
    assert_eq!(again.json()["error"], "invalid_grant");
    child.kill().await.unwrap();

    // DEV_LOGIN=false: login is 403 login_disabled, even on loopback.
    let mut cmd = server();
    cmd.env("SESSION_SERVER_ADDR", "127.0.0.1:0")
        .env("SESSION_SERVER_DEV_LOGIN", "false");
    let (mut child, url) = start(cmd).await;
    let r = login(&url).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.json()["error"], "login_disabled");
    child.kill().await.unwrap();

    // SIGNING_KEY_FILE.
    let key_file = static_dir.join("key.hex");
    std::fs::write(&key_file, format!("{}\n", hex::encode([0x11_u8; 32]))).unwrap();
    let mut cmd = server();
    cmd.env("SESSION_SERVER_ADDR", "127.0.0.1:0")
        .env("SESSION_SERVER_SIGNING_KEY_FILE", &key_file);
    let (mut child, url) = start(cmd).await;
    let tokens = login(&url).await.json();
    assert!(Signer::new(&[0x11; 32])
        .with_leeway(5_000)
        .verify(tokens["access_token"].as_str().unwrap(), now_ms, USE_ACCESS)
        .is_ok());
    child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&static_dir);
}

/// Runs the binary with `args` and `env`; answers (exit code, stderr).
async fn refused(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = server();
    cmd.args(args).stderr(Stdio::piped()).stdout(Stdio::null());
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = tokio::time::timeout(Duration::from_secs(20), cmd.output())
        .await
        .expect("exits in time")
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn invalid_or_unsafe_settings_exit_2_before_listening() {
    let key = "ab".repeat(32);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--access-ttl", "0"], "access-ttl"),
        (vec!["--access-ttl", "18446744073709552"], "access-ttl"),
        (vec!["--access-ttl", "86401"], "access-ttl"),
        (vec!["--idle-timeout", "18446744073709552"], "idle-timeout"),
        (
            vec!["--absolute-timeout", "99999999999"],
            "absolute-timeout",
        ),
        (vec!["--grace", "18446744073709552"], "grace"),
        (vec!["--clock-leeway", "100000"], "clock-leeway"),
        (vec!["--signing-key", "abcd"], "signing-key"),
        (vec!["--signing-key", "zz"], "signing-key"),
        (
            vec!["--signing-key-file", "/definitely/not/here"],
            "signing-key-file",
        ),
        (vec!["--store", "redis"], "--store"),
        (vec!["--store", "postgres://x"], "--store"),
        (vec!["--store", "redis://127.0.0.1:1/0"], "signing-key"),
        (
            vec![
                "--store",
                "redis://127.0.0.1:1/0",
                "--signing-key",
                &key,
                "--redis-prefix",
                "a*",
            ],
            "redis-prefix",
        ),
        (vec!["--cors-origin", "ftp://x"], "origin"),
        (vec!["--static-dir", "/definitely/not/here"], "static-dir"),
        (vec!["--dev-login", "maybe"], "dev-login"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["--addr", "127.0.0.1:0"];
        all.extend(args.iter().copied());
        let (code, stderr) = refused(&all, &[]).await;
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    // A non-loopback bind: the dev login is not published silently, the hooks never. These exit
    // before binding anything.
    let (code, stderr) = refused(&["--addr", "0.0.0.0:0"], &[]).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("not loopback") && stderr.contains("--dev-login"),
        "{stderr}"
    );
    let (code, stderr) = refused(
        &["--addr", "0.0.0.0:0", "--dev-login=false", "--test-hooks"],
        &[],
    )
    .await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--test-hooks needs a loopback"), "{stderr}");
    // Environment variables are validated the same way.
    for (name, value) in [
        ("SESSION_SERVER_ACCESS_TTL", "0"),
        ("SESSION_SERVER_IDLE_TIMEOUT", "18446744073709552"),
        ("SESSION_SERVER_STORE", "redis://127.0.0.1:1/0"),
        ("SESSION_SERVER_ADDR", "0.0.0.0:0"),
    ] {
        let (code, stderr) = refused(&[], &[(name, value)]).await;
        assert_eq!(code, Some(2), "{name}={value}: {stderr}");
    }
}

/// Every variable the README's flag table lists.
const ALL_ENV: [&str; 24] = [
    "SESSION_SERVER_ADDR",
    "SESSION_SERVER_DEV_LOGIN",
    "SESSION_SERVER_TEST_HOOKS",
    "SESSION_SERVER_STATIC_DIR",
    "SESSION_SERVER_ACCESS_TTL",
    "SESSION_SERVER_IDLE_TIMEOUT",
    "SESSION_SERVER_ABSOLUTE_TIMEOUT",
    "SESSION_SERVER_GRACE",
    "SESSION_SERVER_CLOCK_LEEWAY",
    "SESSION_SERVER_CORS_ORIGIN",
    "SESSION_SERVER_SIGNING_KEY",
    "SESSION_SERVER_SIGNING_KEY_FILE",
    "SESSION_SERVER_STORE",
    "SESSION_SERVER_REDIS_PREFIX",
    "SESSION_SERVER_MAX_SESSIONS_PER_USER",
    "SESSION_SERVER_MAX_SESSION_DATA_BYTES",
    "SESSION_SERVER_MAX_METADATA_BYTES",
    "SESSION_SERVER_LOGIN_RATE",
    "SESSION_SERVER_REFRESH_RATE",
    "SESSION_SERVER_STATUS_RETENTION",
    "SESSION_SERVER_TRUST_FORWARDED_FOR",
    // Not flags: read by the test suite and scripts only.
    "SESSION_SERVER_TEST_REDIS_URL",
    "RUST_LOG",
    "CI",
];

#[tokio::test]
async fn help_and_readme_list_every_variable() {
    let out = server()
        .arg("--help")
        .stdout(Stdio::piped())
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let readme = include_str!("../../README.md");
    for name in &ALL_ENV[..21] {
        assert!(
            help.contains(&format!("env: {name}")),
            "--help lacks {name}"
        );
        assert!(readme.contains(&format!("`{name}`")), "README lacks {name}");
    }
    let flags = help.matches("[env: SESSION_SERVER_").count();
    assert_eq!(flags, 21, "a flag without a README row / test: {help}");
}

#[tokio::test]
async fn the_cap_and_limit_variables_take_effect() {
    let mut cmd = server();
    cmd.env("SESSION_SERVER_ADDR", "127.0.0.1:0")
        .env("SESSION_SERVER_LOGIN_RATE", "3")
        .env("SESSION_SERVER_REFRESH_RATE", "1")
        .env("SESSION_SERVER_MAX_SESSIONS_PER_USER", "1")
        .env("SESSION_SERVER_MAX_SESSION_DATA_BYTES", "100")
        .env("SESSION_SERVER_TRUST_FORWARDED_FOR", "1");
    let (mut child, url) = start(cmd).await;
    let key = SessionKey::generate();
    let pk = key.public_key_hex();
    // MAX_SESSION_DATA_BYTES.
    let big =
        json!({ "username": "alice", "public_key": pk, "session_data": { "x": "a".repeat(200) } });
    let xff = [("X-Forwarded-For", "198.51.100.4")];
    let r = http(&url, "POST", "/v1/auth/login", &xff, Some(&big)).await;
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (413, Some("payload_too_large"))
    );
    // MAX_SESSIONS_PER_USER: the second login ends the first. TRUST_FORWARDED_FOR: the IP.
    let body = json!({ "username": "alice", "public_key": pk });
    let first = http(&url, "POST", "/v1/auth/login", &xff, Some(&body))
        .await
        .json();
    let second = http(&url, "POST", "/v1/auth/login", &xff, Some(&body))
        .await
        .json();
    let bearer = format!("Bearer {}", second["access_token"].as_str().unwrap());
    let list = http(
        &url,
        "GET",
        "/v1/auth/sessions",
        &[("Authorization", &bearer)],
        None,
    )
    .await
    .json();
    assert_eq!(list["sessions"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["sessions"][0]["ip"], "198.51.100.4");
    let refresh = json!({ "refresh_token": first["refresh_token"] });
    let r = http(&url, "POST", "/v1/auth/session", &[], Some(&refresh)).await;
    assert_eq!(r.json()["session_status"], "revoked", "{}", r.body);
    // LOGIN_RATE (3 a minute; the 413 counted too) and REFRESH_RATE (1 a minute).
    let r = http(&url, "POST", "/v1/auth/login", &xff, Some(&body)).await;
    assert_eq!(r.status, 429, "{}", r.body);
    let r = http(&url, "POST", "/v1/auth/session", &[], Some(&refresh)).await;
    assert_eq!(r.status, 429, "{}", r.body);
    child.kill().await.unwrap();
}
