//! The in-memory store: the embedded default. Locks are never held across an `.await`.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::{
    MetaEntry, SessionRecord, Store, StoreError, StoreResult, WriteMark, MAX_WRITES_REMEMBERED,
};

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<String, SessionRecord>,
    meta: HashMap<(String, String), MetaEntry>,
    /// Per metadata key: accepted write hashes and until when their replay is refused.
    writes: HashMap<String, HashMap<String, u64>>,
    /// Per user: session ids (the per-user index).
    users: HashMap<String, Vec<String>>,
    /// Ended sessions: status and until when it is remembered.
    ended: HashMap<String, (&'static str, u64)>,
    /// Bytes of metadata `data` held.
    meta_bytes: usize,
    /// Sessions by when they end (the sweeper reads only what ended, not every session).
    by_expiry: BTreeSet<(u64, String)>,
}

/// Where a session sorts in the expiry index: a force-expired one at once.
fn expiry_key(record: &SessionRecord) -> (u64, String) {
    let at = if record.force_expired {
        0
    } else {
        record.expires_ms()
    };
    (at, record.sid.clone())
}

impl Inner {
    fn unindex(&mut self, user: &str, sid: &str) {
        if let Some(list) = self.users.get_mut(user) {
            list.retain(|s| s != sid);
            if list.is_empty() {
                self.users.remove(user);
            }
        }
    }

    fn remove_session(&mut self, sid: &str) -> bool {
        match self.sessions.remove(sid) {
            Some(record) => {
                self.unindex(&record.user, sid);
                self.by_expiry.remove(&expiry_key(&record));
                true
            }
            None => false,
        }
    }
}

/// Most sessions the memory store holds (about 1.4 GiB); a login past it is 503 until some end.
pub const MAX_SESSIONS: usize = 1_000_000;
/// Most bytes of metadata `data` the memory store holds; a write past it is 503 until some expire.
pub const MAX_META_BYTES: usize = 512 * 1024 * 1024;

/// Sessions and metadata in process memory, bounded ([`MAX_SESSIONS`], [`MAX_META_BYTES`]).
#[derive(Debug)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
    max_sessions: usize,
    max_meta_bytes: usize,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_limits(MAX_SESSIONS, MAX_META_BYTES)
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store holding at most `max_sessions` sessions and `max_meta_bytes` of metadata.
    pub fn with_limits(max_sessions: usize, max_meta_bytes: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max_sessions,
            max_meta_bytes,
        }
    }

    fn lock(&self) -> StoreResult<MutexGuard<'_, Inner>> {
        self.inner
            .lock()
            .map_err(|_| StoreError("memory store lock poisoned".into()))
    }
}

