//! Deterministic fakes for the native session and HTTP tests: a scripted transport that counts calls
//! and can hold answers until released, a fake auth server, an in-memory cross-tab lock with real
//! mutual exclusion, a fake clock, and a single-threaded executor helper.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures::executor::LocalPool;
use futures::future::{select, Either, LocalBoxFuture};
use futures::task::LocalSpawnExt;
use futures::FutureExt;

use wasm_session_manager::core::clock::Clock;
use wasm_session_manager::core::crypto::ecies;
use wasm_session_manager::core::crypto::SessionKey;
use wasm_session_manager::core::keys::{Slot, StorageKeys};
use wasm_session_manager::core::lock::{Grant, Holding, Lock};
use wasm_session_manager::core::session::{SessionManager, SessionOptions, SessionSlots};
use wasm_session_manager::core::storage::MemoryStorage;
use wasm_session_manager::core::transport::{HttpRequest, HttpResponse, Transport};
use wasm_session_manager::{Error, Result};

pub const BASE: &str = "https://auth.test";
pub const REFRESH_URL: &str = "https://auth.test/v1/auth/session";
pub const LOGOUT_URL: &str = "https://auth.test/v1/auth/logout";
/// The fake clock's start: 2023-11-14T22:13:20Z.
pub const T0_MS: u64 = 1_700_000_000_000;

// ---------------------------------------------------------------------------------------------
// Gate: an async barrier the test opens and closes.

/// Futures waiting on a closed gate stay pending until it opens.
#[derive(Default)]
pub struct Gate {
    open: Cell<bool>,
    permits: Cell<usize>,
    waiters: RefCell<Vec<Waker>>,
}

impl Gate {
    pub fn new(open: bool) -> Rc<Self> {
        Rc::new(Self {
            open: Cell::new(open),
            permits: Cell::new(0),
            waiters: RefCell::new(Vec::new()),
        })
    }

    pub fn is_open(&self) -> bool {
        self.open.get()
    }

