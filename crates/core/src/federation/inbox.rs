//! Incoming activities: verified at the door (signature, digest, date, actor), queued, then
//! processed by a job — the same core actions the client API uses.

use http::{HeaderMap, Method, Uri};
use rhizome_federation::http::host_of;
use rhizome_federation::signatures::{KeyLookup, KeyLookupError, ParsedSignature, verify_digest};
use rhizome_federation::vocab::incoming::{
    Activity, ActivityKind, Embedded, ObjectKind, ObjectOrLink, PostView,
};
use rhizome_federation::vocab::{PUBLIC, is_public};
use rhizome_model::{
    Account, Attachment, AttachmentKind, Follow, Id, NewStatus, NotificationKind, Status,
    Visibility,
};
use rhizome_store::{FollowTable, Mark, Reaction, StatusExtras};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::policy::Verdict;
use super::resolve::{MAX_REMOTE_HTML_BYTES, MAX_THREAD_FETCH_DEPTH, parse_activity};
use crate::jobs::JobError;
use crate::statuses::{DISTRIBUTE_STATUS, DistributeStatus};
use crate::text::sanitize_remote_html;
use crate::{Core, CoreError};

/// The largest activity accepted, in bytes.
pub const MAX_INBOX_BYTES: usize = 1024 * 1024;
/// The most attachments kept from one remote post.
const MAX_REMOTE_ATTACHMENTS: usize = 16;

pub const PROCESS_ACTIVITY: &str = "process_activity";

#[derive(Debug, Serialize, Deserialize)]
pub struct ProcessActivity {
    /// The verified sender.
    pub actor_id: Id,
    pub activity: Value,
}

/// Most objects of one `Flag` looked at (each is a database look-up).
const MAX_FLAG_OBJECTS: usize = 100;

impl Core {
    /// Accepts a POST to an inbox: checks the signature before reading the body as JSON,
    /// then the digest, the date and that the signer is the activity's actor; queues it.
    /// Any failure is `Unauthorized` (401) and changes nothing.
    pub async fn receive_inbox(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), CoreError> {
        let unauthorized = |reason: String| {
            tracing::info!(%reason, "inbox: refused");
            CoreError::Unauthorized(reason)
        };
        verify_digest(headers, body).map_err(|e| unauthorized(format!("digest: {e}")))?;
        let signer = self.verify_request_signature(method, uri, headers).await?;
        let activity = parse_activity(body).map_err(|e| unauthorized(e.to_string()))?;
        if activity.actor.as_str() != signer.uri {
            return Err(unauthorized(format!(
                "signed by {} for actor {}",
                signer.uri, activity.actor
            )));
        }
        let host = host_of(&activity.actor);
        // A server that talks to us is reachable again.
        let health = self.store.instance_health(&host).await?;
        self.note_host_reachable(&host, health.as_ref()).await?;
        let raw: Value =
            serde_json::from_slice(body).map_err(|e| CoreError::invalid(e.to_string()))?;
        let raw = match self.filter_incoming(&signer, raw).await? {
            Verdict::Accept { activity, .. } => activity,
            // Answered like an accepted one: the sender learns nothing from a rejection.
            Verdict::Reject { .. } => return Ok(()),
        };
        let process = ProcessActivity {
            actor_id: signer.id,
            activity: raw,
        };
        match &activity.id {
            Some(id) => {
                let job = self.new_job(PROCESS_ACTIVITY, &process, None)?;
                let queued = self
                    .store
                    .enqueue_unseen_activity(id.as_str(), &job, self.clock.now())
                    .await?;
                // An activity seen before queues nothing.
                if queued {
                    self.jobs_ready.notify_one();
                }
            }
            None => {
                self.enqueue(PROCESS_ACTIVITY, &process, None).await?;
            }
        }
        Ok(())
    }

