//! The in-memory store: the embedded default. Locks are never held across an `.await`.

use std::collections::HashMap;
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
                true
            }
            None => false,
        }
    }
}

/// Sessions and metadata in process memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
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
        record.version = 1;
        inner
            .users
            .entry(record.user.clone())
            .or_default()
            .push(record.sid.clone());
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
        match inner.sessions.get_mut(&record.sid) {
            Some(stored) if stored.version == record.version => {
                record.version += 1;
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
            .sessions
            .values()
            .filter(|s| s.is_expired(now_ms))
            .map(|s| s.sid.clone())
            .collect();
        for sid in &expired {
            inner.remove_session(sid);
        }
        inner.ended.retain(|_, (_, until)| *until > now_ms);
        inner.meta.retain(|_, entry| entry.expires_ms > now_ms);
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
        self.lock()?
            .meta
            .insert((namespace.to_owned(), key.to_owned()), entry);
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
                *stored = entry;
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
