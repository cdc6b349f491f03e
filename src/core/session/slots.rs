//! The four storage slots of a session, each on its own adapter (PROTOCOL.md §1).

use std::rc::Rc;

use crate::core::error::Result;
use crate::core::keys::{Slot, StorageKeys};
use crate::core::storage::{MemoryStorage, StorageAdapter};

/// One adapter per slot plus the key names.
#[derive(Clone)]
pub struct SessionSlots {
    keys: StorageKeys,
    session_id: Rc<dyn StorageAdapter>,
    access_token: Rc<dyn StorageAdapter>,
    refresh_token: Rc<dyn StorageAdapter>,
    id_token: Rc<dyn StorageAdapter>,
}

impl std::fmt::Debug for SessionSlots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionSlots")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl SessionSlots {
    /// Slots on the given adapters.
    pub fn new(
        keys: StorageKeys,
        session_id: Rc<dyn StorageAdapter>,
        access_token: Rc<dyn StorageAdapter>,
        refresh_token: Rc<dyn StorageAdapter>,
        id_token: Rc<dyn StorageAdapter>,
    ) -> Self {
        Self {
            keys,
            session_id,
            access_token,
            refresh_token,
            id_token,
        }
    }

    /// Every slot on the same adapter.
    pub fn uniform(keys: StorageKeys, adapter: Rc<dyn StorageAdapter>) -> Self {
        Self::new(
            keys,
            adapter.clone(),
            adapter.clone(),
            adapter.clone(),
            adapter,
        )
    }

    /// Every slot on one fresh [`MemoryStorage`].
    pub fn memory(keys: StorageKeys) -> Self {
        Self::uniform(keys, Rc::new(MemoryStorage::new()))
    }

    /// The key names.
    pub fn keys(&self) -> &StorageKeys {
        &self.keys
    }

    /// The adapter of `slot`.
    pub fn adapter(&self, slot: Slot) -> &Rc<dyn StorageAdapter> {
        match slot {
            Slot::SessionId => &self.session_id,
            Slot::AccessToken => &self.access_token,
            Slot::RefreshToken => &self.refresh_token,
            Slot::IdToken => &self.id_token,
        }
    }

    /// The value of `slot`; an empty stored string reads as `None`.
    pub async fn get(&self, slot: Slot) -> Result<Option<String>> {
        let key = self.keys.key(slot);
        let value = self.adapter(slot).get(&key).await?;
        Ok(value.filter(|v| !v.is_empty()))
    }

    /// Stores `value` in `slot`.
    pub async fn set(&self, slot: Slot, value: &str) -> Result<()> {
        let key = self.keys.key(slot);
        self.adapter(slot).set(&key, value).await
    }

    /// Removes `slot`.
    pub async fn remove(&self, slot: Slot) -> Result<()> {
        let key = self.keys.key(slot);
        self.adapter(slot).remove(&key).await
    }

    /// Removes all four slots, in [`Slot::ALL`] order. Every removal is attempted; the first
    /// error, if any, is returned.
    pub async fn clear(&self) -> Result<()> {
        let mut first_error = None;
        for slot in Slot::ALL {
            if let Err(e) = self.remove(slot).await {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}
