//! The Redis store: several session-server instances share one Redis.
//!
//! Key layout under a configurable prefix `P` (default `wsm:`):
//!
//! | key | type | content |
//! |---|---|---|
//! | `P s:<sid>` | hash | `v` version, `u` user hash, `hot` (the record without `session_data` and the ancestors, a few hundred bytes), `data` (`session_data`), `anc` (ancestor hashes) |
//! | `P u:<sha256(user)>` | sorted set | the user's session ids, scored by login time (the per-user index) |
//! | `P m:<sha256(namespace, key)>` | string | one metadata entry (JSON) |
//! | `P e:<sid>` | string | `revoked:<until_ms>` / `expired:<until_ms>`: how a session ended, kept for a while |
//! | `P w:<sha256(key)>` | sorted set | hashes of accepted metadata writes, scored by until when a replay is refused |
//!
//! Keys are never built from unchecked client input: a sid must be 32 lowercase hex chars (anything
//! else is "no such session"), user names and metadata keys are hashed. Rotation is a Lua
//! compare-and-swap on `v`, so concurrent refreshes on any number of instances rotate once. Key TTLs
//! (relative, from the record's own times) are only a backstop: every expiry is checked by the
//! lifecycle against the clock. Nothing is scanned except by the `session_ids` test hook.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use super::{
    MetaEntry, SessionRecord, Store, StoreError, StoreResult, WriteMark, MAX_WRITES_REMEMBERED,
};

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "wsm:";
/// Extra TTL past a record's own end, so the lifecycle (not Redis) decides when it is over.
const TTL_MARGIN_MS: u64 = 60_000;
/// Longest wait for Redis (connect or answer) before the request fails with 503.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

const INSERT_LUA: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', '1', 'u', ARGV[2], 'hot', ARGV[3], 'data', ARGV[4], 'anc', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[7], ARGV[1])
local t = redis.call('PTTL', KEYS[2])
if t < tonumber(ARGV[8]) then redis.call('PEXPIRE', KEYS[2], ARGV[8]) end
return 1
"#;

const REPLACE_LUA: &str = r#"
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'hot', ARGV[3], 'anc', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
"#;

/// KEYS[1] entry; ARGV[1] expected JSON, ARGV[2] new JSON. The TTL is kept.
const META_REPLACE_LUA: &str = r#"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
"#;

/// KEYS[1] the key's write set (hash -> until, a sorted set); ARGV: hash, until, now, cap.
/// 1 fresh, 0 replayed, -1 full.
const MARK_WRITE_LUA: &str = r#"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return -1 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local ttl = tonumber(ARGV[2]) - tonumber(ARGV[3]) + 60000
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
"#;

const DELETE_LUA: &str = r#"
local u = redis.call('HGET', KEYS[1], 'u')
if not u then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[2] .. 'u:' .. u, ARGV[1])
return 1
"#;

/// Sessions and metadata in Redis.
pub struct RedisStore {
    client: redis::Client,
    prefix: String,
    conn: OnceCell<ConnectionManager>,
    insert: Script,
    replace: Script,
    delete: Script,
    meta_replace: Script,
    mark_write: Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn redis_err(e: redis::RedisError) -> StoreError {
    StoreError(format!("redis: {e}"))
}

fn hash_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// Whether `prefix` is usable as a key prefix: 1..=64 of `A-Za-z0-9:_-.` (no glob characters).
pub fn valid_prefix(prefix: &str) -> bool {
    (1..=64).contains(&prefix.len())
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.'))
}

fn valid_sid(sid: &str) -> bool {
    sid.len() == 32 && sid.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The ancestors as one compact field (hex hashes joined by commas).
fn join_ancestors(ancestors: &[String]) -> String {
    ancestors.join(",")
}

fn split_ancestors(text: &str) -> Vec<String> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split(',').map(str::to_owned).collect()
    }
}

/// The record's `hot` JSON (without `session_data` and ancestors) and those two apart.
fn split_record(mut record: SessionRecord) -> StoreResult<(String, String, String)> {
    let data = std::mem::take(&mut record.session_data);
    let anc = join_ancestors(&std::mem::take(&mut record.ancestors));
    let hot = serde_json::to_string(&record).map_err(|e| StoreError(e.to_string()))?;
    Ok((hot, data, anc))
}