#[async_trait]
impl Store for MemoryStore {
    fn name(&self) -> &'static str {
        "memory"
    }

    async fn insert_session(&self, mut record: SessionRecord) -> StoreResult<()> {
        let mut inner = self.lock()?;
        if inner.sessions.contains_key(&record.sid) {
            return Err(StoreError("session id collision".into()));
        }
        if inner.sessions.len() >= self.max_sessions {
            return Err(StoreError(format!(
                "memory store full ({} sessions)",
                self.max_sessions
            )));
        }
        record.version = 1;
        inner
            .users
            .entry(record.user.clone())
            .or_default()
            .push(record.sid.clone());
        inner.by_expiry.insert(expiry_key(&record));
        inner.sessions.insert(record.sid.clone(), record);
        Ok(())
    }

    async fn get_session(&self, sid: &str) -> StoreResult<Option<SessionRecord>> {
        Ok(self.lock()?.sessions.get(sid).cloned())
    }

    async fn get_session_hot(&self, sid: &str) -> StoreResult<Option<SessionRecord>> {
        Ok(self.lock()?.sessions.get(sid).map(SessionRecord::hot_clone))
    }

    async fn replace_session(&self, mut record: SessionRecord) -> StoreResult<bool> {
        let mut inner = self.lock()?;
        let inner = &mut *inner;
        match inner.sessions.get_mut(&record.sid) {
            Some(stored) if stored.version == record.version => {
                record.version += 1;
                inner.by_expiry.remove(&expiry_key(stored));
                inner.by_expiry.insert(expiry_key(&record));
                *stored = record;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn delete_session(&self, sid: &str) -> StoreResult<bool> {
        Ok(self.lock()?.remove_session(sid))
    }

    async fn user_sessions(&self, user: &str) -> StoreResult<Vec<SessionRecord>> {
        let inner = self.lock()?;
        let mut sessions: Vec<SessionRecord> = inner
            .users
            .get(user)
            .into_iter()
            .flatten()
            .filter_map(|sid| inner.sessions.get(sid).map(SessionRecord::hot_clone))
            .collect();
        sessions.sort_by(|a, b| (a.created_ms, &a.sid).cmp(&(b.created_ms, &b.sid)));
        Ok(sessions)
    }

    async fn user_session_ids(&self, user: &str) -> StoreResult<Vec<String>> {
        let inner = self.lock()?;
        let mut sessions: Vec<(u64, &String)> = inner
            .users
            .get(user)
            .into_iter()
            .flatten()
            .filter_map(|sid| inner.sessions.get(sid).map(|r| (r.created_ms, sid)))
            .collect();
        sessions.sort();
        Ok(sessions.into_iter().map(|(_, sid)| sid.clone()).collect())
    }

    async fn mark_ended(
        &self,
        sid: &str,
        status: &'static str,
        now_ms: u64,
        until_ms: u64,
    ) -> StoreResult<()> {
        let mut inner = self.lock()?;
        if inner.ended.len() >= 65_536 {
            inner.ended.retain(|_, (_, until)| *until > now_ms);
        }
        inner.ended.insert(sid.to_owned(), (status, until_ms));
        Ok(())
    }

    async fn ended(&self, sid: &str, now_ms: u64) -> StoreResult<Option<&'static str>> {
        Ok(self
            .lock()?
            .ended
            .get(sid)
            .filter(|(_, until)| *until > now_ms)
            .map(|(status, _)| *status))
    }

    async fn session_ids(&self) -> StoreResult<Vec<String>> {
        Ok(self.lock()?.sessions.keys().cloned().collect())
    }

    async fn purge_expired(&self, now_ms: u64) -> StoreResult<Vec<String>> {
        let mut inner = self.lock()?;
        let expired: Vec<String> = inner
            .by_expiry
            .iter()
            .take_while(|(at, _)| *at <= now_ms)
            .map(|(_, sid)| sid.clone())
            .collect();
        for sid in &expired {
            inner.remove_session(sid);
        }
        inner.ended.retain(|_, (_, until)| *until > now_ms);
        inner.meta.retain(|_, entry| entry.expires_ms > now_ms);
        inner.meta_bytes = inner.meta.values().map(|e| e.data.len()).sum();
        inner.writes.retain(|_, seen| {
            seen.retain(|_, until| *until > now_ms);
            !seen.is_empty()
        });
        Ok(expired)
    }

    async fn meta_get(&self, namespace: &str, key: &str) -> StoreResult<Option<MetaEntry>> {
        Ok(self
            .lock()?
            .meta
            .get(&(namespace.to_owned(), key.to_owned()))
            .cloned())
    }

    async fn meta_put(&self, namespace: &str, key: &str, entry: MetaEntry) -> StoreResult<()> {
        let mut inner = self.lock()?;
        let id = (namespace.to_owned(), key.to_owned());
        let replaced = inner.meta.get(&id).map_or(0, |e| e.data.len());
        let total = inner.meta_bytes - replaced + entry.data.len();
        if total > self.max_meta_bytes {
            return Err(StoreError(format!(
                "memory store full ({} bytes of metadata)",
                self.max_meta_bytes
            )));
        }
        inner.meta_bytes = total;
        inner.meta.insert(id, entry);
        Ok(())
    }

    async fn meta_replace(
        &self,
        namespace: &str,
        key: &str,
        expected: &MetaEntry,
        mut entry: MetaEntry,
    ) -> StoreResult<bool> {
        let mut inner = self.lock()?;
        match inner.meta.get_mut(&(namespace.to_owned(), key.to_owned())) {
            Some(stored) if stored == expected => {
                entry.expires_ms = stored.expires_ms;
                let (old, new) = (stored.data.len(), entry.data.len());
                *stored = entry;
                inner.meta_bytes = inner.meta_bytes - old + new;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn meta_mark_write(
        &self,
        key: &str,
        hash: &str,
        until_ms: u64,
        now_ms: u64,
    ) -> StoreResult<WriteMark> {
        let mut inner = self.lock()?;
        let seen = inner.writes.entry(key.to_owned()).or_default();
        seen.retain(|_, until| *until > now_ms);
        if seen.contains_key(hash) {
            return Ok(WriteMark::Replayed);
        }
        if seen.len() >= MAX_WRITES_REMEMBERED {
            return Ok(WriteMark::Full);
        }
        seen.insert(hash.to_owned(), until_ms);
        Ok(WriteMark::Fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::OriginRule;

    fn entry(bytes: usize) -> MetaEntry {
        MetaEntry {
            data: "x".repeat(bytes),
            origin: OriginRule::Any,
            created_ms: 0,
            expires_ms: 10,
        }
    }

    fn session(sid: &str, expires_ms: u64) -> SessionRecord {
        SessionRecord {
            sid: sid.into(),
            user: "u".into(),
            label: None,
            public_key: String::new(),
            session_data: String::new(),
            created_ms: 0,
            last_used_ms: 0,
            idle_expires_ms: expires_ms,
            absolute_expires_ms: u64::MAX,
            refresh_hash: String::new(),
            parent: None,
            ancestors: Vec::new(),
            access: crate::store::AccessGrant {
                jti: String::new(),
                iat: 0,
                exp: 0,
                ep: 0,
            },
            epoch: 0,
            min_epoch: 0,
            force_expired: false,
            login_ip: None,
            login_user_agent: None,
            last_ip: None,
            last_user_agent: None,
            version: 0,
        }
    }

    #[tokio::test]
    async fn the_sweep_reads_the_expiry_index() {
        let store = MemoryStore::new();
        for (sid, at) in [("a", 10), ("b", 20), ("c", 30), ("d", 40)] {
            store.insert_session(session(sid, at)).await.unwrap();
        }
        // b moves later (a refresh), d is force-expired (the test hook), c is deleted.
        let mut b = store.get_session("b").await.unwrap().unwrap();
        b.idle_expires_ms = 100;
        assert!(store.replace_session(b).await.unwrap());
        let mut d = store.get_session("d").await.unwrap().unwrap();
        d.force_expired = true;
        assert!(store.replace_session(d).await.unwrap());
        assert!(store.delete_session("c").await.unwrap());
        let mut purged = store.purge_expired(25).await.unwrap();
        purged.sort();
        assert_eq!(purged, ["a", "d"]);
        assert!(store.purge_expired(99).await.unwrap().is_empty());
        assert_eq!(store.purge_expired(100).await.unwrap(), ["b"]);
        assert!(store.session_ids().await.unwrap().is_empty());
        assert!(store.lock().unwrap().by_expiry.is_empty());
    }

    #[tokio::test]
    async fn the_memory_store_is_bounded() {
        let store = MemoryStore::with_limits(1, 100);
        store.meta_put("", "a", entry(60)).await.unwrap();
        assert!(
            store.meta_put("", "b", entry(60)).await.is_err(),
            "over 100 bytes"
        );
        store.meta_put("", "a", entry(90)).await.unwrap();
        store.purge_expired(10).await.unwrap();
        store.meta_put("", "b", entry(100)).await.unwrap();
    }
}
