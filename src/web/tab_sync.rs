//! Cross-tab sync and wake-ups for one session manager: a `BroadcastChannel` named
//! `{prefix}:session-sync` (where it is missing, `storage` events on the session's keys), and the
//! page's wake-up events (`visibilitychange` to visible, `pageshow`, `focus`, `online`) for the
//! proactive refresh. Everything is bound with `catch`; a missing API means no sync, never an
//! exception. Dropping a [`TabSync`] closes the channel and removes every listener.
//!
//! **Presence.** A new channel says `"hello"`; a manager that hears it answers `"here"`. A manager
//! that has heard no other manager on its channel (hello, here or any sync message) does not post
//! `TOKEN_REFRESHED`: a tab alone needs no refresh news, and a post costs a cross-process message
//! per refresh (measured: a loop of lock + post takes 1.55× the time of the lock alone). Every
//! other change (sign-in, sign-out, supersede) is always posted. A refresh left unposted in the
//! moment before a new tab's hello arrives is the case of a tab running the original package, which
//! posts nothing: the other tab's flight reads the stored tokens under the lock and adopts them.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::session::{Broadcast, SyncMessage};

/// The presence messages (not [`SyncMessage`]s: the core never sees them).
const HELLO: &str = "hello";
const HERE: &str = "here";

#[wasm_bindgen]
extern "C" {
    /// `BroadcastChannel`.
    #[derive(Debug, Clone)]
    type Channel;

    #[wasm_bindgen(catch, constructor, js_class = BroadcastChannel)]
    fn open(name: &str) -> Result<Channel, JsValue>;

    #[wasm_bindgen(catch, method, js_class = BroadcastChannel, js_name = postMessage)]
    fn post_message(this: &Channel, message: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(catch, method, js_class = BroadcastChannel)]
    fn close(this: &Channel) -> Result<(), JsValue>;

    /// Anything with `addEventListener` / `removeEventListener`.
    #[derive(Debug, Clone)]
    type Target;

    #[wasm_bindgen(catch, method, structural, js_name = addEventListener)]
    fn add_event_listener(this: &Target, kind: &str, listener: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(catch, method, structural, js_name = removeEventListener)]
    fn remove_event_listener(this: &Target, kind: &str, listener: &JsValue) -> Result<(), JsValue>;
}

/// Posts sync messages on the channel.
#[derive(Debug)]
struct ChannelPoster {
    channel: Channel,
    /// Has another manager been heard on this channel?
    peers: Rc<Cell<bool>>,
}

fn post_text(channel: &Channel, text: &str) {
    // Best effort: a closed channel or a browser that refuses is no reason to fail the change.
    let _ = channel.post_message(&JsValue::from_str(text));
}

impl Broadcast for ChannelPoster {
    fn post(&self, message: SyncMessage) {
        if message.is_refresh_news() && !self.peers.get() {
            return;
        }
        post_text(&self.channel, &message.encode());
    }

    fn has_peers(&self) -> bool {
        self.peers.get()
    }
}

type Handler = Closure<dyn FnMut(JsValue)>;

/// The channel and listeners of one manager.
#[derive(Debug, Default)]
pub struct TabSync {
    channel: Option<Channel>,
    listeners: Vec<(Target, &'static str, Handler)>,
}

fn property(value: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(value, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

impl TabSync {
    /// Opens the channel for `prefix` (or listens to `storage` events without one), delivering
    /// messages to `on_sync`, and, with `on_wake`, listens to the page's wake-up events. Returns the
    /// poster the manager sends its own changes through.
    pub fn install(
        prefix: &str,
        on_sync: Rc<dyn Fn(Option<SyncMessage>)>,
        on_wake: Option<Rc<dyn Fn()>>,
    ) -> (Self, Option<Rc<dyn Broadcast>>) {
        let mut sync = Self::default();
        let global: Target = js_sys::global().unchecked_into();
        let mut name = String::from(prefix);
        name.push_str(":session-sync");
        let poster: Option<Rc<dyn Broadcast>> = match Channel::open(&name) {
            Ok(channel) => {
                let deliver = on_sync.clone();
                let peers = Rc::new(Cell::new(false));
                let heard = peers.clone();
                let answer = channel.clone();
                let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                    let Some(text) = property(&event, "data").and_then(|d| d.as_string()) else {
                        return;
                    };
                    if text == HELLO {
                        heard.set(true);
                        post_text(&answer, HERE);
                    } else if text == HERE {
                        heard.set(true);
                    } else if let Some(message) = SyncMessage::decode(&text) {
                        heard.set(true);
                        deliver(Some(message));
                    }
                });
                let target: Target = channel.clone().unchecked_into();
                sync.listen(target, "message", handler);
                // Node's BroadcastChannel keeps the process alive while open: let it exit.
                if let Some(unref) = property(&channel, "unref") {
                    if let Some(unref) = unref.dyn_ref::<js_sys::Function>() {
                        let _ = unref.call0(&channel);
                    }
                }
                post_text(&channel, HELLO);
                sync.channel = Some(channel.clone());
                Some(Rc::new(ChannelPoster { channel, peers }))
            }
            Err(_) => {
                // No BroadcastChannel: `storage` events on this prefix's keys (localStorage only).
                let mut key_prefix = String::from(prefix);
                key_prefix.push(':');
                let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                    let key = property(&event, "key").and_then(|k| k.as_string());
                    // `key` is null when the whole storage was cleared.
                    if key.map_or(true, |k| k.starts_with(&key_prefix)) {
                        on_sync(None);
                    }
                });
                sync.listen(global.clone(), "storage", handler);
                None
            }
        };
        if let Some(on_wake) = on_wake {
            let document = property(&js_sys::global(), "document");
            for kind in ["pageshow", "focus", "online"] {
                let wake = on_wake.clone();
                let handler = Closure::<dyn FnMut(JsValue)>::new(move |_| wake());
                sync.listen(global.clone(), kind, handler);
            }
            if let Some(document) = document {
                let doc = document.clone();
                let wake = on_wake.clone();
                let handler = Closure::<dyn FnMut(JsValue)>::new(move |_| {
                    let state = property(&doc, "visibilityState").and_then(|s| s.as_string());
                    if state.as_deref() != Some("hidden") {
                        wake();
                    }
                });
                sync.listen(document.unchecked_into(), "visibilitychange", handler);
            }
        }
        (sync, poster)
    }

    fn listen(&mut self, target: Target, kind: &'static str, handler: Handler) {
        if target
            .add_event_listener(kind, handler.as_ref().unchecked_ref())
            .is_ok()
        {
            self.listeners.push((target, kind, handler));
        }
    }
}

impl Drop for TabSync {
    fn drop(&mut self) {
        for (target, kind, handler) in self.listeners.drain(..) {
            let _ = target.remove_event_listener(kind, handler.as_ref().unchecked_ref());
        }
        if let Some(channel) = self.channel.take() {
            let _ = channel.close();
        }
    }
}
