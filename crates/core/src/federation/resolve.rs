//! Finding remote actors and posts: WebFinger, signed fetches, and keeping what we learn.

use rhizome_federation::http::{FetchError, host_of};
use rhizome_federation::signatures::PublicKey;
use rhizome_federation::vocab::incoming::{Actor, ActorKind, Object};
use rhizome_federation::vocab::{self, DEFAULT_MAX_DOCUMENT_BYTES};
use rhizome_model::{Account, EmojiRef, Id, ProfileField, Status};
use url::Url;

use crate::text::sanitize_remote_html;
use crate::{Core, CoreError};

/// How many parents of a reply are fetched to complete a thread.
pub(crate) const MAX_THREAD_FETCH_DEPTH: u8 = 3;
/// The largest remote profile note or post content kept, in bytes.
pub(crate) const MAX_REMOTE_HTML_BYTES: usize = 64 * 1024;
/// A remote actor is fetched again when asked for after this long.
const ACTOR_REFRESH_MILLIS: i64 = 24 * 3600 * 1000;

pub(crate) fn fetch_failed(err: FetchError) -> CoreError {
    match err {
        FetchError::NotFound | FetchError::Gone => CoreError::NotFound,
        other => CoreError::Invalid(format!("could not fetch the remote object: {other}")),
    }
}

fn plain_text(text: &str, max_chars: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(max_chars)
        .collect()
}

impl Core {
    fn http(&self) -> Result<&rhizome_federation::http::HttpClient, CoreError> {
        self.http
            .as_ref()
            .ok_or_else(|| CoreError::Forbidden("federation is disabled".into()))
    }

    /// Turns a parsed remote actor into an account row (not yet stored).
    fn account_from_actor(
        &self,
        actor: &Actor,
        now: rhizome_model::Timestamp,
    ) -> Result<Account, CoreError> {
        let username = actor
            .preferred_username
            .clone()
            .filter(|name| !name.is_empty() && name.len() <= 256)
            .ok_or_else(|| CoreError::invalid("the remote actor has no preferredUsername"))?;
        let key = actor.public_key.as_ref();
        Ok(Account {
            id: Id::generate(now.0),
            username: plain_text(&username, 256),
            domain: Some(host_of(&actor.id)),
            display_name: plain_text(actor.name.as_deref().unwrap_or(""), 200),
            note: sanitize_remote_html(
                actor.summary.as_deref().unwrap_or(""),
                MAX_REMOTE_HTML_BYTES,
            ),
            uri: actor.id.to_string(),
            url: actor.url.as_ref().map(Url::to_string),
            inbox_url: actor.inbox.as_ref().map(Url::to_string),
            shared_inbox_url: actor.shared_inbox.as_ref().map(Url::to_string),
            outbox_url: actor.outbox.as_ref().map(Url::to_string),
            followers_url: actor.followers.as_ref().map(Url::to_string),
            following_url: actor.following.as_ref().map(Url::to_string),
            featured_url: actor.featured.as_ref().map(Url::to_string),
            public_key_id: key.map(|k| k.id.to_string()),
            public_key_pem: key.map(|k| k.pem.clone()).unwrap_or_default(),
            actor_type: actor.kind.as_str().chars().take(40).collect(),
            locked: actor.manually_approves_followers,
            bot: actor.bot || matches!(actor.kind, ActorKind::Service | ActorKind::Application),
            discoverable: actor.discoverable.unwrap_or(false),
            avatar_url: actor.icon_url.as_ref().map(Url::to_string),
            header_url: actor.image_url.as_ref().map(Url::to_string),
            fields: actor
                .fields
                .iter()
                .take(16)
                .map(|f| ProfileField {
                    name: plain_text(&f.name, 255),
                    value: sanitize_remote_html(&f.value, 2048),
                    verified_at: None,
                })
                .collect(),
            also_known_as: actor
                .also_known_as
                .iter()
                .take(16)
                .map(Url::to_string)
                .collect(),
            moved_to_account_id: None,
            suspended_at: None,
            emojis: actor
                .emojis
                .iter()
                .take(64)
                .map(|e| EmojiRef {
                    shortcode: e.shortcode().to_owned(),
                    url: e.icon_url.to_string(),
                })
                .collect(),
            fetched_at: Some(now),
            created_at: actor
                .published
                .map(|t| rhizome_model::Timestamp(t.timestamp_millis()))
                .unwrap_or(now),
            updated_at: now,
        })
    }

