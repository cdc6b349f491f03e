//! The four storage slots of a session, each on its own adapter (PROTOCOL.md §1).

use std::cell::RefCell;
use std::rc::Rc;

use crate::core::error::{Error, Result};
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
    /// Slots whose storage refused a write, with the value this tab keeps in memory instead.
    fallback: Fallback,
}

/// The memory copies of slots whose storage refused a write.
type Fallback = Rc<RefCell<Vec<(Slot, String)>>>;

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
            fallback: Rc::default(),
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

    /// The memory value of a slot that fell back, if it did.
    fn fallen_back(&self, slot: Slot) -> Option<String> {
        self.fallback
            .borrow()
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, v)| v.clone())
    }

    fn forget_fallback(&self, slot: Slot) {
        self.fallback.borrow_mut().retain(|(s, _)| *s != slot);
    }

    /// True when `slot` lives in memory because its storage refused a write.
    pub fn is_fallen_back(&self, slot: Slot) -> bool {
        self.fallen_back(slot).is_some()
    }

    /// The value of `slot` (the memory copy of a slot that fell back); an empty stored string reads
    /// as `None`.
    pub async fn get(&self, slot: Slot) -> Result<Option<String>> {
        if let Some(value) = self.fallen_back(slot) {
            return Ok(Some(value));
        }
        let key = self.keys.key(slot);
        let value = self.adapter(slot).get(&key).await?;
        Ok(value.filter(|v| !v.is_empty()))
    }

    /// Stores `value` in `slot`. A storage that refuses gives its error and nothing is kept.
    pub async fn set(&self, slot: Slot, value: &str) -> Result<()> {
        let key = self.keys.key(slot);
        self.adapter(slot).set(&key, value).await?;
        self.forget_fallback(slot);
        Ok(())
    }

    /// Stores `value` in `slot`; if the storage refuses, keeps it in memory for this tab instead
    /// (later reads of the slot give it) and returns the storage's error. Never loses the value.
    pub async fn set_or_fall_back(&self, slot: Slot, value: &str) -> Option<Error> {
        match self.set(slot, value).await {
            Ok(()) => None,
            Err(e) => {
                self.keep_in_memory(slot, value);
                Some(e)
            }
        }
    }

    /// Keeps `value` for `slot` in memory, in place of its storage, from now on (until the next
    /// successful write or a removal).
    pub fn keep_in_memory(&self, slot: Slot, value: &str) {
        self.forget_fallback(slot);
        self.fallback.borrow_mut().push((slot, value.to_owned()));
    }

    /// Removes `slot` (and its memory copy, if it fell back).
    pub async fn remove(&self, slot: Slot) -> Result<()> {
        self.forget_fallback(slot);
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