fn ttl_ms(record: &SessionRecord) -> u64 {
    record
        .expires_ms()
        .saturating_sub(record.last_used_ms)
        .saturating_add(TTL_MARGIN_MS)
        .max(1)
}

impl RedisStore {
    /// A store on `url` (`redis://host:port/db`) with keys under `prefix`. Connects on first use, so
    /// a server starts (and answers 503) while Redis is down, and recovers when it is back.
    pub fn new(url: &str, prefix: &str) -> StoreResult<Self> {
        if !valid_prefix(prefix) {
            return Err(StoreError(
                "the Redis key prefix must be 1 to 64 of A-Za-z0-9:_-.".into(),
            ));
        }
        if !(url.starts_with("redis://") || url.starts_with("redis+unix://")) {
            return Err(StoreError(
                "the store URL must be redis://host:port/db".into(),
            ));
        }
        let client = redis::Client::open(url).map_err(redis_err)?;
        Ok(Self {
            client,
            prefix: prefix.to_owned(),
            conn: OnceCell::new(),
            insert: Script::new(INSERT_LUA),
            replace: Script::new(REPLACE_LUA),
            delete: Script::new(DELETE_LUA),
            meta_replace: Script::new(META_REPLACE_LUA),
            mark_write: Script::new(MARK_WRITE_LUA),
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    async fn conn(&self) -> StoreResult<ConnectionManager> {
        let conn = self
            .conn
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(REDIS_TIMEOUT))
                    .set_response_timeout(Some(REDIS_TIMEOUT))
                    .set_number_of_retries(2)
                    .set_max_delay(Duration::from_millis(500));
                tokio::time::timeout(
                    REDIS_TIMEOUT * 2,
                    ConnectionManager::new_with_config(self.client.clone(), config),
                )
                .await
                .map_err(|_| StoreError("redis: connect timed out".into()))?
                .map_err(redis_err)
            })
            .await?;
        Ok(conn.clone())
    }

    async fn ping_redis(&self) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(redis_err)
    }

    fn session_key(&self, sid: &str) -> Option<String> {
        valid_sid(sid).then(|| format!("{}s:{sid}", self.prefix))
    }

    fn user_key(&self, user: &str) -> String {
        format!("{}u:{}", self.prefix, hash_hex(&[user.as_bytes()]))
    }

    fn meta_key(&self, namespace: &str, key: &str) -> String {
        format!(
            "{}m:{}",
            self.prefix,
            hash_hex(&[namespace.as_bytes(), key.as_bytes()])
        )
    }

    fn decode(
        sid: &str,
        version: Option<String>,
        hot: Option<String>,
        data: Option<String>,
        anc: Option<String>,
    ) -> StoreResult<Option<SessionRecord>> {
        let (Some(version), Some(hot)) = (version, hot) else {
            return Ok(None);
        };
        let mut record: SessionRecord = serde_json::from_str(&hot)
            .map_err(|e| StoreError(format!("corrupt session {sid}: {e}")))?;
        record.version = version
            .parse()
            .map_err(|_| StoreError(format!("corrupt version of session {sid}")))?;
        record.session_data = data.unwrap_or_default();
        record.ancestors = split_ancestors(anc.as_deref().unwrap_or(""));
        Ok(Some(record))
    }
}