    /// Stores (or refreshes) a remote actor we were sent or fetched.
    pub(crate) async fn remember_actor(&self, actor: &Actor) -> Result<Account, CoreError> {
        if actor.id.as_str().starts_with(self.urls.base()) {
            return Err(CoreError::invalid("a remote actor cannot have a local id"));
        }
        let mut account = self.account_from_actor(actor, self.clock.now())?;
        if let Some(moved_to) = &actor.moved_to
            && let Some(target) = self.store.account_by_uri(moved_to.as_str()).await?
        {
            account.moved_to_account_id = Some(target.id);
        }
        Ok(self.store.upsert_remote_account(&account).await?)
    }

    /// Fetches a remote actor by its id (signed by the instance actor) and stores it.
    pub async fn fetch_actor(&self, id: &str) -> Result<Account, CoreError> {
        let url = Url::parse(id).map_err(|_| CoreError::invalid("not a URL"))?;
        if self.domain_refused(&host_of(&url)).await? {
            return Err(CoreError::Forbidden("this domain is blocked".into()));
        }
        let signer = self.instance_signer()?;
        let fetched = self
            .http()?
            .fetch_object(&url, Some(&signer))
            .await
            .map_err(fetch_failed)?;
        // Avatars and banners may be removed by the policies.
        let json = self.filter_fetched(None, id, fetched.json).await?;
        let actor = Actor::from_json(&json)
            .map_err(|e| CoreError::invalid(format!("not an actor: {e}")))?;
        if actor.id != fetched.id {
            return Err(CoreError::invalid(
                "the actor document describes another id",
            ));
        }
        self.remember_actor(&actor).await
    }

    /// The account with this ActivityPub id, fetched when unknown or stale.
    pub async fn actor_by_uri(&self, uri: &str) -> Result<Account, CoreError> {
        if let Some(account) = self.store.account_by_uri(uri).await? {
            let stale = account.fetched_at.is_some_and(|at| {
                self.clock.now().0 - at.0
                    > self
                        .clock
                        .real(std::time::Duration::from_millis(
                            ACTOR_REFRESH_MILLIS as u64,
                        ))
                        .as_millis() as i64
            });
            if account.is_local() || !stale {
                return Ok(account);
            }
            return Ok(self.fetch_actor(uri).await.unwrap_or(account));
        }
        self.fetch_actor(uri).await
    }

    /// Finds `user@domain` by WebFinger and fetches its actor.
    pub async fn resolve_remote_acct(
        &self,
        username: &str,
        domain: &str,
    ) -> Result<Account, CoreError> {
        if let Some(account) = self.store.account_by_acct(username, Some(domain)).await? {
            return Ok(account);
        }
        let acct = format!("{username}@{domain}");
        let found = self.http()?.webfinger(&acct).await.map_err(fetch_failed)?;
        let actor_url = found.actor_url.ok_or(CoreError::NotFound)?;
        let account = self.fetch_actor(actor_url.as_str()).await?;
        if !account.username.eq_ignore_ascii_case(username) {
            return Err(CoreError::invalid(
                "the WebFinger answer points to another account",
            ));
        }
        Ok(account)
    }

    /// Looks up `user@domain`, `@user@domain` or a local `user`, resolving remote ones.
    pub async fn resolve_acct(&self, query: &str) -> Result<Account, CoreError> {
        let trimmed = query
            .trim()
            .trim_start_matches('@')
            .trim_start_matches("acct:");
        match trimmed.split_once('@') {
            Some((user, domain)) if !domain.eq_ignore_ascii_case(&self.config.domain) => {
                let (user, domain) =
                    rhizome_federation::http::parse_acct(&format!("{user}@{domain}"))
                        .map_err(|e| CoreError::invalid(e.to_string()))?;
                self.resolve_remote_acct(&user, &domain).await
            }
            Some((user, _)) => self
                .store
                .account_by_acct(user, None)
                .await?
                .ok_or(CoreError::NotFound),
            None => self
                .store
                .account_by_acct(trimmed, None)
                .await?
                .ok_or(CoreError::NotFound),
        }
    }

