//! The session lifecycle: login, refresh-token rotation with a grace window and reuse detection,
//! idle and absolute expiry, Bearer authentication, revocation. HTTP-free: routes call these.
//!
//! A refresh token is `<sid>.<secret>`: the server session id (a selector, not secret) and 256 random
//! bits, of which the store keeps only the SHA-256. Rotation is a compare-and-swap on the session
//! record, so concurrent refreshes with one token rotate once: the losers re-read the record, find
//! their token is now the immediate parent inside the grace window, and answer the same pair.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::clock::Clock;
use crate::config::{Settings, AUDIENCE, ISSUER};
use crate::error::{ApiError, ApiResult};
use crate::store::{
    AccessGrant, ParentToken, SessionRecord, Store, StoreError, STATUS_EXPIRED, STATUS_REVOKED,
};
use crate::tokens::{Claims, Signer, USE_ACCESS, USE_ID};
use crate::util::{b64url, b64url_decode, ct_eq, random_bytes, random_id, sha256};

/// Older refresh-token tags kept per session for reuse detection (16 bytes each).
pub const MAX_ANCESTORS: usize = 512;
/// How long the end of a session (`revoked` / `expired`) is remembered for the refresh error, by
/// default (`--status-retention`).
pub const STATUS_RETENTION_MS: u64 = 86_400 * 1000;
const CAS_ATTEMPTS: usize = 32;
const WRAP_LABEL: &[u8] = b"session-server/refresh-child-wrap/v1";

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store failure");
        ApiError::unavailable("session store unavailable")
    }
}

/// Tokens handed out by a login or refresh.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The access token (JWT).
    pub access_token: String,
    /// The refresh token (`sid.secret`).
    pub refresh_token: String,
    /// The session after the operation.
    pub record: SessionRecord,
}

/// The client of a request, recorded at login and at every refresh.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// The peer IP address.
    pub ip: Option<String>,
    /// The `User-Agent` header (at most 256 characters).
    pub user_agent: Option<String>,
}

/// A session lifecycle event, delivered to the hook the embedding program registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A login created the session.
    Created,
    /// A refresh rotated its refresh token.
    Refreshed,
    /// Logout, revoke one/others/all, or eviction past the per-user cap.
    Revoked,
    /// Idle or absolute expiry.
    Expired,
    /// A replayed refresh token revoked the session.
    ReuseDetected,
}

/// One lifecycle event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionEvent {
    /// What happened.
    pub kind: EventKind,
    /// The session.
    pub sid: String,
    /// Its user (empty when unknown, e.g. a sweep on a store that does not say).
    pub user: String,
    /// Why (`logout`, `revoke-others`, `evicted`, ...), when there is more to say.
    pub reason: Option<String>,
    /// When (ms, the request's time).
    pub at_ms: u64,
}

/// The hook that receives lifecycle events (called inline: keep it short, hand off to a channel
/// for slow work).
pub type EventSink = Arc<dyn Fn(&SessionEvent) + Send + Sync>;

#[derive(Clone, Default)]
struct Events(Option<EventSink>);

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Events(hook)"
        } else {
            "Events(none)"
        })
    }
}

/// What a login needs.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// User name.
    pub user: String,
    /// Validated lowercase public key.
    pub public_key: String,
    /// Session data JSON text.
    pub session_data: Option<String>,
    /// Optional label.
    pub label: Option<String>,
    /// Who logs in.
    pub client: ClientInfo,
}

/// The lifecycle rules over a store and a clock.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    signer: Signer,
    access_ttl_ms: u64,
    idle_ms: u64,
    absolute_ms: u64,
    grace_ms: u64,
    max_sessions_per_user: usize,
    status_retention_ms: u64,
    events: Events,
}

fn hex32(bytes: &[u8; 32]) -> String {
    hex::encode(bytes)
}

fn hash_matches(presented: &[u8; 32], stored_hex: &str) -> bool {
    let mut stored = [0u8; 32];
    hex::decode_to_slice(stored_hex, &mut stored).is_ok() && ct_eq(presented, &stored)
}

/// The compact ancestor tag of a refresh-token hash (hex): its first 16 bytes.
fn ancestor_tag(hash_hex: &str) -> String {
    hash_hex.get(..32).unwrap_or(hash_hex).to_owned()
}

