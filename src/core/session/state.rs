//! The session state of one tab, and how it changes.
//!
//! # One session, every tab
//! The session is the four storage slots, shared by every tab of an origin. Each tab keeps a copy of
//! what it last read or wrote ([`Memory`]), whether it is authenticated, and a **generation**: a
//! counter bumped by every transition this tab makes or learns of from another tab. The stored slots
//! themselves are the version every tab can see: a refresh token is unique per login and per rotation,
//! so "the stored (session id, access token, refresh token) is still what I read" means "nobody
//! changed the session meanwhile" — for tabs running this SDK and tabs running the original alike.
//!
//! # States and transitions
//! | state | how it is entered |
//! |---|---|
//! | signed out | a new manager, `logout`, `clearSessionData`, a terminal refresh answer, another tab's sign-out |
//! | stored, not authorized | `setTokens`, or tokens another tab stored |
//! | authenticated | a refresh committed or adopted, `authorize` resolved with data |
//!
//! | transition | who | writes | under the Web Lock | generation | event |
//! |---|---|---|---|---|---|
//! | `setTokens` | app | the given slots | yes (bounded wait; on timeout it writes anyway: a login is never lost) | bumped first | `SIGNED_IN` |
//! | refresh commit | a flight | refresh token, then access token | yes (no lock, no commit) | checked, not bumped | `TOKEN_REFRESHED` |
//! | adoption | a flight | nothing (reads what another tab wrote) | yes | – | – (the writer's tab announces it) |
//! | terminal answer | a flight | clears the four slots, only if they still hold what was sent | yes | bumped | `SESSION_EXPIRED` |
//! | `logout` / `clearSessionData` | app | clears the four slots | yes (on timeout it clears anyway: a logout always sticks) | bumped first | `SIGNED_OUT` |
//! | another tab's transition | sync message / `storage` event | nothing (re-reads the slots) | no | bumped if the slots changed | the same event, from that tab |
//!
//! Rules that make "newer always wins" hold:
//! - A transition made by this tab bumps the generation *before* it waits for anything, and aborts
//!   the refresh in flight in this tab: that flight's request is cancelled and its commit dropped.
//!   Other tabs are told first (`Supersede`), so their flights are dropped too.
//! - A refresh commit happens only under the lock, only if the generation is the one the flight
//!   started with, and only if the stored slots still hold what the flight read before sending
//!   (but for the access token alone arriving late: a rotation of the refresh token still stored
//!   is the newest pair and is committed).
//! - Events are delivered after the lock is released; a listener that throws or never returns
//!   blocks nothing the session does.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// The values this tab last read or wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// The session id.
    pub session_id: Option<String>,
    /// The access token.
    pub access_token: Option<String>,
    /// The refresh token.
    pub refresh_token: Option<String>,
    /// The id token.
    pub id_token: Option<String>,
}

/// [`Memory`] with a stamp that changes whenever it may have: every mutable borrow moves it on. A
/// reader that keeps a copy of a value (the JS side of `getAccessToken()`) asks for the stamp and
/// copies again only when it moved.
#[derive(Debug)]
pub struct MemoryCell {
    memory: RefCell<Memory>,
    stamp: Cell<u32>,
}

impl Default for MemoryCell {
    fn default() -> Self {
        Self {
            memory: RefCell::default(),
            stamp: Cell::new(1),
        }
    }
}

impl MemoryCell {
    /// Reads the memory.
    pub fn borrow(&self) -> std::cell::Ref<'_, Memory> {
        self.memory.borrow()
    }

    /// Changes the memory (and moves the stamp on).
    pub fn borrow_mut(&self) -> std::cell::RefMut<'_, Memory> {
        self.stamp.set(self.stamp.get().checked_add(1).unwrap_or(1));
        self.memory.borrow_mut()
    }

    /// Never 0; different after any change since it was last read.
    pub fn stamp(&self) -> u32 {
        self.stamp.get()
    }
}

/// What changed, as `onAuthStateChange` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthEvent {
    /// Tokens of a (new) login were stored.
    SignedIn,
    /// A refresh stored new tokens.
    TokenRefreshed,
    /// The session was ended by `logout()` or `clearSessionData()`.
    SignedOut,
    /// The server ended the session (a terminal refresh answer).
    SessionExpired,
    /// A slot's storage refused a write: that slot now lives in memory in this tab.
    StorageFallback,
}