type Fields = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[async_trait]
impl Store for RedisStore {
    fn name(&self) -> &'static str {
        "redis"
    }

    fn is_shared(&self) -> bool {
        true
    }

    async fn ping(&self) -> StoreResult<()> {
        self.ping_redis().await
    }

    async fn insert_session(&self, record: SessionRecord) -> StoreResult<()> {
        let key = self
            .session_key(&record.sid)
            .ok_or_else(|| StoreError("invalid session id".into()))?;
        let user_key = self.user_key(&record.user);
        let user_hash = hash_hex(&[record.user.as_bytes()]);
        let ttl = ttl_ms(&record);
        let index_ttl = record
            .absolute_expires_ms
            .saturating_sub(record.created_ms)
            .saturating_add(TTL_MARGIN_MS);
        let (sid, created) = (record.sid.clone(), record.created_ms);
        let (hot, data, anc) = split_record(record)?;
        let mut conn = self.conn().await?;
        let inserted: i64 = self
            .insert
            .key(&key)
            .key(&user_key)
            .arg(&sid)
            .arg(&user_hash)
            .arg(hot)
            .arg(data)
            .arg(anc)
            .arg(ttl)
            .arg(created)
            .arg(index_ttl)
            .invoke_async(&mut conn)
            .await
            .map_err(redis_err)?;
        if inserted == 1 {
            Ok(())
        } else {
            Err(StoreError("session id collision".into()))
        }
    }

    async fn get_session(&self, sid: &str) -> StoreResult<Option<SessionRecord>> {
        let Some(key) = self.session_key(sid) else {
            return Ok(None);
        };
        let mut conn = self.conn().await?;
        let (v, hot, data, anc): Fields = redis::cmd("HMGET")
            .arg(&key)
            .arg(&["v", "hot", "data", "anc"])
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Self::decode(sid, v, hot, data, anc)
    }

    async fn get_session_hot(&self, sid: &str) -> StoreResult<Option<SessionRecord>> {
        let Some(key) = self.session_key(sid) else {
            return Ok(None);
        };
        let mut conn = self.conn().await?;
        let (v, hot): (Option<String>, Option<String>) = redis::cmd("HMGET")
            .arg(&key)
            .arg(&["v", "hot"])
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Self::decode(sid, v, hot, None, None)
    }

    async fn replace_session(&self, record: SessionRecord) -> StoreResult<bool> {
        let Some(key) = self.session_key(&record.sid) else {
            return Ok(false);
        };
        let expected = record.version.to_string();
        let next = record.version.saturating_add(1).to_string();
        let ttl = ttl_ms(&record);
        // session_data never changes after login: the CAS rewrites only the hot part and ancestors.
        let (hot, _data, anc) = split_record(record)?;
        let mut conn = self.conn().await?;
        let replaced: i64 = self
            .replace
            .key(&key)
            .arg(expected)
            .arg(next)
            .arg(hot)
            .arg(anc)
            .arg(ttl)
            .invoke_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(replaced == 1)
    }

    async fn delete_session(&self, sid: &str) -> StoreResult<bool> {
        let Some(key) = self.session_key(sid) else {
            return Ok(false);
        };
        let mut conn = self.conn().await?;
        let deleted: i64 = self
            .delete
            .key(&key)
            .arg(sid)
            .arg(&self.prefix)
            .invoke_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(deleted == 1)
    }

    async fn user_sessions(&self, user: &str) -> StoreResult<Vec<SessionRecord>> {
        let user_key = self.user_key(user);
        let mut conn = self.conn().await?;
        let sids: Vec<String> = conn.zrange(&user_key, 0, -1).await.map_err(redis_err)?;
        let sids: Vec<String> = sids.into_iter().filter(|s| valid_sid(s)).collect();
        if sids.is_empty() {
            return Ok(Vec::new());
        }
        // The hot parts only: a list or a revoke-all needs no session data nor ancestors.
        let mut pipe = redis::pipe();
        for sid in &sids {
            pipe.cmd("HMGET")
                .arg(format!("{}s:{sid}", self.prefix))
                .arg(&["v", "hot"]);
        }
        let rows: Vec<(Option<String>, Option<String>)> =
            pipe.query_async(&mut conn).await.map_err(redis_err)?;
        let mut sessions = Vec::with_capacity(rows.len());
        let mut stale = Vec::new();
        for (sid, (v, hot)) in sids.iter().zip(rows) {
            match Self::decode(sid, v, hot, None, None)? {
                Some(record) if record.user == user => sessions.push(record),
                Some(_) => {}
                None => stale.push(sid.clone()),
            }
        }
        if !stale.is_empty() {
            // Sessions whose key TTL ran out: drop them from the index.
            let _: Result<i64, _> = conn.zrem(&user_key, stale).await;
        }
        sessions.sort_by(|a, b| (a.created_ms, &a.sid).cmp(&(b.created_ms, &b.sid)));
        Ok(sessions)
    }

    async fn user_session_ids(&self, user: &str) -> StoreResult<Vec<String>> {
        let user_key = self.user_key(user);
        let mut conn = self.conn().await?;
        let sids: Vec<String> = conn.zrange(&user_key, 0, -1).await.map_err(redis_err)?;
        let sids: Vec<String> = sids.into_iter().filter(|s| valid_sid(s)).collect();
        if sids.is_empty() {
            return Ok(sids);
        }
        let mut pipe = redis::pipe();
        for sid in &sids {
            pipe.exists(format!("{}s:{sid}", self.prefix));
        }
        let exists: Vec<bool> = pipe.query_async(&mut conn).await.map_err(redis_err)?;
        let (live, stale): (Vec<_>, Vec<_>) = sids.into_iter().zip(exists).partition(|(_, e)| *e);
        if !stale.is_empty() {
            let stale: Vec<String> = stale.into_iter().map(|(s, _)| s).collect();
            let _: Result<i64, _> = conn.zrem(&user_key, stale).await;
        }
        Ok(live.into_iter().map(|(s, _)| s).collect())
    }

    async fn mark_ended(
        &self,
        sid: &str,
        status: &'static str,
        now_ms: u64,
        until_ms: u64,
    ) -> StoreResult<()> {
        if !valid_sid(sid) {
            return Ok(());
        }
        let ttl = until_ms.saturating_sub(now_ms).max(1);
        let mut conn = self.conn().await?;
        let _: () = conn
            .pset_ex(
                format!("{}e:{sid}", self.prefix),
                format!("{status}:{until_ms}"),
                ttl,
            )
            .await
            .map_err(redis_err)?;
        Ok(())
    }

    async fn ended(&self, sid: &str, now_ms: u64) -> StoreResult<Option<&'static str>> {
        if !valid_sid(sid) {
            return Ok(None);
        }
        let mut conn = self.conn().await?;
        let status: Option<String> = conn
            .get(format!("{}e:{sid}", self.prefix))
            .await
            .map_err(redis_err)?;
        // `status:until_ms`: the TTL is the backstop, the time check is the rule.
        Ok(status.as_deref().and_then(|text| {
            let (status, until) = text.split_once(':')?;
            let until: u64 = until.parse().ok()?;
            (until > now_ms).then(|| super::status_of(status)).flatten()
        }))
    }

    async fn session_ids(&self) -> StoreResult<Vec<String>> {
        // Test hooks only: a SCAN of this prefix's session keys.
        let mut conn = self.conn().await?;
        let pattern = format!("{}s:*", self.prefix);
        let mut cursor: u64 = 0;
        let mut sids = Vec::new();
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await
                .map_err(redis_err)?;
            sids.extend(
                keys.iter()
                    .filter_map(|k| k.strip_prefix(&pattern[..pattern.len() - 1]))
                    .filter(|s| valid_sid(s))
                    .map(str::to_owned),
            );
            if next == 0 {
                break;
            }
            cursor = next;
        }
        Ok(sids)
    }

    async fn purge_expired(&self, _now_ms: u64) -> StoreResult<Vec<String>> {
        // A no-op: key TTLs drop what ended, and the lifecycle checks every expiry when it reads.
        Ok(Vec::new())
    }

    async fn meta_get(&self, namespace: &str, key: &str) -> StoreResult<Option<MetaEntry>> {
        let mut conn = self.conn().await?;
        let text: Option<String> = conn
            .get(self.meta_key(namespace, key))
            .await
            .map_err(redis_err)?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| StoreError(format!("corrupt entry: {e}")))
        })
        .transpose()
    }

    async fn meta_put(&self, namespace: &str, key: &str, entry: MetaEntry) -> StoreResult<()> {
        let ttl = entry
            .expires_ms
            .saturating_sub(entry.created_ms)
            .saturating_add(TTL_MARGIN_MS);
        let text = serde_json::to_string(&entry).map_err(|e| StoreError(e.to_string()))?;
        let mut conn = self.conn().await?;
        let _: () = conn
            .pset_ex(self.meta_key(namespace, key), text, ttl)
            .await
            .map_err(redis_err)?;
        Ok(())
    }

    async fn meta_replace(
        &self,
        namespace: &str,
        key: &str,
        expected: &MetaEntry,
        mut entry: MetaEntry,
    ) -> StoreResult<bool> {
        entry.expires_ms = expected.expires_ms;
        let to_json =
            |e: &MetaEntry| serde_json::to_string(e).map_err(|e| StoreError(e.to_string()));
        let (old, new) = (to_json(expected)?, to_json(&entry)?);
        let mut conn = self.conn().await?;
        let replaced: i64 = self
            .meta_replace
            .key(self.meta_key(namespace, key))
            .arg(old)
            .arg(new)
            .invoke_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(replaced == 1)
    }

    async fn meta_mark_write(
        &self,
        key: &str,
        hash: &str,
        until_ms: u64,
        now_ms: u64,
    ) -> StoreResult<WriteMark> {
        let set_key = format!("{}w:{}", self.prefix, hash_hex(&[key.as_bytes()]));
        let mut conn = self.conn().await?;
        let mark: i64 = self
            .mark_write
            .key(set_key)
            .arg(hash)
            .arg(until_ms)
            .arg(now_ms)
            .arg(MAX_WRITES_REMEMBERED)
            .invoke_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(match mark {
            1 => WriteMark::Fresh,
            0 => WriteMark::Replayed,
            _ => WriteMark::Full,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_never_built_from_unchecked_input() {
        let store = RedisStore::new("redis://127.0.0.1:1/0", "t:").unwrap();
        assert_eq!(store.session_key("../x"), None);
        assert_eq!(store.session_key(&"A".repeat(32)), None);
        assert!(store.session_key(&"a".repeat(32)).is_some());
        let user = store.user_key("alice*?[x]\r\n");
        assert!(user.starts_with("t:u:") && user.len() == 4 + 64, "{user}");
        assert_ne!(store.meta_key("a", "bc"), store.meta_key("ab", "c"));
        assert!(!valid_prefix("a*"));
        assert!(!valid_prefix(""));
        assert!(RedisStore::new("http://x", "p:").is_err());
    }

    #[test]
    fn a_bearer_check_reads_a_few_hundred_bytes() {
        use crate::store::{AccessGrant, ParentToken};
        let record = SessionRecord {
            sid: "a".repeat(32),
            user: "alice@example.com".into(),
            label: Some("Chrome on Linux".into()),
            public_key: format!("04{}", "b".repeat(128)),
            session_data: "x".repeat(16_000),
            created_ms: 1_700_000_000_000,
            last_used_ms: 1_700_000_000_000,
            idle_expires_ms: 1_700_000_000_000,
            absolute_expires_ms: 1_700_000_000_000,
            refresh_hash: "c".repeat(64),
            parent: Some(ParentToken {
                hash: "d".repeat(64),
                rotated_ms: 1_700_000_000_000,
                wrapped_child: "e".repeat(64),
            }),
            ancestors: vec!["f".repeat(32); 512],
            access: AccessGrant {
                jti: "0".repeat(32),
                iat: 1_700_000_000,
                exp: 1_700_000_900,
                ep: 0,
            },
            epoch: 0,
            min_epoch: 0,
            force_expired: false,
            login_ip: Some("203.0.113.7".into()),
            login_user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36".into()),
            last_ip: Some("203.0.113.7".into()),
            last_user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36".into()),
            version: 7,
        };
        let (hot, data, anc) = split_record(record).unwrap();
        assert!(hot.len() < 1200, "hot part is {} bytes: {hot}", hot.len());
        assert_eq!(data.len(), 16_000);
        assert_eq!(anc.len(), 512 * 33 - 1);
    }

    #[test]
    fn ancestors_round_trip() {
        let list = vec!["aa".to_owned(), "bb".to_owned()];
        assert_eq!(split_ancestors(&join_ancestors(&list)), list);
        assert!(split_ancestors("").is_empty());
    }
}