fn tag_matches(presented: &[u8; 32], tag_hex: &str) -> bool {
    let mut stored = [0u8; 16];
    hex::decode_to_slice(tag_hex, &mut stored).is_ok() && ct_eq(&presented[..16], &stored)
}

fn wrap_key(parent_secret: &[u8; 32]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(parent_secret).expect("HMAC takes any key length");
    mac.update(WRAP_LABEL);
    mac.finalize().into_bytes().into()
}

fn xor32(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (o, (x, y)) in out.iter_mut().zip(a.iter().zip(b)) {
        *o = x ^ y;
    }
    out
}

fn format_refresh_token(sid: &str, secret: &[u8; 32]) -> String {
    format!("{sid}.{}", b64url(secret))
}

/// Splits `sid.secret`; `None` unless the sid is 32 lowercase hex chars and the secret 32 bytes.
pub fn parse_refresh_token(token: &str) -> Option<(String, [u8; 32])> {
    if token.len() > 128 {
        return None;
    }
    let (sid, secret) = token.split_once('.')?;
    if sid.len() != 32 || !sid.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let bytes = b64url_decode(secret)?;
    let secret: [u8; 32] = bytes.try_into().ok()?;
    Some((sid.to_owned(), secret))
}

impl Lifecycle {
    /// Rules from `settings` over `store` and `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: &Settings) -> Self {
        Self {
            store,
            clock,
            signer: Signer::new(&settings.signing_key)
                .with_leeway(settings.leeway_secs.saturating_mul(1000)),
            access_ttl_ms: settings.access_ttl_secs.max(1).saturating_mul(1000),
            idle_ms: settings.idle_timeout_secs.max(1).saturating_mul(1000),
            absolute_ms: settings.absolute_timeout_secs.max(1).saturating_mul(1000),
            grace_ms: settings.grace_secs.saturating_mul(1000),
            max_sessions_per_user: settings.max_sessions_per_user.max(1),
            status_retention_ms: settings.status_retention_secs.saturating_mul(1000),
            events: Events::default(),
        }
    }

    /// Registers the hook that receives every lifecycle event (see [`crate::build_app_with_events`]).
    pub fn set_event_sink(&mut self, sink: EventSink) {
        self.events = Events(Some(sink));
    }

    /// Logs an event (`event=session.<kind>`) and hands it to the registered hook.
    fn emit(&self, kind: EventKind, sid: &str, user: &str, reason: Option<&str>) {
        let name = match kind {
            EventKind::Created => "session.created",
            EventKind::Refreshed => "session.refreshed",
            EventKind::Revoked => "session.revoked",
            EventKind::Expired => "session.expired",
            EventKind::ReuseDetected => "session.reuse_detected",
        };
        if kind == EventKind::ReuseDetected {
            tracing::warn!(
                event = name,
                sid,
                user,
                reason = reason.unwrap_or(""),
                "refresh token reuse detected; session revoked"
            );
        } else {
            tracing::info!(
                event = name,
                sid,
                user,
                reason = reason.unwrap_or(""),
                "session event"
            );
        }
        if let Some(sink) = &self.events.0 {
            sink(&SessionEvent {
                kind,
                sid: sid.to_owned(),
                user: user.to_owned(),
                reason: reason.map(str::to_owned),
                at_ms: self.now_ms(),
            });
        }
    }

    /// Records how a session ended, for the error of a later refresh or Bearer check.
    async fn remember_end(&self, sid: &str, status: &'static str) {
        let now = self.now_ms();
        if let Err(e) = self
            .store
            .mark_ended(
                sid,
                status,
                now,
                now.saturating_add(self.status_retention_ms),
            )
            .await
        {
            tracing::warn!(error = %e, sid, "could not record the end of a session");
        }
    }

    /// How a missing session ended, if remembered.
    async fn end_status(&self, sid: &str) -> Option<&'static str> {
        self.store.ended(sid, self.now_ms()).await.ok().flatten()
    }

    fn gone_description(status: Option<&'static str>) -> &'static str {
        match status {
            Some(STATUS_REVOKED) => {
                "the session was revoked (logged out, revoked elsewhere or refresh token reuse)"
            }
            Some(_) => "the session expired",
            None => "session not found, revoked or expired",
        }
    }

    /// Now: the request's time (read once per request, see [`crate::clock::with_request_time`]),
    /// else the clock.
    pub fn now_ms(&self) -> u64 {
        crate::clock::request_time().unwrap_or_else(|| self.clock.now_ms())
    }

    /// Reads the clock (once per request, by the request-time middleware).
    pub fn read_clock(&self) -> u64 {
        self.clock.now_ms()
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Access claims for a token issued now, capped at the session's absolute expiry;
    /// `None` when the cap leaves less than a second.
    fn access_grant(
        &self,
        absolute_expires_ms: u64,
        epoch: u64,
        now_ms: u64,
    ) -> Option<AccessGrant> {
        let exp = now_ms
            .saturating_add(self.access_ttl_ms)
            .saturating_add(999)
            / 1000;
        let exp = exp.min(absolute_expires_ms / 1000);
        (exp.saturating_mul(1000) > now_ms).then(|| AccessGrant {
            jti: random_id(),
            iat: now_ms / 1000,
            exp,
            ep: epoch,
        })
    }

    fn sign_access(&self, record: &SessionRecord) -> String {
        self.signer.sign(&Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: record.user.clone(),
            sid: record.sid.clone(),
            jti: record.access.jti.clone(),
            iat: record.access.iat,
            nbf: record.access.iat,
            exp: record.access.exp,
            token_use: USE_ACCESS.into(),
            ep: record.access.ep,
            preferred_username: None,
        })
    }

    fn sign_id(&self, record: &SessionRecord) -> String {
        self.signer.sign(&Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: record.user.clone(),
            sid: record.sid.clone(),
            jti: random_id(),
            iat: record.access.iat,
            nbf: record.access.iat,
            exp: record.access.exp,
            token_use: USE_ID.into(),
            ep: 0,
            preferred_username: Some(record.user.clone()),
        })
    }

    fn access_usable(&self, record: &SessionRecord, now_ms: u64) -> bool {
        record.access.ep >= record.min_epoch && record.access.exp.saturating_mul(1000) > now_ms
    }

    /// Creates a session; returns its tokens and the id token.
    pub async fn login(&self, new: NewSession) -> ApiResult<(Issued, String)> {
        let now = self.now_ms();
        let sid = random_id();
        let secret = random_bytes::<32>();
        let absolute_expires_ms = now.saturating_add(self.absolute_ms);
        let access = self
            .access_grant(absolute_expires_ms, 0, now)
            .ok_or_else(|| ApiError::unavailable("session lifetime too short"))?;
        let session_data = new
            .session_data
            .unwrap_or_else(|| serde_json::json!({ "username": new.user, "sid": sid }).to_string());
        let mut record = SessionRecord {
            sid: sid.clone(),
            user: new.user,
            label: new.label,
            public_key: new.public_key,
            session_data,
            created_ms: now,
            last_used_ms: now,
            idle_expires_ms: now.saturating_add(self.idle_ms),
            absolute_expires_ms,
            refresh_hash: hex32(&sha256(&secret)),
            parent: None,
            ancestors: Vec::new(),
            access,
            epoch: 0,
            min_epoch: 0,
            force_expired: false,
            login_ip: new.client.ip.clone(),
            login_user_agent: new.client.user_agent.clone(),
            last_ip: new.client.ip,
            last_user_agent: new.client.user_agent,
            version: 0,
        };
        self.store.insert_session(record.clone()).await?;
        record.version = 1;
        self.emit(EventKind::Created, &record.sid, &record.user, None);
        self.evict_past_cap(&record.user, &record.sid).await?;
        let id_token = self.sign_id(&record);
        Ok((
            Issued {
                access_token: self.sign_access(&record),
                refresh_token: format_refresh_token(&sid, &secret),
                record,
            },
            id_token,
        ))
    }

    /// Past the per-user cap, ends the user's oldest sessions (never `keep`, the new one).
    async fn evict_past_cap(&self, user: &str, keep: &str) -> ApiResult<()> {
        let sids = self.store.user_session_ids(user).await?;
        if sids.len() <= self.max_sessions_per_user {
            return Ok(());
        }
        let excess = sids.len() - self.max_sessions_per_user;
        for sid in sids.iter().filter(|s| *s != keep).take(excess) {
            if self.store.delete_session(sid).await? {
                self.remember_end(sid, STATUS_REVOKED).await;
                self.emit(EventKind::Revoked, sid, user, Some("evicted"));
            }
        }
        Ok(())
    }

    async fn end_expired(&self, record: &SessionRecord) {
        if let Ok(true) = self.store.delete_session(&record.sid).await {
            self.remember_end(&record.sid, STATUS_EXPIRED).await;
            self.emit(EventKind::Expired, &record.sid, &record.user, None);
        }
    }

    async fn revoke_for_reuse(&self, record: &SessionRecord, reason: &str) -> ApiError {
        if let Err(e) = self.store.delete_session(&record.sid).await {
            return e.into();
        }
        self.remember_end(&record.sid, STATUS_REVOKED).await;
        self.emit(
            EventKind::ReuseDetected,
            &record.sid,
            &record.user,
            Some(reason),
        );
        ApiError::invalid_grant("refresh token reuse detected; the session is revoked")
            .with_session_status(Some(STATUS_REVOKED))
    }

    /// Rotates `refresh_token` (PROTOCOL.md §4) for `client`.
    pub async fn refresh(&self, refresh_token: &str, client: &ClientInfo) -> ApiResult<Issued> {
        let (sid, secret) = parse_refresh_token(refresh_token)
            .ok_or_else(|| ApiError::invalid_grant("malformed refresh token"))?;
        let presented = sha256(&secret);
        for _ in 0..CAS_ATTEMPTS {
            let now = self.now_ms();
            let Some(mut record) = self.store.get_session(&sid).await? else {
                let status = self.end_status(&sid).await;
                return Err(ApiError::invalid_grant(Self::gone_description(status))
                    .with_session_status(status));
            };
            if record.is_expired(now) {
                self.end_expired(&record).await;
                return Err(ApiError::invalid_grant("session expired")
                    .with_session_status(Some(STATUS_EXPIRED)));
            }

            if hash_matches(&presented, &record.refresh_hash) {
                let Some(access) = self.access_grant(record.absolute_expires_ms, record.epoch, now)
                else {
                    self.end_expired(&record).await;
                    return Err(ApiError::invalid_grant("session expired"));
                };
                let new_secret = random_bytes::<32>();
                if let Some(old_parent) = record.parent.take() {
                    record.ancestors.push(ancestor_tag(&old_parent.hash));
                    if record.ancestors.len() > MAX_ANCESTORS {
                        let excess = record.ancestors.len() - MAX_ANCESTORS;
                        record.ancestors.drain(..excess);
                    }
                }
                record.parent = Some(ParentToken {
                    hash: record.refresh_hash.clone(),
                    rotated_ms: now,
                    wrapped_child: hex32(&xor32(&new_secret, &wrap_key(&secret))),
                });
                record.refresh_hash = hex32(&sha256(&new_secret));
                record.last_used_ms = now;
                record.idle_expires_ms = now.saturating_add(self.idle_ms);
                record.access = access;
                record.last_ip = client.ip.clone();
                record.last_user_agent = client.user_agent.clone();
                if !self.store.replace_session(record.clone()).await? {
                    continue;
                }
                record.version += 1;
                self.emit(EventKind::Refreshed, &record.sid, &record.user, None);
                return Ok(Issued {
                    access_token: self.sign_access(&record),
                    refresh_token: format_refresh_token(&sid, &new_secret),
                    record,
                });
            }

            if let Some(parent) = record.parent.clone() {
                if hash_matches(&presented, &parent.hash) {
                    if now >= parent.rotated_ms.saturating_add(self.grace_ms) {
                        return Err(self
                            .revoke_for_reuse(
                                &record,
                                "parent token replayed after the grace window",
                            )
                            .await);
                    }
                    let mut wrapped = [0u8; 32];
                    hex::decode_to_slice(&parent.wrapped_child, &mut wrapped)
                        .map_err(|_| ApiError::unavailable("corrupt session record"))?;
                    let child = xor32(&wrapped, &wrap_key(&secret));
                    if !self.access_usable(&record, now) {
                        let Some(access) =
                            self.access_grant(record.absolute_expires_ms, record.epoch, now)
                        else {
                            self.end_expired(&record).await;
                            return Err(ApiError::invalid_grant("session expired"));
                        };
                        record.access = access;
                        if !self.store.replace_session(record.clone()).await? {
                            continue;
                        }
                        record.version += 1;
                    }
                    tracing::info!(event = "session.refresh_grace", sid = %record.sid, user = %record.user,
                        "parent token inside the grace window: current pair answered");
                    return Ok(Issued {
                        access_token: self.sign_access(&record),
                        refresh_token: format_refresh_token(&sid, &child),
                        record,
                    });
                }
            }

            if record.ancestors.iter().any(|t| tag_matches(&presented, t)) {
                return Err(self
                    .revoke_for_reuse(&record, "older refresh token replayed")
                    .await);
            }
            return Err(ApiError::invalid_grant("unknown refresh token"));
        }
        Err(ApiError::unavailable(
            "too many concurrent updates of this session; retry",
        ))
    }

    /// Verifies a Bearer access token against its session. The record comes from
    /// [`Store::get_session_hot`]: its `session_data` and `ancestors` may be empty.
    pub async fn authenticate(&self, token: &str) -> ApiResult<(Claims, SessionRecord)> {
        self.authenticate_with(token, false).await
    }

    /// [`Self::authenticate`] with the whole record (`session_data` included).
    pub async fn authenticate_full(&self, token: &str) -> ApiResult<(Claims, SessionRecord)> {
        self.authenticate_with(token, true).await
    }

    async fn authenticate_with(
        &self,
        token: &str,
        full: bool,
    ) -> ApiResult<(Claims, SessionRecord)> {
        let now = self.now_ms();
        let claims = self
            .signer
            .verify(token, now, USE_ACCESS)
            .map_err(|e| ApiError::invalid_token(e.describe()))?;
        let record = if full {
            self.store.get_session(&claims.sid).await?
        } else {
            self.store.get_session_hot(&claims.sid).await?
        };
        let Some(record) = record else {
            let status = self.end_status(&claims.sid).await;
            return Err(
                ApiError::invalid_token(Self::gone_description(status)).with_session_status(status)
            );
        };
        if !ct_eq(record.user.as_bytes(), claims.sub.as_bytes()) {
            return Err(ApiError::invalid_token(
                "token subject does not match its session",
            ));
        }
        if record.is_expired(now) {
            self.end_expired(&record).await;
            return Err(ApiError::invalid_token("session expired"));
        }
        if claims.ep < record.min_epoch {
            return Err(ApiError::invalid_token("access token revoked"));
        }
        Ok((claims, record))
    }

    /// The current access token of a session (as re-signed from its stored claims).
    pub fn current_access_token(&self, record: &SessionRecord) -> String {
        self.sign_access(record)
    }

    /// Revokes the session a refresh token belongs to, if the token is one of its (current, parent or
    /// older). Returns whether a session ended.
    pub async fn logout_with_refresh(&self, refresh_token: &str) -> ApiResult<bool> {
        let Some((sid, secret)) = parse_refresh_token(refresh_token) else {
            return Ok(false);
        };
        let presented = sha256(&secret);
        let Some(record) = self.store.get_session(&sid).await? else {
            return Ok(false);
        };
        let known = hash_matches(&presented, &record.refresh_hash)
            || record
                .parent
                .as_ref()
                .is_some_and(|p| hash_matches(&presented, &p.hash))
            || record.ancestors.iter().any(|t| tag_matches(&presented, t));
        if !known {
            return Ok(false);
        }
        self.revoke_record(&record, "logout").await
    }

    async fn revoke_record(&self, record: &SessionRecord, reason: &str) -> ApiResult<bool> {
        let deleted = self.store.delete_session(&record.sid).await?;
        if deleted {
            self.remember_end(&record.sid, STATUS_REVOKED).await;
            self.emit(EventKind::Revoked, &record.sid, &record.user, Some(reason));
        }
        Ok(deleted)
    }

    /// Revokes session `sid` if it belongs to `user`.
    pub async fn revoke(&self, user: &str, sid: &str, reason: &str) -> ApiResult<bool> {
        match self.store.get_session(sid).await? {
            Some(record) if record.user == user => self.revoke_record(&record, reason).await,
            _ => Ok(false),
        }
    }

    /// Revokes all sessions of `user`, except `keep` if given. Returns the count.
    pub async fn revoke_all(&self, user: &str, keep: Option<&str>) -> ApiResult<usize> {
        let mut count = 0;
        for record in self.store.user_sessions(user).await? {
            if Some(record.sid.as_str()) == keep {
                continue;
            }
            let reason = if keep.is_some() {
                "revoke-others"
            } else {
                "revoke-all"
            };
            if self.revoke_record(&record, reason).await? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The live sessions of `user` (expired ones are ended on the way).
    pub async fn sessions_of(&self, user: &str) -> ApiResult<Vec<SessionRecord>> {
        let now = self.now_ms();
        let mut live = Vec::new();
        for record in self.store.user_sessions(user).await? {
            if record.is_expired(now) {
                self.end_expired(&record).await;
            } else {
                live.push(record);
            }
        }
        Ok(live)
    }

    /// Applies `change` to session `sid` with compare-and-swap; `Ok(false)` if there is no such session.
    async fn update(&self, sid: &str, change: impl Fn(&mut SessionRecord)) -> ApiResult<bool> {
        for _ in 0..CAS_ATTEMPTS {
            let Some(mut record) = self.store.get_session(sid).await? else {
                return Ok(false);
            };
            change(&mut record);
            if self.store.replace_session(record).await? {
                return Ok(true);
            }
        }
        Err(ApiError::unavailable(
            "too many concurrent updates of this session; retry",
        ))
    }

    /// Test hook: every access token issued so far to `sid` (or to every session) is rejected from now
    /// on. Refresh tokens stay valid. Returns the number of sessions touched.
    pub async fn expire_access(&self, sid: Option<&str>) -> ApiResult<usize> {
        let sids = match sid {
            Some(sid) => vec![sid.to_owned()],
            None => self.store.session_ids().await?,
        };
        let mut count = 0;
        for sid in sids {
            let bumped = self
                .update(&sid, |r| {
                    r.epoch += 1;
                    r.min_epoch = r.epoch;
                })
                .await?;
            if bumped {
                tracing::info!(event = "session.access_expired", sid = %sid, "access tokens force-expired (test hook)");
                count += 1;
            }
        }
        Ok(count)
    }

    /// Test hook: the session counts as idle-expired from now on.
    pub async fn expire_session(&self, sid: &str) -> ApiResult<bool> {
        self.update(sid, |r| r.force_expired = true).await
    }

    /// Ends sessions past their idle or absolute expiry (run periodically).
    pub async fn sweep(&self) -> ApiResult<usize> {
        let expired = self.store.purge_expired(self.now_ms()).await?;
        for sid in &expired {
            self.remember_end(sid, STATUS_EXPIRED).await;
            self.emit(EventKind::Expired, sid, "", Some("sweep"));
        }
        Ok(expired.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_token_format() {
        let secret = [9u8; 32];
        let sid = "0123456789abcdef0123456789abcdef";
        let token = format_refresh_token(sid, &secret);
        assert_eq!(parse_refresh_token(&token), Some((sid.to_owned(), secret)));
        assert_eq!(parse_refresh_token("x.y"), None);
        assert_eq!(parse_refresh_token(&token.to_uppercase()), None);
        assert_eq!(parse_refresh_token(&format!("{token}A")), None);
    }

    #[test]
    fn wrap_round_trip() {
        // Fixed vectors from Node's crypto, not this module: the wrap key is
        // HMAC-SHA256(parent secret, "session-server/refresh-child-wrap/v1"), and the wrapped child
        // secret is the child XOR that key (a round trip alone would hold for any key).
        let parent = [1u8; 32];
        let child = [2u8; 32];
        assert_eq!(
            hex::encode(wrap_key(&parent)),
            "e3348d6057b171d9dbd2c493473c60df64a20d23729679492fa482109b5ee65f"
        );
        let wrapped = xor32(&child, &wrap_key(&parent));
        assert_eq!(
            hex::encode(wrapped),
            "e1368f6255b373dbd9d0c691453e62dd66a00f2170947b4b2da68012995ce45d"
        );
        assert_eq!(xor32(&wrapped, &wrap_key(&parent)), child);
        assert_ne!(
            wrap_key(&[3u8; 32]),
            wrap_key(&parent),
            "the key depends on the parent"
        );
    }
}