impl AuthEvent {
    /// The event name JS sees.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "SIGNED_IN",
            Self::TokenRefreshed => "TOKEN_REFRESHED",
            Self::SignedOut => "SIGNED_OUT",
            Self::SessionExpired => "SESSION_EXPIRED",
            Self::StorageFallback => "STORAGE_FALLBACK",
        }
    }

    /// The event named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "SIGNED_IN" => Self::SignedIn,
            "TOKEN_REFRESHED" => Self::TokenRefreshed,
            "SIGNED_OUT" => Self::SignedOut,
            "SESSION_EXPIRED" => Self::SessionExpired,
            "STORAGE_FALLBACK" => Self::StorageFallback,
            _ => return None,
        })
    }

    /// True for the events that end the session.
    pub fn ends_session(self) -> bool {
        matches!(self, Self::SignedOut | Self::SessionExpired)
    }
}

/// Where a change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// This tab (this manager).
    Local,
    /// Another tab (or another manager on the same storage).
    Remote,
}

/// One notification to the listeners.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What happened.
    pub event: AuthEvent,
    /// Who did it.
    pub origin: Origin,
    /// For `STORAGE_FALLBACK`: the write error that caused it.
    pub error: Option<crate::core::error::Error>,
}

/// A listener of [`Change`]s (`onAuthStateChange`).
pub type Listener = Rc<dyn Fn(&Change)>;

/// The listeners, each with an id for unsubscribing.
#[derive(Default)]
pub struct Listeners {
    list: RefCell<Vec<(u64, Listener)>>,
    next: Cell<u64>,
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listeners")
            .field("count", &self.list.borrow().len())
            .finish()
    }
}

impl Listeners {
    /// Adds `listener`; returns its id.
    pub fn add(&self, listener: Listener) -> u64 {
        let id = self.next.get().wrapping_add(1);
        self.next.set(id);
        self.list.borrow_mut().push((id, listener));
        id
    }

    /// Removes listener `id` (no-op when gone).
    pub fn remove(&self, id: u64) {
        self.list.borrow_mut().retain(|(i, _)| *i != id);
    }

    /// Removes every listener.
    pub fn clear(&self) {
        self.list.borrow_mut().clear();
    }

    /// Calls every listener with `change`. The list is copied first, so a listener may subscribe,
    /// unsubscribe or call the manager again.
    pub fn emit(&self, change: &Change) {
        let listeners: Vec<Listener> = self.list.borrow().iter().map(|(_, l)| l.clone()).collect();
        for listener in listeners {
            listener(change);
        }
    }
}

/// A message between tabs (BroadcastChannel `{prefix}:session-sync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMessage {
    /// A tab is about to change the session (`setTokens`, `logout`, `clearSessionData`): drop any
    /// refresh in flight, its commit would be older.
    Supersede,
    /// A tab changed the session: re-read the slots (no request) and announce `event`.
    Changed(AuthEvent),
    /// A tab rotated the refresh token whose [`SyncMessage::fingerprint`] this is (a
    /// `TOKEN_REFRESHED`), posted before it releases the lock. A tab whose flight gets the lock
    /// next may still read that very token (Chromium carries another tab's storage writes by their
    /// own messages, unordered with the lock grant): having heard this, it waits for the storage to
    /// show the rotation instead of presenting the rotated-away token.
    Rotated(u64),
}

impl SyncMessage {
    /// The wire form: `"supersede"`, `"changed:<EVENT>"` or `"rotated:<decimal fingerprint>"`.
    pub fn encode(self) -> String {
        match self {
            Self::Supersede => "supersede".to_owned(),
            Self::Changed(event) => {
                let mut out = String::from("changed:");
                out.push_str(event.as_str());
                out
            }
            Self::Rotated(parent) => {
                let mut out = String::from("rotated:");
                crate::core::text::push_dec(&mut out, parent);
                out
            }
        }
    }

    /// Parses the wire form; anything else is `None` (ignored).
    pub fn decode(text: &str) -> Option<Self> {
        if text == "supersede" {
            return Some(Self::Supersede);
        }
        if let Some(parent) = text.strip_prefix("rotated:") {
            return parent.parse().ok().map(Self::Rotated);
        }
        AuthEvent::from_name(text.strip_prefix("changed:")?).map(Self::Changed)
    }

    /// The event another tab announces with this message, if any.
    pub fn event(self) -> Option<AuthEvent> {
        match self {
            Self::Supersede => None,
            Self::Changed(event) => Some(event),
            Self::Rotated(_) => Some(AuthEvent::TokenRefreshed),
        }
    }