    pub fn open(&self) {
        self.open.set(true);
        for waker in self.waiters.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    pub fn close(&self) {
        self.open.set(false);
    }

    /// Lets `n` waiters (present or future) through a closed gate.
    pub fn release(&self, n: usize) {
        self.permits.set(self.permits.get() + n);
        for waker in self.waiters.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    pub fn wait(self: &Rc<Self>) -> GateWait {
        GateWait { gate: self.clone() }
    }
}

pub struct GateWait {
    gate: Rc<Gate>,
}

impl Future for GateWait {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.gate.open.get() {
            Poll::Ready(())
        } else if self.gate.permits.get() > 0 {
            self.gate.permits.set(self.gate.permits.get() - 1);
            Poll::Ready(())
        } else {
            self.gate.waiters.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Transport

type Handler = Box<dyn FnMut(&HttpRequest) -> Result<HttpResponse>>;

struct TransportInner {
    requests: RefCell<Vec<HttpRequest>>,
    handler: RefCell<Handler>,
    gate: Rc<Gate>,
    url_gates: RefCell<Vec<(String, Rc<Gate>)>>,
    answer_gates: RefCell<Vec<(String, Rc<Gate>)>>,
    in_flight: Cell<usize>,
    answered: Cell<usize>,
}

/// Records every request, waits on its gate (open by default), then answers with its handler.
#[derive(Clone)]
pub struct FakeTransport {
    inner: Rc<TransportInner>,
}

impl FakeTransport {
    pub fn new(handler: impl FnMut(&HttpRequest) -> Result<HttpResponse> + 'static) -> Self {
        Self {
            inner: Rc::new(TransportInner {
                requests: RefCell::new(Vec::new()),
                handler: RefCell::new(Box::new(handler)),
                gate: Gate::new(true),
                url_gates: RefCell::new(Vec::new()),
                answer_gates: RefCell::new(Vec::new()),
                in_flight: Cell::new(0),
                answered: Cell::new(0),
            }),
        }
    }

    /// Answers every request with the same response.
    pub fn fixed(response: Result<HttpResponse>) -> Self {
        Self::new(move |_| response.clone())
    }

    /// Answers requests in order from `script`; past its end, a network error.
    pub fn scripted(script: Vec<Result<HttpResponse>>) -> Self {
        let mut script = script.into_iter();
        Self::new(move |_| {
            script
                .next()
                .unwrap_or_else(|| Err(Error::Network("script exhausted".into())))
        })
    }

    /// Routes requests to a [`FakeServer`].
    pub fn server(server: &FakeServer) -> Self {
        let server = server.clone();
        Self::new(move |req| server.handle(req))
    }

    pub fn set_handler(&self, handler: impl FnMut(&HttpRequest) -> Result<HttpResponse> + 'static) {
        *self.inner.handler.borrow_mut() = Box::new(handler);
    }

    /// Holds every answer until [`FakeTransport::release`].
    pub fn hold(&self) {
        self.inner.gate.close();
    }

    pub fn release(&self) {
        self.inner.gate.open();
    }

    /// A closed gate for requests whose URL starts with `prefix` (checked after the global gate).
    pub fn gate_for(&self, prefix: &str) -> Rc<Gate> {
        let gate = Gate::new(false);
        self.inner
            .url_gates
            .borrow_mut()
            .push((prefix.to_owned(), gate.clone()));
        gate
    }

    /// A closed gate *after* the server handled requests whose URL starts with `prefix`: the server
    /// has acted (rotated, revoked), and its answer is held on its way back.
    pub fn answer_gate_for(&self, prefix: &str) -> Rc<Gate> {
        let gate = Gate::new(false);
        self.inner
            .answer_gates
            .borrow_mut()
            .push((prefix.to_owned(), gate.clone()));
        gate
    }

    /// Requests the handler has answered (whether or not the answer was delivered).
    pub fn answered(&self) -> usize {
        self.inner.answered.get()
    }

    pub fn requests_to(&self, prefix: &str) -> Vec<HttpRequest> {
        self.inner
            .requests
            .borrow()
            .iter()
            .filter(|r| r.url.starts_with(prefix))
            .cloned()
            .collect()
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.inner.requests.borrow().clone()
    }

    pub fn calls(&self) -> usize {
        self.inner.requests.borrow().len()
    }

    pub fn calls_to(&self, url: &str) -> usize {
        self.inner
            .requests
            .borrow()
            .iter()
            .filter(|r| r.url == url)
            .count()
    }

    /// Requests sent but not answered yet.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.get()
    }
}

impl Transport for FakeTransport {
    fn send(&self, request: HttpRequest) -> LocalBoxFuture<'_, Result<HttpResponse>> {
        Box::pin(async move {
            self.inner.requests.borrow_mut().push(request.clone());
            self.inner.in_flight.set(self.inner.in_flight.get() + 1);
            self.inner.gate.wait().await;
            let url_gate = self
                .inner
                .url_gates
                .borrow()
                .iter()
                .find(|(prefix, _)| request.url.starts_with(prefix.as_str()))
                .map(|(_, gate)| gate.clone());
            if let Some(gate) = url_gate {
                gate.wait().await;
            }
            self.inner.in_flight.set(self.inner.in_flight.get() - 1);
            let answer = (self.inner.handler.borrow_mut())(&request);
            self.inner.answered.set(self.inner.answered.get() + 1);
            let answer_gate = self
                .inner
                .answer_gates
                .borrow()
                .iter()
                .find(|(prefix, _)| request.url.starts_with(prefix.as_str()))
                .map(|(_, gate)| gate.clone());
            if let Some(gate) = answer_gate {
                gate.wait().await;
            }
            answer
        })
    }
}

pub fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        status_text: status_text(status).to_owned(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_owned(),
        json: None,
        held: None,
    }
}

pub fn html(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        status_text: status_text(status).to_owned(),
        headers: vec![("content-type".into(), "text/html".into())],
        body: body.to_owned(),
        json: None,
        held: None,
    }
}

