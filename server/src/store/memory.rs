//! The in-memory store: the embedded default. Locks are never held across an `.await`.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::{MetaEntry, SessionRecord, Store, StoreError, StoreResult};

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<String, SessionRecord>,
    meta: HashMap<(String, String), MetaEntry>,
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
        inner.sessions.insert(record.sid.clone(), record);
        Ok(())
    }

    async fn get_session(&self, sid: &str) -> StoreResult<Option<SessionRecord>> {
        Ok(self.lock()?.sessions.get(sid).cloned())
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
        Ok(self.lock()?.sessions.remove(sid).is_some())
    }

    async fn user_sessions(&self, user: &str) -> StoreResult<Vec<SessionRecord>> {
        let inner = self.lock()?;
        let mut sessions: Vec<SessionRecord> = inner
            .sessions
            .values()
            .filter(|s| s.user == user)
            .cloned()
            .collect();
        sessions.sort_by(|a, b| (a.created_ms, &a.sid).cmp(&(b.created_ms, &b.sid)));
        Ok(sessions)
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
            inner.sessions.remove(sid);
        }
        inner.meta.retain(|_, entry| entry.expires_ms > now_ms);
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
}