    /// Is this refresh news (which a tab that has heard no other one need not post)?
    pub fn is_refresh_news(self) -> bool {
        self.event() == Some(AuthEvent::TokenRefreshed)
    }

    /// A refresh token's fingerprint for [`SyncMessage::Rotated`] (64-bit FNV-1a): enough to tell
    /// one's own token apart, without putting a token on the channel (a rotated-away token still
    /// buys the current pair in a server's grace window).
    pub fn fingerprint(refresh_token: &str) -> u64 {
        refresh_token
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325, |h: u64, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
    }
}

/// The refresh token another tab last said it rotated away ([`SyncMessage::Rotated`]), by
/// fingerprint; 0 when none is pending.
#[derive(Debug, Default)]
pub struct HeardRotation(Cell<u64>);

impl HeardRotation {
    /// Notes that another tab rotated the token with fingerprint `parent`.
    pub fn note(&self, parent: u64) {
        self.0.set(parent);
    }

    /// Has another tab said it rotated `refresh_token` away?
    pub fn has(&self, refresh_token: &str) -> bool {
        self.0.get() == SyncMessage::fingerprint(refresh_token)
    }

    /// Forgets the rotation of `refresh_token`, if that is the one heard: its news was acted on.
    pub fn forget(&self, refresh_token: &str) {
        if self.has(refresh_token) {
            self.0.set(0);
        }
    }
}

/// Sends [`SyncMessage`]s to the other tabs. Delivery is best effort.
pub trait Broadcast {
    /// Sends `message` to every other tab.
    fn post(&self, message: SyncMessage);

    /// Has another tab been heard on the channel? (A tab alone needs no refresh news or marks.)
    fn has_peers(&self) -> bool {
        true
    }
}

/// Generation and authentication flag of one tab.
#[derive(Debug, Default)]
pub struct Generation {
    value: Cell<u64>,
}

impl Generation {
    /// The current generation.
    pub fn get(&self) -> u64 {
        self.value.get()
    }

    /// Starts a new generation: every flight prepared under an older one is dropped.
    pub fn bump(&self) -> u64 {
        let next = self.value.get().wrapping_add(1);
        self.value.set(next);
        next
    }
}

/// Wakes the futures that wait for it (a single-threaded notifier).
#[derive(Debug, Clone, Default)]
pub struct Notify {
    inner: Rc<NotifyInner>,
}

#[derive(Debug, Default)]
struct NotifyInner {
    count: Cell<u64>,
    wakers: RefCell<Vec<Waker>>,
}

impl Notify {
    /// Wakes every [`Notified`] made before this call.
    pub fn notify(&self) {
        self.inner.count.set(self.inner.count.get().wrapping_add(1));
        let wakers: Vec<Waker> = self.inner.wakers.borrow_mut().drain(..).collect();
        for waker in wakers {
            waker.wake();
        }
    }

    /// A future that resolves at the next [`Notify::notify`].
    pub fn notified(&self) -> Notified {
        Notified {
            inner: self.inner.clone(),
            seen: self.inner.count.get(),
        }
    }
}

/// Resolves at the first [`Notify::notify`] after it was made.
#[derive(Debug)]
pub struct Notified {
    inner: Rc<NotifyInner>,
    seen: u64,
}

impl Future for Notified {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.inner.count.get() != self.seen {
            return Poll::Ready(());
        }
        self.inner.wakers.borrow_mut().push(cx.waker().clone());
        Poll::Pending
    }
}

/// Counts this tab's transitions in progress, so that a caller whose refresh was superseded waits
/// for the transition to finish before it looks at the session again.
#[derive(Debug, Default)]
pub struct Transitions {
    running: Cell<usize>,
    done: Notify,
}

impl Transitions {
    /// Marks a transition as running until the guard is dropped.
    pub fn start(self: &Rc<Self>) -> TransitionGuard {
        self.running.set(self.running.get() + 1);
        TransitionGuard { of: self.clone() }
    }

    /// Resolves when no transition of this tab is running.
    pub async fn settled(&self) {
        while self.running.get() > 0 {
            self.done.notified().await;
        }
    }
}

/// Ends a transition when dropped.
#[derive(Debug)]
pub struct TransitionGuard {
    of: Rc<Transitions>,
}

impl Drop for TransitionGuard {
    fn drop(&mut self) {
        self.of.running.set(self.of.running.get().saturating_sub(1));
        self.of.done.notify();
    }
}