    /// The public key a signature names, from what we know or (with `refresh`) fetched anew.
    pub(crate) async fn public_key_for(
        &self,
        key_id: &str,
        refresh: bool,
    ) -> Result<(Account, PublicKey), CoreError> {
        let actor_id = key_id.split('#').next().unwrap_or(key_id);
        let known = match self.store.account_by_key_id(key_id).await? {
            Some(account) => Some(account),
            None => self.store.account_by_uri(actor_id).await?,
        };
        let account = match known {
            Some(account) if !refresh || account.is_local() => account,
            // One refetch, and not more often than once a minute per actor, for key rotation.
            Some(account)
                if account
                    .fetched_at
                    .is_some_and(|at| self.clock.now().0 - at.0 < 60_000) =>
            {
                account
            }
            _ => self.fetch_actor(actor_id).await?,
        };
        let key = PublicKey::from_pem(&account.public_key_pem)
            .map_err(|e| CoreError::Unauthorized(format!("the signer's key is unusable: {e}")))?;
        Ok((account, key))
    }

    /// A post by its ActivityPub id or URL: from the store, or fetched from its server.
    pub async fn resolve_status(&self, uri: &str) -> Result<Status, CoreError> {
        self.resolve_status_at_depth(uri, 0).await
    }

    pub(crate) async fn resolve_status_at_depth(
        &self,
        uri: &str,
        depth: u8,
    ) -> Result<Status, CoreError> {
        if let Some(status) = self.store.status_by_uri(uri).await? {
            return Ok(status);
        }
        if self.store.tombstone(uri).await?.is_some() {
            return Err(CoreError::NotFound);
        }
        let url = Url::parse(uri).map_err(|_| CoreError::invalid("not a URL"))?;
        if uri.starts_with(self.urls.base()) {
            return Err(CoreError::NotFound);
        }
        if self.domain_refused(&host_of(&url)).await? {
            return Err(CoreError::Forbidden("this domain is blocked".into()));
        }
        let signer = self.instance_signer()?;
        let fetched = match self.http()?.fetch_object(&url, Some(&signer)).await {
            Ok(fetched) => fetched,
            Err(FetchError::Gone) => {
                self.store
                    .add_tombstone(uri, None, self.clock.now())
                    .await?;
                return Err(CoreError::NotFound);
            }
            Err(other) => return Err(fetch_failed(other)),
        };
        let object = Object::from_json(&fetched.json)
            .map_err(|e| CoreError::invalid(format!("not a post: {e}")))?;
        if let Some(status) = self.store.status_by_uri(fetched.id.as_str()).await? {
            return Ok(status);
        }
        let post = object
            .post_view()
            .map_err(|e| CoreError::invalid(format!("not a post: {e}")))?;
        let author_uri = post
            .attributed_to
            .clone()
            .ok_or_else(|| CoreError::invalid("the post has no author"))?;
        // The document came from its own host (checked by the fetch); its author must too.
        if host_of(&author_uri) != host_of(&fetched.id) {
            return Err(CoreError::invalid("the post's author is on another server"));
        }
        let author = self.actor_by_uri(author_uri.as_str()).await?;
        // A fetched post meets the same policies as one that was sent.
        let json = self
            .filter_fetched(Some(&author), author_uri.as_str(), fetched.json)
            .await?;
        let object =
            Object::from_json(&json).map_err(|e| CoreError::invalid(format!("not a post: {e}")))?;
        let post = object
            .post_view()
            .map_err(|e| CoreError::invalid(format!("not a post: {e}")))?;
        self.store_remote_post(&author, &post, depth, None).await
    }
}

/// Parses a document we were sent, bounded in size.
pub(crate) fn parse_activity(body: &[u8]) -> Result<vocab::incoming::Activity, CoreError> {
    vocab::parse_activity(body, DEFAULT_MAX_DOCUMENT_BYTES)
        .map_err(|e| CoreError::invalid(format!("unreadable activity: {e}")))
}
