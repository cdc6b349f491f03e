//! The binary: first stdout line, flags, env vars.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

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

#[tokio::test]
async fn binary_prints_its_url_first_and_serves() {
    let mut child = server()
        .args(["--addr", "127.0.0.1:0", "--test-hooks", "--access-ttl", "1"])
        .env("SESSION_SERVER_GRACE", "3")
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("first line in time")
        .unwrap()
        .unwrap();
    let url = first
        .strip_prefix("session-server listening on http://")
        .expect(&first);
    let (ip, port) = url.rsplit_once(':').unwrap();
    assert_eq!(ip, "127.0.0.1");
    assert!(port.parse::<u16>().unwrap() > 0);

    let mut stream = tokio::net::TcpStream::connect(url).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /test/counters HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"refresh\":0"), "{answer}");
    child.kill().await.unwrap();
}

#[tokio::test]
async fn every_flag_has_an_env_var() {
    let mut child = server()
        .env("SESSION_SERVER_ADDR", "127.0.0.1:0")
        .env("SESSION_SERVER_TEST_HOOKS", "1")
        .env("SESSION_SERVER_ACCESS_TTL", "5")
        .env("SESSION_SERVER_IDLE_TIMEOUT", "60")
        .env("SESSION_SERVER_ABSOLUTE_TIMEOUT", "120")
        .env("SESSION_SERVER_GRACE", "0")
        .env(
            "SESSION_SERVER_CORS_ORIGIN",
            "https://a.example,https://b.example",
        )
        .env("SESSION_SERVER_SIGNING_KEY", "ab".repeat(32))
        .env("SESSION_SERVER_STORE", "memory")
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let url = first
        .strip_prefix("session-server listening on http://")
        .expect(&first)
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(&url).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /test/counters HTTP/1.1\r\nHost: x\r\nOrigin: https://b.example\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("access-control-allow-origin: https://b.example"),
        "{answer}"
    );
    child.kill().await.unwrap();
}

#[tokio::test]
async fn invalid_flags_fail_fast() {
    for args in [
        vec!["--access-ttl", "0"],
        vec!["--signing-key", "abcd"],
        vec!["--store", "redis"],
        vec!["--cors-origin", "ftp://x"],
        vec!["--static-dir", "/definitely/not/here"],
    ] {
        let status = tokio::time::timeout(
            Duration::from_secs(20),
            server()
                .args(["--addr", "127.0.0.1:0"])
                .args(&args)
                .status(),
        )
        .await
        .unwrap()
        .unwrap();
        assert!(!status.success(), "{args:?} accepted");
    }
    let status = server()
        .args(["--addr", "127.0.0.1:0"])
        .env("SESSION_SERVER_ACCESS_TTL", "0")
        .status()
        .await
        .unwrap();
    assert!(!status.success(), "env var ACCESS_TTL=0 accepted");
}