fn status_text(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

// ---------------------------------------------------------------------------------------------
// A fake auth server: rotates tokens on refresh, encrypts session data, guards `/api/*`.

struct ServerState {
    clock: FakeClock,
    session_key: Option<SessionKey>,
    plaintext: String,
    access: String,
    refresh: String,
    serial: u64,
    access_ttl_s: u64,
    refreshes: usize,
    logouts: usize,
    revoked: bool,
}

#[derive(Clone)]
pub struct FakeServer {
    state: Rc<RefCell<ServerState>>,
}

impl FakeServer {
    /// A server whose session was logged in with `session_key`, holding `plaintext` as session data.
    pub fn new(clock: &FakeClock, session_key: Option<SessionKey>, plaintext: &str) -> Self {
        let mut state = ServerState {
            clock: clock.clone(),
            session_key,
            plaintext: plaintext.to_owned(),
            access: String::new(),
            refresh: String::new(),
            serial: 0,
            access_ttl_s: 900,
            refreshes: 0,
            logouts: 0,
            revoked: false,
        };
        state.rotate();
        Self {
            state: Rc::new(RefCell::new(state)),
        }
    }

    pub fn access(&self) -> String {
        self.state.borrow().access.clone()
    }

    pub fn refresh(&self) -> String {
        self.state.borrow().refresh.clone()
    }

    pub fn refreshes(&self) -> usize {
        self.state.borrow().refreshes
    }

    pub fn logouts(&self) -> usize {
        self.state.borrow().logouts
    }

    /// Invalidates the current access token (as if it expired server-side) without rotating the
    /// refresh token.
    pub fn invalidate_access(&self) {
        let mut s = self.state.borrow_mut();
        s.serial += 1;
        let serial = s.serial;
        s.access = format!("revoked-{serial}");
    }

    /// Ends the session: every refresh is refused.
    pub fn revoke(&self) {
        self.state.borrow_mut().revoked = true;
    }

    pub fn handle(&self, req: &HttpRequest) -> Result<HttpResponse> {
        let mut s = self.state.borrow_mut();
        let path = req.url.strip_prefix(BASE).unwrap_or(&req.url).to_owned();
        if path == "/v1/auth/session" {
            s.refreshes += 1;
            let body: serde_json::Value =
                serde_json::from_str(req.body.as_deref().unwrap_or("")).unwrap_or_default();
            let sent = body.get("refresh_token").and_then(|v| v.as_str());
            if s.revoked || sent != Some(s.refresh.as_str()) {
                return Ok(response(
                    401,
                    r#"{"error":"invalid_grant","error_description":"refresh token is not valid"}"#,
                ));
            }
            s.rotate();
            let session_data = s.session_key.as_ref().map(|k| {
                ecies::encrypt(&k.public_key().unwrap(), s.plaintext.as_bytes()).to_json()
            });
            let answer = serde_json::json!({
                "access_token": s.access,
                "refresh_token": s.refresh,
                "session_data": session_data,
            });
            return Ok(response(200, &answer.to_string()));
        }
        if path == "/v1/auth/logout" {
            s.logouts += 1;
            s.revoked = true;
            return Ok(response(200, r#"{"success":true}"#));
        }
        if let Some(api) = path.strip_prefix("/api/") {
            let expected = format!("Bearer {}", s.access);
            if req.header_value("Authorization") != Some(expected.as_str()) {
                return Ok(response(
                    401,
                    r#"{"error":"invalid_token","error_description":"access token expired"}"#,
                ));
            }
            let echo = serde_json::json!({
                "route": api,
                "method": req.method.as_str(),
                "body": req.body,
            });
            return Ok(response(200, &echo.to_string()));
        }
        Ok(response(404, r#"{"error":"not_found"}"#))
    }
}

impl ServerState {
    fn rotate(&mut self) {
        self.serial += 1;
        let exp = self.clock.now_ms() / 1000 + self.access_ttl_s;
        self.access = jwt(exp, &format!("at{}", self.serial));
        self.refresh = format!("rt{}", self.serial);
    }
}

// ---------------------------------------------------------------------------------------------
// Lock

/// A first-come, first-served exclusive lock, as `navigator.locks` grants requests in order.
#[derive(Default)]
struct Fifo {
    held: Cell<bool>,
    queue: RefCell<std::collections::VecDeque<u64>>,
    next: Cell<u64>,
    wakers: RefCell<Vec<Waker>>,
}

impl Fifo {
    fn wake_all(&self) {
        let wakers: Vec<Waker> = self.wakers.borrow_mut().drain(..).collect();
        for w in wakers {
            w.wake();
        }
    }
}

/// Held until dropped.
pub struct LockGuard {
    fifo: Rc<Fifo>,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.fifo.held.set(false);
        self.fifo.wake_all();
    }
}

struct Acquire {
    fifo: Rc<Fifo>,
    id: Option<u64>,
    granted: bool,
    waited: bool,
}

impl Future for Acquire {
    type Output = (LockGuard, Grant);
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<(LockGuard, Grant)> {
        let fifo = self.fifo.clone();
        let id = match self.id {
            Some(id) => id,
            None => {
                let id = fifo.next.get();
                fifo.next.set(id + 1);
                fifo.queue.borrow_mut().push_back(id);
                self.id = Some(id);
                id
            }
        };
        if !fifo.held.get() && fifo.queue.borrow().front() == Some(&id) {
            fifo.queue.borrow_mut().pop_front();
            fifo.held.set(true);
            self.granted = true;
            let grant = if self.waited {
                Grant::AfterWait
            } else {
                Grant::AtOnce
            };
            return Poll::Ready((LockGuard { fifo }, grant));
        }
        self.waited = true;
        fifo.wakers.borrow_mut().push(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        if let (Some(id), false) = (self.id, self.granted) {
            self.fifo.queue.borrow_mut().retain(|w| *w != id);
            self.fifo.wake_all();
        }
    }
}

struct LockInner {
    fifo: Rc<Fifo>,
    timeouts: Rc<Gate>,
    names: RefCell<Vec<String>>,
    waits: RefCell<Vec<u32>>,
    marks: RefCell<Vec<String>>,
}

/// A cross-tab lock for managers in one test: real mutual exclusion, granted in request order; a
/// wait times out when the test calls [`FakeLock::expire_waits`] while the lock is held.
#[derive(Clone)]
pub struct FakeLock {
    inner: Rc<LockInner>,
}

impl Default for FakeLock {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeLock {
    pub fn new() -> Self {
        Self {
            inner: Rc::new(LockInner {
                fifo: Rc::default(),
                timeouts: Gate::new(false),
                names: RefCell::new(Vec::new()),
                waits: RefCell::new(Vec::new()),
                marks: RefCell::new(Vec::new()),
            }),
        }
    }

    /// Takes the lock as "another tab" would, until the guard is dropped.
    pub fn try_hold(&self) -> Option<LockGuard> {
        let fifo = &self.inner.fifo;
        if fifo.held.get() || !fifo.queue.borrow().is_empty() {
            return None;
        }
        fifo.held.set(true);
        Some(LockGuard { fifo: fifo.clone() })
    }

    pub fn is_held(&self) -> bool {
        self.inner.fifo.held.get()
    }

    /// Every wait for the lock (now and later) gives up, as if its bound had passed.
    pub fn expire_waits(&self) {
        self.inner.timeouts.open();
    }

    pub fn names(&self) -> Vec<String> {
        self.inner.names.borrow().clone()
    }

    pub fn waits(&self) -> Vec<u32> {
        self.inner.waits.borrow().clone()
    }

    /// The marks left by holders ([`Holding::leave`]), in order; a mark is held until the test
    /// ends.
    pub fn marks(&self) -> Vec<String> {
        self.inner.marks.borrow().clone()
    }
}

impl Lock for FakeLock {
    fn with_lock<'a, T: 'a>(
        &'a self,
        name: &'a str,
        wait_ms: u32,
        holding: &'a Holding,
        task: LocalBoxFuture<'a, T>,
    ) -> LocalBoxFuture<'a, Result<T>> {
        Box::pin(async move {
            self.inner.names.borrow_mut().push(name.to_owned());
            self.inner.waits.borrow_mut().push(wait_ms);
            let acquire = Acquire {
                fifo: self.inner.fifo.clone(),
                id: None,
                granted: false,
                waited: false,
            };
            let timeout = self.inner.timeouts.wait();
            match select(acquire, timeout).await {
                Either::Left(((guard, grant), _)) => {
                    holding.grant.set(grant);
                    let marks = &self.inner.marks;
                    holding.found.set(
                        (holding.look_for.as_ref()).is_some_and(|m| marks.borrow().contains(m)),
                    );
                    let out = task.await;
                    if let Some(mark) = holding.leave.borrow_mut().take() {
                        marks.borrow_mut().push(mark);
                    }
                    drop(guard);
                    Ok(out)
                }
                Either::Right(_) => Err(Error::LockTimeout(name.to_owned())),
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Clock

/// A clock the test moves: `sleep` resolves once [`FakeClock::advance_ms`] has passed its deadline.
#[derive(Clone)]
pub struct FakeClock {
    now: Rc<Cell<u64>>,
    sleepers: Rc<RefCell<Vec<Waker>>>,
    sleeps: Rc<Cell<usize>>,
}

impl Default for FakeClock {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeClock {
    pub fn new() -> Self {
        Self {
            now: Rc::new(Cell::new(T0_MS)),
            sleepers: Rc::new(RefCell::new(Vec::new())),
            sleeps: Rc::new(Cell::new(0)),
        }
    }

    pub fn advance_ms(&self, ms: u64) {
        self.now.set(self.now.get() + ms);
        for waker in self.sleepers.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    /// Sets the clock (a jump, as after a laptop sleeps).
    pub fn set_ms(&self, now: u64) {
        self.now.set(now);
        for waker in self.sleepers.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    /// How many `sleep`s were started so far.
    pub fn sleeps(&self) -> usize {
        self.sleeps.get()
    }
}

struct Sleep {
    clock: FakeClock,
    until: u64,
}

impl Future for Sleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.clock.now.get() >= self.until {
            Poll::Ready(())
        } else {
            self.clock.sleepers.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }

    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
        self.sleeps.set(self.sleeps.get() + 1);
        Box::pin(Sleep {
            clock: self.clone(),
            until: self.now.get().saturating_add(ms),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// An unsigned JWT with `exp` (seconds) and a distinguishing `jti`.
pub fn jwt(exp_s: u64, tag: &str) -> String {
    let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64url(format!(r#"{{"jti":"{tag}","exp":{exp_s}}}"#).as_bytes());
    format!("{header}.{payload}.sig")
}

/// An unsigned JWT with `iat` and `exp` (seconds).
pub fn jwt_iat(iat_s: u64, exp_s: u64, tag: &str) -> String {
    let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64url(format!(r#"{{"jti":"{tag}","iat":{iat_s},"exp":{exp_s}}}"#).as_bytes());
    format!("{header}.{payload}.sig")
}

/// A JWT expiring `secs` seconds after the fake clock's start (negative: already expired).
pub fn jwt_in(secs: i64, tag: &str) -> String {
    jwt(((T0_MS / 1000) as i64 + secs) as u64, tag)
}

fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Managers and the executor

pub type Manager = SessionManager<FakeTransport, FakeLock, FakeClock>;

/// A "tab": a manager over `storage` (all four slots), sharing `lock` and `clock` with others.
pub fn manager(
    storage: &Rc<MemoryStorage>,
    transport: &FakeTransport,
    lock: &FakeLock,
    clock: &FakeClock,
) -> Manager {
    let options = SessionOptions::new(BASE);
    let slots = SessionSlots::uniform(options.keys(), storage.clone());
    SessionManager::new(
        options,
        slots,
        transport.clone(),
        lock.clone(),
        clock.clone(),
    )
}

/// One logged-in session: a fake auth server holding it, its tokens seeded into shared storage, and
/// the lock and clock every "tab" of the test shares.
pub struct World {
    pub exec: Exec,
    pub clock: FakeClock,
    pub lock: FakeLock,
    pub server: FakeServer,
    pub transport: FakeTransport,
    pub storage: Rc<MemoryStorage>,
    pub key: SessionKey,
}

impl World {
    /// A session whose server-side data is `session_data` (JSON text).
    pub fn new(session_data: &str) -> Self {
        let clock = FakeClock::new();
        let key = SessionKey::generate();
        let server = FakeServer::new(&clock, Some(key.clone()), session_data);
        let transport = FakeTransport::server(&server);
        let storage = Rc::new(MemoryStorage::new());
        seed(
            &storage,
            Some(&key.to_hex()),
            Some(&server.access()),
            Some(&server.refresh()),
        );
        World {
            exec: Exec::new(),
            clock,
            lock: FakeLock::new(),
            server,
            transport,
            storage,
            key,
        }
    }

    /// A new "tab": a manager over the shared storage, transport, lock and clock.
    pub fn tab(&self) -> Manager {
        manager(&self.storage, &self.transport, &self.lock, &self.clock)
    }

    /// `times` steps of 20 ms of the world's clock (see [`Exec::tick`]).
    pub fn tick(&mut self, times: usize) {
        self.exec.tick(&self.clock, times);
    }

    /// Two tabs connected by a cross-tab channel.
    pub fn two_synced_tabs(&self) -> (Hub, Manager, Manager) {
        let hub = Hub::new(&self.exec);
        let (a, b) = (self.tab(), self.tab());
        hub.join(&a);
        hub.join(&b);
        (hub, a, b)
    }
}

/// Writes a logged-in session into `storage` with the default keys.
pub fn seed(
    storage: &MemoryStorage,
    session_id: Option<&str>,
    access: Option<&str>,
    refresh: Option<&str>,
) {
    let keys = StorageKeys::default();
    for (slot, value) in [
        (Slot::SessionId, session_id),
        (Slot::AccessToken, access),
        (Slot::RefreshToken, refresh),
    ] {
        if let Some(v) = value {
            storage.set_now(&keys.key(slot), v);
        }
    }
}

pub fn stored(storage: &MemoryStorage, slot: Slot) -> Option<String> {
    storage.get_now(&StorageKeys::default().key(slot))
}

/// A single-threaded executor with result slots.
pub struct Exec {
    pub pool: LocalPool,
}

impl Default for Exec {
    fn default() -> Self {
        Self::new()
    }
}

impl Exec {
    pub fn new() -> Self {
        Self {
            pool: LocalPool::new(),
        }
    }

    /// Spawns `fut`; its output lands in the returned cell.
    pub fn spawn<T: 'static>(
        &self,
        fut: impl Future<Output = T> + 'static,
    ) -> Rc<RefCell<Option<T>>> {
        let slot = Rc::new(RefCell::new(None));
        let out = slot.clone();
        self.pool
            .spawner()
            .spawn_local(fut.map(move |v| *out.borrow_mut() = Some(v)))
            .expect("spawn");
        slot
    }

    pub fn run_until_stalled(&mut self) {
        self.pool.run_until_stalled();
    }

    pub fn block_on<T>(&mut self, fut: impl Future<Output = T>) -> T {
        self.pool.run_until(fut)
    }

    /// `times` steps of 20 ms on `clock` (the storage re-reads' period), running what each wakes.
    pub fn tick(&mut self, clock: &FakeClock, times: usize) {
        for _ in 0..times {
            clock.advance_ms(20);
            self.run_until_stalled();
        }
    }
}

/// Takes a spawned result, panicking if it is not ready.
pub fn take<T>(slot: &Rc<RefCell<Option<T>>>) -> T {
    slot.borrow_mut()
        .take()
        .expect("the future has not finished")
}

/// The error code of an error result.
pub fn code<T: std::fmt::Debug>(r: &Result<T>) -> &'static str {
    match r {
        Ok(v) => panic!("expected an error, got Ok({v:?})"),
        Err(e) => e.code(),
    }
}

// ---------------------------------------------------------------------------------------------
// HttpClient

pub const API: &str = "https://auth.test/api/";

pub type Client = wasm_session_manager::core::http::HttpClient<FakeTransport, FakeLock, FakeClock>;

/// A client over `manager`, sending through `transport`.
pub fn client(manager: &Manager, transport: &FakeTransport) -> Rc<Client> {
    Rc::new(Client::new(Rc::new(manager.clone()), transport.clone()))
}

// ---------------------------------------------------------------------------------------------
// Cross-tab messages and events

use wasm_session_manager::core::session::{AuthEvent, Broadcast, Change, Origin, SyncMessage};

/// A BroadcastChannel between the managers of one test: a message posted by one is delivered to
/// every other one later (a spawned task), as the browser does.
#[derive(Clone)]
pub struct Hub {
    spawner: futures::executor::LocalSpawner,
    tabs: Rc<RefCell<Vec<Manager>>>,
    posted: Rc<RefCell<Vec<SyncMessage>>>,
}

struct Port {
    hub: Hub,
    from: usize,
}

impl Broadcast for Port {
    fn post(&self, message: SyncMessage) {
        self.hub.posted.borrow_mut().push(message);
        let tabs = self.hub.tabs.borrow().clone();
        for (i, tab) in tabs.into_iter().enumerate() {
            if i != self.from {
                self.hub
                    .spawner
                    .spawn_local(async move { tab.on_sync(Some(message)).await })
                    .expect("spawn");
            }
        }
    }
}

impl Hub {
    pub fn new(exec: &Exec) -> Self {
        Self {
            spawner: exec.pool.spawner(),
            tabs: Rc::default(),
            posted: Rc::default(),
        }
    }

    /// Connects `tab` to the others.
    pub fn join(&self, tab: &Manager) {
        let from = self.tabs.borrow().len();
        self.tabs.borrow_mut().push(tab.clone());
        tab.set_broadcast(Some(Rc::new(Port {
            hub: self.clone(),
            from,
        })));
    }

    pub fn posted(&self) -> Vec<SyncMessage> {
        self.posted.borrow().clone()
    }
}

/// Records every event `tab` reports.
pub fn record_events(tab: &Manager) -> Rc<RefCell<Vec<(AuthEvent, Origin)>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let out = seen.clone();
    tab.subscribe(Rc::new(move |c: &Change| {
        out.borrow_mut().push((c.event, c.origin))
    }));
    seen
}

// ---------------------------------------------------------------------------------------------
// A storage that records writes and can refuse them

use wasm_session_manager::core::storage::StorageAdapter;

/// A [`MemoryStorage`] that logs `set`/`remove` calls in order and refuses writes to keys listed
/// in `refuse`.
#[derive(Default)]
pub struct RecordingStorage {
    pub inner: MemoryStorage,
    pub log: RefCell<Vec<String>>,
    pub refuse: RefCell<Vec<String>>,
}

impl StorageAdapter for RecordingStorage {
    fn get<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<Option<String>>> {
        self.inner.get(key)
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        if self.refuse.borrow().iter().any(|k| k == key) {
            return Box::pin(async move {
                Err(Error::StorageWrite(format!("{key}: QuotaExceededError")))
            });
        }
        self.log.borrow_mut().push(format!("set {key}"));
        self.inner.set(key, value)
    }

    fn remove<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        self.log.borrow_mut().push(format!("remove {key}"));
        self.inner.remove(key)
    }
}

// ---------------------------------------------------------------------------------------------
// A tab whose view of the shared storage lags

/// One tab's view of a shared [`MemoryStorage`] in which other tabs' writes to some keys arrive
/// late, as Chromium carries localStorage to other renderer processes asynchronously (and cookies
/// separately): [`LaggingView::lag`] freezes this view of a key at its current value until
/// [`LaggingView::catch_up`]. The tab's own writes to a key end its lag.
pub struct LaggingView {
    pub shared: Rc<MemoryStorage>,
    frozen: RefCell<Vec<(String, Option<String>)>>,
}

impl LaggingView {
    pub fn new(shared: &Rc<MemoryStorage>) -> Rc<Self> {
        Rc::new(Self {
            shared: shared.clone(),
            frozen: RefCell::default(),
        })
    }

    /// From now on, this view shows `slot` (default keys) as it is now, until `catch_up`.
    pub fn lag(&self, slot: Slot) {
        let key = StorageKeys::default().key(slot);
        let value = self.shared.get_now(&key);
        self.frozen.borrow_mut().push((key, value));
    }

    /// From now on, this view shows every slot as it is now, until `catch_up`.
    pub fn lag_all(&self) {
        for slot in Slot::ALL {
            self.lag(slot);
        }
    }

    /// Every late write arrives.
    pub fn catch_up(&self) {
        self.frozen.borrow_mut().clear();
    }

    fn unfreeze(&self, key: &str) {
        self.frozen.borrow_mut().retain(|(k, _)| k != key);
    }
}

impl StorageAdapter for LaggingView {
    fn get<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<Option<String>>> {
        let frozen = self
            .frozen
            .borrow()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone());
        match frozen {
            Some(value) => Box::pin(async move { Ok(value) }),
            None => self.shared.get(key),
        }
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        self.unfreeze(key);
        self.shared.set(key, value)
    }

    fn remove<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        self.unfreeze(key);
        self.shared.remove(key)
    }
}

impl World {
    /// A new "tab" that sees the shared storage through `view`.
    pub fn tab_over(&self, view: &Rc<LaggingView>) -> Manager {
        let options = SessionOptions::new(BASE);
        let slots = SessionSlots::uniform(options.keys(), view.clone());
        SessionManager::new(
            options,
            slots,
            self.transport.clone(),
            self.lock.clone(),
            self.clock.clone(),
        )
    }
}