    /// Checks an HTTP signature (its coverage, time and key) and returns the signing actor.
    /// The key is looked up among known actors, then fetched once more if it does not verify
    /// (the actor may have rotated it).
    pub async fn verify_request_signature(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<Account, CoreError> {
        let unauthorized = |reason: String| {
            tracing::info!(%reason, "signature refused");
            CoreError::Unauthorized(reason)
        };
        let signature = ParsedSignature::from_request(method, uri, headers)
            .map_err(|e| unauthorized(format!("signature: {e}")))?;
        signature
            .check_time(self.clock.now().to_datetime())
            .map_err(|e| unauthorized(format!("signature time: {e}")))?;
        let key_id = signature.key_id().to_owned();
        let signer = signature
            .verify_with_key_lookup(|key_id, lookup| async move {
                self.public_key_for(&key_id, lookup == KeyLookup::Refresh)
                    .await
                    .map(|(account, key)| SignerKey { account, key })
            })
            .await
            .map_err(|e| match e {
                KeyLookupError::Lookup(err) => unauthorized(format!("key {key_id}: {err}")),
                KeyLookupError::Signature(err) => unauthorized(format!("signature: {err}")),
            })?;
        Ok(signer.account)
    }

    /// The job: what an incoming activity does.
    pub async fn process_activity(&self, job: ProcessActivity) -> Result<(), JobError> {
        let activity = Activity::from_json(&job.activity)
            .map_err(|e| JobError::Permanent(format!("unreadable: {e}")))?;
        let actor = self
            .store
            .account(job.actor_id)
            .await
            .map_err(CoreError::from)?
            .ok_or_else(|| JobError::Permanent("the sender is gone".into()))?;
        let outcome = self.dispatch(&actor, &activity).await;
        match outcome {
            Ok(()) => Ok(()),
            Err(CoreError::NotFound) => {
                tracing::info!(
                    kind = activity.kind.as_str(),
                    "inbox: the activity's object is unknown here; ignored"
                );
                Ok(())
            }
            Err(err) => {
                tracing::info!(kind = activity.kind.as_str(), error = %err, "inbox: activity not applied");
                Err(err.into())
            }
        }
    }

    async fn dispatch(&self, actor: &Account, activity: &Activity) -> Result<(), CoreError> {
        let object = activity
            .object
            .as_ref()
            .ok_or_else(|| CoreError::invalid("no object"))?;
        let object_id = object.id().map(Url::as_str);
        match &activity.kind {
            ActivityKind::Follow => {
                self.incoming_follow(actor, activity, object_id.ok_or(CoreError::NotFound)?)
                    .await
            }
            ActivityKind::Accept | ActivityKind::Reject if self.is_quote_answer(object) => {
                self.incoming_quote_answer(actor, activity, activity.kind == ActivityKind::Accept)
                    .await
            }
            ActivityKind::Accept => self.incoming_follow_answer(actor, object, true).await,
            ActivityKind::Reject => self.incoming_follow_answer(actor, object, false).await,
            ActivityKind::QuoteRequest => self.incoming_quote_request(actor, activity).await,
            ActivityKind::Undo => self.incoming_undo(actor, object).await,
            ActivityKind::Create => self.incoming_create(actor, object).await,
            ActivityKind::Update => self.incoming_update(actor, object).await,
            ActivityKind::Delete => {
                self.incoming_delete(actor, object_id.ok_or(CoreError::NotFound)?)
                    .await
            }
            ActivityKind::Like | ActivityKind::EmojiReact => {
                self.incoming_like(actor, activity, object_id.ok_or(CoreError::NotFound)?)
                    .await
            }
            ActivityKind::Announce => self.incoming_announce(actor, activity, object).await,
            ActivityKind::Block => {
                self.incoming_block(actor, activity, object_id.ok_or(CoreError::NotFound)?)
                    .await
            }
            ActivityKind::Flag => self.incoming_flag(actor, activity).await,
            ActivityKind::Move => self.incoming_move(actor, activity).await,
            other => {
                tracing::debug!(kind = other.as_str(), "inbox: activity type not handled");
                Ok(())
            }
        }
    }

    async fn incoming_follow(
        &self,
        actor: &Account,
        activity: &Activity,
        object_id: &str,
    ) -> Result<(), CoreError> {
        let target = self
            .store
            .account_by_uri(object_id)
            .await?
            .filter(|a| a.is_local())
            .ok_or(CoreError::NotFound)?;
        let user = self
            .store
            .local_user(target.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let now = self.clock.now();
        let follow = Follow {
            id: Id::generate(now.0),
            account_id: actor.id,
            target_account_id: target.id,
            uri: activity.id.as_ref().map(Url::to_string),
            show_reblogs: true,
            notify: false,
            created_at: now,
        };
        if self.store.blocked_either_way(actor.id, target.id).await?
            || target.moved_to_account_id.is_some()
        {
            return self.federate_reject_follow(&user, actor, &follow).await;
        }
        if self
            .store
            .follow_between(FollowTable::Follows, actor.id, target.id)
            .await?
            .is_some()
        {
            // Already following (a retried Follow): confirm again.
            let follow = self
                .store
                .upsert_follow(FollowTable::Follows, &follow)
                .await?;
            return self.federate_accept_follow(&user, actor, &follow).await;
        }
        if target.locked {
            self.store
                .upsert_follow(FollowTable::Requests, &follow)
                .await?;
            self.notify(
                target.id,
                actor.id,
                NotificationKind::FollowRequest,
                None,
                None,
            )
            .await
        } else {
            let follow = self
                .store
                .upsert_follow(FollowTable::Follows, &follow)
                .await?;
            self.notify(target.id, actor.id, NotificationKind::Follow, None, None)
                .await?;
            self.federate_accept_follow(&user, actor, &follow).await
        }
    }

    /// Accept or Reject of a Follow we sent.
    async fn incoming_follow_answer(
        &self,
        actor: &Account,
        object: &ObjectOrLink,
        accepted: bool,
    ) -> Result<(), CoreError> {
        // The object is our Follow: by id, or embedded with its actor (some servers make up ids).
        let mut follow = match object.id() {
            Some(id) => {
                self.store
                    .follow_by_uri(FollowTable::Requests, id.as_str())
                    .await?
            }
            None => None,
        };
        if follow.is_none()
            && let Some(Embedded::Activity(inner)) = object.embedded()
            && let Some(follower) = self.store.account_by_uri(inner.actor.as_str()).await?
        {
            follow = self
                .store
                .follow_between(FollowTable::Requests, follower.id, actor.id)
                .await?;
        }
        let follow = match follow {
            Some(follow) if follow.target_account_id == actor.id => follow,
            _ if !accepted => {
                // A Reject may also end an established follow (removed from followers).
                let Some(id) = object.id() else {
                    return Err(CoreError::NotFound);
                };
                let Some(existing) = self
                    .store
                    .follow_by_uri(FollowTable::Follows, id.as_str())
                    .await?
                else {
                    return Err(CoreError::NotFound);
                };
                if existing.target_account_id != actor.id {
                    return Err(CoreError::Forbidden("not the followed actor".into()));
                }
                existing
            }
            _ => return Err(CoreError::NotFound),
        };
        if accepted {
            self.store
                .accept_follow_request(follow.account_id, actor.id)
                .await?;
        } else {
            self.store
                .delete_follow(FollowTable::Requests, follow.account_id, actor.id)
                .await?;
            self.store
                .delete_follow(FollowTable::Follows, follow.account_id, actor.id)
                .await?;
            self.store
                .remove_from_home_feed(follow.account_id, actor.id)
                .await?;
        }
        Ok(())
    }

    async fn incoming_undo(&self, actor: &Account, object: &ObjectOrLink) -> Result<(), CoreError> {
        let inner_id = object.id().map(Url::as_str);
        let Some(Embedded::Activity(inner)) = object.embedded() else {
            // Only an id: try what an id alone can undo.
            let Some(id) = inner_id else {
                return Err(CoreError::NotFound);
            };
            return self.undo_by_id(actor, id).await;
        };
        if inner.actor.as_str() != actor.uri {
            return Err(CoreError::Forbidden(
                "cannot undo another actor's activity".into(),
            ));
        }
        let target_id = inner.object_id().map(Url::as_str);
        match &inner.kind {
            ActivityKind::Follow => {
                let target = self
                    .store
                    .account_by_uri(target_id.ok_or(CoreError::NotFound)?)
                    .await?
                    .ok_or(CoreError::NotFound)?;
                self.store
                    .delete_follow(FollowTable::Follows, actor.id, target.id)
                    .await?;
                self.store
                    .delete_follow(FollowTable::Requests, actor.id, target.id)
                    .await?;
                Ok(())
            }
            ActivityKind::Block => {
                let target = self
                    .store
                    .account_by_uri(target_id.ok_or(CoreError::NotFound)?)
                    .await?
                    .ok_or(CoreError::NotFound)?;
                self.store.unblock(actor.id, target.id).await?;
                Ok(())
            }
            ActivityKind::Like | ActivityKind::EmojiReact => {
                if let Some(id) = inner_id
                    && (self.store.remove_favourite_by_uri(id).await?.is_some()
                        || self.store.remove_reaction_by_uri(id).await?)
                {
                    return Ok(());
                }
                let status = self
                    .store
                    .status_by_uri(target_id.ok_or(CoreError::NotFound)?)
                    .await?
                    .ok_or(CoreError::NotFound)?;
                match inner.reaction() {
                    Some(reaction)
                        if inner.kind == ActivityKind::EmojiReact || reaction.content != "❤" =>
                    {
                        self.store
                            .remove_reaction(actor.id, status.id, reaction.content)
                            .await?;
                    }
                    _ => {
                        self.store
                            .remove_mark(Mark::Favourite, actor.id, status.id)
                            .await?;
                    }
                }
                Ok(())
            }
            ActivityKind::Announce => {
                self.undo_by_id(actor, inner_id.ok_or(CoreError::NotFound)?)
                    .await
            }
            _ => Ok(()),
        }
    }

    /// Undo with only the undone activity's id: a boost, a like or a reaction.
    async fn undo_by_id(&self, actor: &Account, id: &str) -> Result<(), CoreError> {
        if let Some(boost) = self.store.status_by_uri(id).await?
            && boost.account_id == actor.id
            && boost.is_reblog()
        {
            self.store.delete_status(boost.id, self.clock.now()).await?;
            self.events.publish(crate::events::Event::Delete {
                status_id: boost.id,
            });
            return Ok(());
        }
        if self.store.remove_favourite_by_uri(id).await?.is_some()
            || self.store.remove_reaction_by_uri(id).await?
        {
            return Ok(());
        }
        Err(CoreError::NotFound)
    }

    async fn incoming_create(
        &self,
        actor: &Account,
        object: &ObjectOrLink,
    ) -> Result<(), CoreError> {
        let post = match object.as_object() {
            Some(embedded) => embedded
                .post_view()
                .map_err(|e| CoreError::invalid(e.to_string()))?,
            // Only a link: fetch it from its origin.
            None => {
                let id = object.id().ok_or(CoreError::NotFound)?;
                self.resolve_status(id.as_str()).await?;
                return Ok(());
            }
        };
        if post.is_poll_vote() {
            let (Some(question), Some(option)) = (&post.in_reply_to, &post.name) else {
                return Ok(());
            };
            return self
                .receive_vote(
                    actor.clone(),
                    question.as_str(),
                    option,
                    Some(post.id.to_string()),
                )
                .await;
        }
        // Anti-spoofing: the post is the sender's, and its id is on the sender's server.
        if post.attributed_to.as_ref().map(Url::as_str) != Some(actor.uri.as_str())
            || host_of(&post.id) != actor.domain.clone().unwrap_or_default()
        {
            // Someone relays another's post: trust only what its origin says.
            self.resolve_status(post.id.as_str()).await?;
            return Ok(());
        }
        // By id only: a new post is a miss, and a miss by `url` would scan the statuses.
        if self
            .store
            .status_by_ap_id(post.id.as_str())
            .await?
            .is_some()
        {
            return Ok(());
        }
        self.store_remote_post(actor, &post, 0, None).await?;
        Ok(())
    }

    /// Stores a remote post (its author verified) and distributes it to local readers.
    pub(crate) async fn store_remote_post(
        &self,
        author: &Account,
        post: &PostView,
        depth: u8,
        existing: Option<&Status>,
    ) -> Result<Status, CoreError> {
        if self.store.tombstone(post.id.as_str()).await?.is_some() {
            return Err(CoreError::NotFound);
        }
        let followers = author.followers_url.as_deref().unwrap_or("");
        let in_to = |list: &[Url], target: &str| list.iter().any(|u| u.as_str() == target);
        let visibility = if post.to.iter().any(|u| is_public(u.as_str())) {
            Visibility::Public
        } else if post.cc.iter().any(|u| is_public(u.as_str())) || in_to(&post.to, PUBLIC) {
            Visibility::Unlisted
        } else if !followers.is_empty()
            && (in_to(&post.to, followers) || in_to(&post.cc, followers))
        {
            Visibility::Private
        } else {
            Visibility::Direct
        };

        let mut parent = None;
        if let Some(reply_to) = &post.in_reply_to {
            parent = match self.store.status_by_uri(reply_to.as_str()).await? {
                Some(found) => Some(found),
                None if depth < MAX_THREAD_FETCH_DEPTH => {
                    Box::pin(self.resolve_status_at_depth(reply_to.as_str(), depth + 1))
                        .await
                        .ok()
                }
                None => None,
            };
        }
        // A quoted post is looked up, or fetched within the same depth limit as parents.
        let mut quoted = None;
        if let Some(quote_url) = &post.quote_url {
            quoted = match self.store.status_by_uri(quote_url.as_str()).await? {
                Some(found) => Some(found),
                None if depth < MAX_THREAD_FETCH_DEPTH => {
                    Box::pin(self.resolve_status_at_depth(quote_url.as_str(), depth + 1))
                        .await
                        .ok()
                }
                None => None,
            };
        }
        let mut mentions: Vec<Id> = Vec::new();
        for mention in post.mentions.iter().take(64) {
            if let Some(account) = self.store.account_by_uri(mention.href.as_str()).await? {
                mentions.push(account.id);
            }
        }
        let now = self.clock.now();
        let id = existing.map(|s| s.id).unwrap_or_else(|| {
            // Keep the original ordering of timelines where the remote time is plausible.
            let published = post
                .published
                .map(|t| t.timestamp_millis())
                .filter(|t| *t <= now.0 && *t > 0)
                .unwrap_or(now.0);
            Id::generate(published)
        });
        let attachments: Vec<Attachment> = post
            .attachments
            .iter()
            .take(MAX_REMOTE_ATTACHMENTS)
            .filter(|a| matches!(a.url.scheme(), "http" | "https"))
            .enumerate()
            .map(|(position, a)| {
                let media_type = a.media_type.clone();
                let kind = media_type
                    .as_deref()
                    .map(AttachmentKind::from_media_type)
                    .unwrap_or(AttachmentKind::Unknown);
                let meta = serde_json::json!({
                    "original": { "width": a.width, "height": a.height },
                    "focus": a.focal_point.map(|(x, y)| serde_json::json!({ "x": x, "y": y })),
                });
                Attachment {
                    id: Id::generate(now.0),
                    status_id: Some(id),
                    account_id: author.id,
                    kind,
                    media_type,
                    url: a.url.to_string(),
                    remote_url: Some(a.url.to_string()),
                    preview_url: None,
                    description: a.name.clone().map(|n| n.chars().take(1500).collect()),
                    blurhash: a.blurhash.clone().filter(|b| b.len() <= 100),
                    meta: meta.to_string(),
                    position: position as i32,
                    created_at: now,
                    file_key: None,
                    preview_key: None,
                    stored_bytes: 0,
                    processing: false,
                }
            })
            .collect();
        let content = self.remote_content(post);
        let (quote_state, quote_authorization) = match &quoted {
            Some(quoted) => {
                let (state, stamp) = self
                    .remote_quote_state(post, author, quoted, existing)
                    .await?;
                (Some(state), stamp)
            }
            None => (None, None),
        };
        let status = Status {
            id,
            uri: post.id.to_string(),
            url: post
                .url
                .as_ref()
                .map(Url::to_string)
                .or_else(|| Some(post.id.to_string())),
            account_id: author.id,
            in_reply_to_id: parent.as_ref().map(|p| p.id),
            in_reply_to_uri: post.in_reply_to.as_ref().map(Url::to_string),
            in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
            reblog_of_id: None,
            quote_of_id: quoted.as_ref().map(|q| q.id),
            quote_state,
            quote_authorization,
            quote_policy: Core::remote_quote_policy(post, author),
            conversation: post
                .context
                .as_ref()
                .map(Url::to_string)
                .or_else(|| parent.as_ref().and_then(|p| p.conversation.clone()))
                .or_else(|| Some(post.id.to_string())),
            text: String::new(),
            content,
            content_type: "text/html".into(),
            spoiler_text: post
                .summary
                .clone()
                .map(|s| s.chars().take(1000).collect())
                .unwrap_or_default(),
            sensitive: post.sensitive,
            visibility,
            language: post.language.clone().filter(|l| l.len() <= 16),
            local: false,
            object_type: post.kind.as_str().chars().take(40).collect(),
            title: post
                .name
                .clone()
                .filter(|_| !matches!(post.kind, ObjectKind::Note | ObjectKind::Question))
                .map(|t| t.chars().take(500).collect()),
            application_id: None,
            created_at: existing
                .map(|s| s.created_at)
                .unwrap_or(rhizome_model::Timestamp(id.unix_millis())),
            edited_at: existing.map(|_| {
                post.updated
                    .map(|t| rhizome_model::Timestamp(t.timestamp_millis()))
                    .unwrap_or(now)
            }),
            updated_at: now,
        };
        let new = NewStatus {
            status: status.clone(),
            mentions,
            tags: post
                .hashtags
                .iter()
                .take(64)
                .map(|h| h.bare_name().chars().take(100).collect())
                .collect(),
            attachments,
        };
        let remote_poll = post.poll.as_ref().map(|poll| rhizome_store::Poll {
            id: Id::generate(now.0),
            status_id: status.id,
            options: poll
                .options
                .iter()
                .take(crate::polls::MAX_OPTIONS * 4)
                .map(|o| rhizome_store::PollOption {
                    title: o.name.chars().take(200).collect(),
                    votes_count: o.votes.map_or(0, |v| i64::try_from(v).unwrap_or(i64::MAX)),
                })
                .collect(),
            multiple: poll.multiple,
            hide_totals: false,
            expires_at: poll
                .end_time
                .map(|t| rhizome_model::Timestamp(t.timestamp_millis())),
            voters_count: poll
                .voters_count
                .map_or(0, |v| i64::try_from(v).unwrap_or(i64::MAX)),
            closed: poll.closed,
            updated_at: now,
        });
        let emojis = Core::remote_emojis(&post.emojis);
        let distribute = self.new_job(
            DISTRIBUTE_STATUS,
            &DistributeStatus {
                status_id: status.id,
                edited: existing.is_some(),
            },
            None,
        )?;
        match existing {
            Some(_) => {
                self.store.edit_status(&new, Id::generate(now.0)).await?;
                if let Some(poll) = &remote_poll {
                    self.store.save_poll(poll).await?;
                }
                self.store.set_status_emojis(status.id, &emojis).await?;
                self.store
                    .enqueue_job(&distribute, self.clock.now())
                    .await?;
            }
            // A new post is written with its emoji, its poll and its distribution job: a
            // crash cannot leave it stored and never distributed (this job's retry would
            // find it stored and stop).
            None => {
                let extras = StatusExtras {
                    emojis: &emojis,
                    poll: remote_poll.as_ref(),
                    jobs: std::slice::from_ref(&distribute),
                };
                match self.store.insert_status_with(&new, &extras).await {
                    Ok(()) => {
                        self.store.link_orphan_replies(&status).await?;
                    }
                    // Two jobs stored the same post at once (its Create, and a fetch for a
                    // reply or a QuoteRequest): the first one's row stands, and this is no
                    // failure to retry in a minute.
                    Err(rhizome_store::StoreError::Conflict(_)) => {
                        if let Some(stored) = self.store.status_by_uri(&status.uri).await? {
                            return Ok(stored);
                        }
                        return Err(CoreError::Conflict("the post was stored twice".into()));
                    }
                    Err(err) => return Err(err.into()),
                }
            }
        }
        self.jobs_ready.notify_one();
        Ok(status)
    }

    /// A remote post's HTML, sanitised. Misskey's HTML drops MFM functions (`$[x2 …]` comes
    /// as plain italics): when the post has MFM source with functions and no FEP-c16b
    /// markup, the source is rendered instead, its mentions linked as the post's tags say.
    fn remote_content(&self, post: &rhizome_federation::vocab::incoming::PostView) -> String {
        if let Some(source) = &post.source
            && source.media_type.as_deref() == Some("text/x.misskeymarkdown")
            && !post.html_mfm
            && source.content.contains("$[")
            && source.content.len() <= MAX_REMOTE_HTML_BYTES
        {
            let mention = |handle: &str| {
                post.mentions.iter().find_map(|m| {
                    let name = m.name.as_deref()?.trim_start_matches('@');
                    let same = name.eq_ignore_ascii_case(handle)
                        || name.split('@').next().is_some_and(|user| {
                            !handle.contains('@') && user.eq_ignore_ascii_case(handle)
                        });
                    same.then(|| m.href.to_string())
                })
            };
            let base = self.urls.base().to_owned();
            let tag = |tag: &str| format!("{base}/tags/{}", tag.to_lowercase());
            let html = crate::text::mfm::mfm_to_html(
                &source.content,
                &crate::text::mfm::MfmLinks {
                    mention: &mention,
                    tag: &tag,
                },
            );
            return sanitize_remote_html(&html, MAX_REMOTE_HTML_BYTES);
        }
        sanitize_remote_html(post.content.as_deref().unwrap_or(""), MAX_REMOTE_HTML_BYTES)
    }

    async fn incoming_update(
        &self,
        actor: &Account,
        object: &ObjectOrLink,
    ) -> Result<(), CoreError> {
        match object.embedded() {
            Some(Embedded::Actor(updated)) => {
                if updated.id.as_str() != actor.uri {
                    return Err(CoreError::Forbidden(
                        "an actor can only update itself".into(),
                    ));
                }
                self.remember_actor(updated).await?;
                Ok(())
            }
            Some(Embedded::Object(object)) => {
                let post = object
                    .post_view()
                    .map_err(|e| CoreError::invalid(e.to_string()))?;
                let existing = self
                    .store
                    .status_by_uri(post.id.as_str())
                    .await?
                    .ok_or(CoreError::NotFound)?;
                if existing.account_id != actor.id
                    || post.attributed_to.as_ref().map(Url::as_str) != Some(actor.uri.as_str())
                {
                    return Err(CoreError::Forbidden("only the author edits a post".into()));
                }
                self.store_remote_post(actor, &post, MAX_THREAD_FETCH_DEPTH, Some(&existing))
                    .await?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    async fn incoming_delete(&self, actor: &Account, object_id: &str) -> Result<(), CoreError> {
        if object_id == actor.uri {
            // The actor deleted itself: it is hidden at once, its content goes by batches.
            tracing::info!(actor = %actor.uri, "remote actor deleted");
            self.store
                .add_tombstone(&actor.uri, None, self.clock.now())
                .await?;
            return self.delete_account(actor, None).await;
        }
        if self.incoming_stamp_delete(actor, object_id).await? {
            return Ok(());
        }
        let Some(status) = self.store.status_by_uri(object_id).await? else {
            // Not known (yet): remember, so that a late Create is refused.
            if Url::parse(object_id).is_ok_and(|u| Some(host_of(&u)) == actor.domain) {
                self.store
                    .add_tombstone(object_id, Some(actor.id), self.clock.now())
                    .await?;
            }
            return Ok(());
        };
        if status.account_id != actor.id {
            return Err(CoreError::Forbidden(
                "only the author deletes a post".into(),
            ));
        }
        self.store
            .delete_status(status.id, self.clock.now())
            .await?;
        self.events.publish(crate::events::Event::Delete {
            status_id: status.id,
        });
        Ok(())
    }

    async fn incoming_like(
        &self,
        actor: &Account,
        activity: &Activity,
        object_id: &str,
    ) -> Result<(), CoreError> {
        let status = self
            .store
            .status_by_uri(object_id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let now = self.clock.now();
        let uri = activity.id.as_ref().map(Url::to_string);
        match activity.reaction() {
            Some(reaction)
                if activity.kind == ActivityKind::EmojiReact
                    || !matches!(reaction.content, "❤" | "❤️" | "♥") =>
            {
                let emoji: String = reaction.content.chars().take(64).collect();
                let added = self
                    .store
                    .add_reaction(&Reaction {
                        id: Id::generate(now.0),
                        account_id: actor.id,
                        status_id: status.id,
                        emoji: emoji.clone(),
                        emoji_url: reaction.emoji.map(|e| e.icon_url.to_string()),
                        uri,
                        created_at: now,
                    })
                    .await?;
                if added {
                    self.notify(
                        status.account_id,
                        actor.id,
                        NotificationKind::EmojiReaction,
                        Some(status.id),
                        Some(emoji),
                    )
                    .await?;
                }
            }
            _ => {
                let added = self
                    .store
                    .add_mark(
                        Mark::Favourite,
                        Id::generate(now.0),
                        actor.id,
                        status.id,
                        uri.as_deref(),
                        now,
                    )
                    .await?;
                if added {
                    self.notify(
                        status.account_id,
                        actor.id,
                        NotificationKind::Favourite,
                        Some(status.id),
                        None,
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn incoming_announce(
        &self,
        actor: &Account,
        activity: &Activity,
        object: &ObjectOrLink,
    ) -> Result<(), CoreError> {
        let id = activity
            .id
            .as_ref()
            .ok_or_else(|| CoreError::invalid("an Announce needs an id"))?;
        if self.store.status_by_uri(id.as_str()).await?.is_some() {
            return Ok(());
        }
        let object_id = object.id().ok_or(CoreError::NotFound)?;
        let original = self.resolve_status(object_id.as_str()).await?;
        if !matches!(
            original.visibility,
            Visibility::Public | Visibility::Unlisted
        ) {
            return Ok(()); // Private posts cannot be boosted.
        }
        let now = self.clock.now();
        let boost = Status {
            id: Id::generate(now.0),
            uri: id.to_string(),
            url: None,
            account_id: actor.id,
            in_reply_to_id: None,
            in_reply_to_uri: None,
            in_reply_to_account_id: None,
            reblog_of_id: Some(original.id),
            quote_of_id: None,
            quote_state: None,
            quote_authorization: None,
            quote_policy: None,
            conversation: None,
            text: String::new(),
            content: String::new(),
            content_type: "text/plain".into(),
            spoiler_text: String::new(),
            sensitive: false,
            visibility: if activity.is_public() {
                Visibility::Public
            } else {
                Visibility::Unlisted
            },
            language: None,
            local: false,
            object_type: "Announce".into(),
            title: None,
            application_id: None,
            created_at: now,
            edited_at: None,
            updated_at: now,
        };
        self.store
            .insert_status(&NewStatus {
                status: boost.clone(),
                mentions: vec![],
                tags: vec![],
                attachments: vec![],
            })
            .await?;
        self.enqueue(
            DISTRIBUTE_STATUS,
            &DistributeStatus {
                status_id: boost.id,
                edited: false,
            },
            None,
        )
        .await?;
        Ok(())
    }

    async fn incoming_block(
        &self,
        actor: &Account,
        activity: &Activity,
        object_id: &str,
    ) -> Result<(), CoreError> {
        let target = self
            .store
            .account_by_uri(object_id)
            .await?
            .filter(|a| a.is_local())
            .ok_or(CoreError::NotFound)?;
        let now = self.clock.now();
        let uri = activity.id.as_ref().map(Url::to_string);
        self.store
            .block(
                Id::generate(now.0),
                actor.id,
                target.id,
                uri.as_deref(),
                now,
            )
            .await?;
        self.store
            .remove_from_home_feed(target.id, actor.id)
            .await?;
        Ok(())
    }

    /// A report from another server, for local moderators: about a local account, or about
    /// an account of a third server whose reported posts reply to local users (a copy sent
    /// by the reporter's server with Mastodon's `forward_to_domains`).
    async fn incoming_flag(&self, actor: &Account, activity: &Activity) -> Result<(), CoreError> {
        let mut accounts = Vec::new();
        let mut statuses = Vec::new();
        for object in activity.objects().take(MAX_FLAG_OBJECTS) {
            let Some(id) = object.id() else { continue };
            if let Some(account) = self.store.account_by_uri(id.as_str()).await? {
                accounts.push(account);
            } else if let Some(status) = self.store.status_by_uri(id.as_str()).await? {
                statuses.push(status);
            }
        }
        let replied_to: Vec<Id> = statuses
            .iter()
            .filter_map(|s| s.in_reply_to_account_id)
            .collect();
        let local_replied_to: Vec<Id> = self
            .store
            .accounts_by_ids(&replied_to)
            .await?
            .into_iter()
            .filter(|a| a.is_local())
            .map(|a| a.id)
            .collect();
        let replies_to_local = |account: &Account| {
            statuses.iter().any(|s| {
                s.account_id == account.id
                    && s.in_reply_to_account_id
                        .is_some_and(|id| local_replied_to.contains(&id))
            })
        };
        let target = match accounts.iter().find(|a| a.is_local()) {
            Some(local) => local.clone(),
            None => accounts
                .iter()
                .find(|a| a.id != actor.id && replies_to_local(a))
                .cloned()
                .ok_or(CoreError::NotFound)?,
        };
        let status_ids: Vec<Id> = statuses
            .iter()
            .filter(|s| s.account_id == target.id)
            .map(|s| s.id)
            .collect();
        let comment: String = activity
            .content
            .clone()
            .unwrap_or_default()
            .chars()
            .take(5000)
            .collect();
        self.receive_report(
            actor.id,
            target.id,
            status_ids,
            comment,
            activity.id.as_ref().map(Url::to_string),
        )
        .await?;
        Ok(())
    }

    /// A Move: the actor says it now lives at `target` (see `crate::moving`).
    async fn incoming_move(&self, actor: &Account, activity: &Activity) -> Result<(), CoreError> {
        let object = activity
            .object
            .as_ref()
            .and_then(|o| o.id())
            .map(Url::as_str);
        let target = activity
            .target
            .as_ref()
            .and_then(|t| t.id())
            .map(Url::as_str);
        self.receive_move(actor, object, target).await
    }
}

/// A key found for a signature, with the account it belongs to.
struct SignerKey {
    account: Account,
    key: rhizome_federation::signatures::PublicKey,
}

impl AsRef<rhizome_federation::signatures::PublicKey> for SignerKey {
    fn as_ref(&self) -> &rhizome_federation::signatures::PublicKey {
        &self.key
    }
}
