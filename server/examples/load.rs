//! Load generator for session-server (loopback only, bounded count and time).
//!
//! ```sh
//! cargo run --release -p session-server --example load -- --url http://127.0.0.1:PORT \
//!     [--concurrency 32] [--count 20000] [--seconds 10] [--sessions 0]
//! ```
//!
//! Phases: `--concurrency` logins; refreshes (each worker rotates its own session) until `--count`
//! or `--seconds`; Bearer checks (`GET /v1/me`) likewise; then, with `--sessions N`, N more logins
//! (distinct users) to fill the store. Prints one `key=value` line per phase. The server should run
//! with `--login-rate 0 --refresh-rate 0` so its per-IP limits do not throttle the run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

/// Most operations per phase, whatever `--count` says.
const MAX_COUNT: u64 = 2_000_000;
/// Longest phase, whatever `--seconds` says.
const MAX_SECONDS: u64 = 120;
/// The public key every load session uses (the secp256k1 generator point).
const PK: &str = "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";

type Http = Client<HttpConnector, Full<Bytes>>;

struct Args {
    url: String,
    concurrency: usize,
    count: u64,
    seconds: u64,
    sessions: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        url: String::new(),
        concurrency: 32,
        count: 20_000,
        seconds: 10,
        sessions: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: not a number"))
        };
        match flag.as_str() {
            "--url" => args.url = value.trim_end_matches('/').to_owned(),
            "--concurrency" => args.concurrency = number()?.clamp(1, 512) as usize,
            "--count" => args.count = number()?.clamp(1, MAX_COUNT),
            "--seconds" => args.seconds = number()?.clamp(1, MAX_SECONDS),
            "--sessions" => args.sessions = number()?.min(MAX_COUNT),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    let host = args
        .url
        .strip_prefix("http://")
        .ok_or("--url must be http://127.0.0.1:PORT")?;
    let ip = host.rsplit_once(':').map(|(ip, _)| ip).unwrap_or(host);
    if !(ip == "127.0.0.1" || ip == "[::1]" || ip == "localhost") {
        return Err(format!("--url must be a loopback address, not {ip}"));
    }
    Ok(args)
}

async fn call(
    http: &Http,
    method: Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut builder = Request::builder().method(method).uri(url);
    if let Some(token) = bearer {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(b) => {
            builder = builder.header("content-type", "application/json");
            b.to_string()
        }
        None => String::new(),
    };
    match http
        .request(builder.body(Full::new(Bytes::from(body))).unwrap())
        .await
    {
        Ok(response) => {
            let status = response.status().as_u16();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            (
                status,
                serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            )
        }
        Err(_) => (0, Value::Null),
    }
}

async fn login(http: &Http, base: &str, user: &str) -> Option<(String, String)> {
    let (status, v) = call(
        http,
        Method::POST,
        &format!("{base}/v1/auth/login"),
        None,
        Some(&json!({ "username": user, "public_key": PK })),
    )
    .await;
    (status == 200).then(|| {
        (
            v["access_token"].as_str().unwrap_or_default().to_owned(),
            v["refresh_token"].as_str().unwrap_or_default().to_owned(),
        )
    })
}

/// Runs `work` on `concurrency` workers until `count` operations or `seconds` pass; answers
/// (ok, failed, elapsed).
async fn phase<F, Fut>(
    concurrency: usize,
    count: u64,
    seconds: u64,
    work: F,
) -> (u64, u64, Duration)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let work = Arc::new(work);
    let issued = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (work, issued, failed) = (work.clone(), issued.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline && issued.fetch_add(1, Ordering::SeqCst) < count {
                if !work(worker).await {
                    failed.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed();
    let done = issued.load(Ordering::SeqCst).min(count);
    let failed = failed.load(Ordering::SeqCst);
    (done.saturating_sub(failed), failed, elapsed)
}

fn report(name: &str, (ok, failed, elapsed): (u64, u64, Duration)) {
    println!(
        "{name}: ok={ok} failed={failed} seconds={:.2} per_second={:.0}",
        elapsed.as_secs_f64(),
        ok as f64 / elapsed.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    };
    let http: Http = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(args.concurrency)
        .build_http();
    let base = args.url.clone();

    // One session per worker.
    let mut sessions = Vec::new();
    for i in 0..args.concurrency {
        match login(&http, &base, &format!("load-{i}")).await {
            Some(pair) => sessions.push(tokio::sync::Mutex::new(pair)),
            None => {
                eprintln!("load: login failed (is the server up, with --login-rate 0?)");
                std::process::exit(1);
            }
        }
    }
    let sessions = Arc::new(sessions);

    let (h, b, s) = (http.clone(), base.clone(), sessions.clone());
    let refreshes = phase(args.concurrency, args.count, args.seconds, move |w| {
        let (h, b, s) = (h.clone(), b.clone(), s.clone());
        async move {
            let mut pair = s[w].lock().await;
            let (status, v) = call(
                &h,
                Method::POST,
                &format!("{b}/v1/auth/session"),
                None,
                Some(&json!({ "refresh_token": pair.1 })),
            )
            .await;
            if status != 200 {
                return false;
            }
            pair.0 = v["access_token"].as_str().unwrap_or_default().to_owned();
            pair.1 = v["refresh_token"].as_str().unwrap_or_default().to_owned();
            true
        }
    })
    .await;
    report("refresh", refreshes);

    let (h, b, s) = (http.clone(), base.clone(), sessions.clone());
    let bearer = phase(args.concurrency, args.count, args.seconds, move |w| {
        let (h, b, s) = (h.clone(), b.clone(), s.clone());
        async move {
            let access = s[w].lock().await.0.clone();
            call(&h, Method::GET, &format!("{b}/v1/me"), Some(&access), None)
                .await
                .0
                == 200
        }
    })
    .await;
    report("bearer", bearer);

    if args.sessions > 0 {
        let (h, b) = (http.clone(), base.clone());
        let next = Arc::new(AtomicU64::new(0));
        let logins = phase(args.concurrency, args.sessions, MAX_SECONDS, move |_| {
            let (h, b, next) = (h.clone(), b.clone(), next.clone());
            async move {
                let i = next.fetch_add(1, Ordering::SeqCst);
                login(&h, &b, &format!("user-{i}")).await.is_some()
            }
        })
        .await;
        report("login", logins);
    }
}
