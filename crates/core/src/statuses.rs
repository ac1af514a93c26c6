//! Posting, editing and deleting statuses, and what people do with them.

use rhizome_model::{Id, LocalUser, NewStatus, NotificationKind, Status, StatusEdit, Visibility};
use rhizome_store::{Mark, StatusExtras};
use serde::{Deserialize, Serialize};

use crate::federation::policy::LocalPost;
use crate::jobs::JobError;
use crate::text::{self, ContentType, MentionRef, Resolved};
use crate::views::StatusView;
use crate::{Core, CoreError};

/// What a user asks to post.
#[derive(Debug, Clone, Default)]
pub struct PostRequest {
    pub text: String,
    pub spoiler_text: String,
    /// `None`: the author's default (Mastodon's "always mark media as sensitive"); on an
    /// edit, not sensitive.
    pub sensitive: Option<bool>,
    pub visibility: Option<Visibility>,
    pub in_reply_to_id: Option<Id>,
    pub language: Option<String>,
    pub content_type: Option<String>,
    pub idempotency_key: Option<String>,
    pub application_id: Option<Id>,
    /// The status this one quotes.
    pub quote_id: Option<Id>,
    /// Who may quote this one (Mastodon's `quote_approval_policy`); on an edit, `None`
    /// keeps the current policy.
    pub quote_policy: Option<rhizome_model::QuotePolicy>,
    pub poll: Option<crate::polls::PollRequest>,
    /// Uploads to attach, in order. On an edit, `None` keeps the current ones.
    pub media_ids: Option<Vec<Id>>,
    /// The scheduled post this publishes (its reserved uploads may be attached).
    pub scheduled_id: Option<Id>,
}

/// How deep a thread is walked up for a status's context.
const MAX_ANCESTORS: usize = 200;
const MAX_DESCENDANTS: u32 = 400;

/// Job: put a status in timelines, notify, stream and federate it.
pub const DISTRIBUTE_STATUS: &str = "distribute_status";

#[derive(Debug, Serialize, Deserialize)]
pub struct DistributeStatus {
    pub status_id: Id,
    pub edited: bool,
}

/// The text of a post as stored, and what it refers to.
pub(crate) struct Rendered {
    pub(crate) content: String,
    pub(crate) mentions: Vec<Id>,
    pub(crate) tags: Vec<String>,
}

/// A post as the policies judge it before it is stored.
fn local_post(
    rendered: Rendered,
    request: &PostRequest,
    visibility: Visibility,
    has_media: bool,
) -> LocalPost {
    LocalPost {
        content: rendered.content,
        spoiler_text: request.spoiler_text.clone(),
        sensitive: request.sensitive.unwrap_or(false),
        visibility,
        tags: rendered.tags,
        mentions: rendered.mentions,
        has_media,
        poll_options: request
            .poll
            .as_ref()
            .map(|p| p.options.clone())
            .unwrap_or_default(),
    }
}

impl Core {
    fn check_length(&self, text: &str, spoiler_text: &str) -> Result<(), CoreError> {
        let length = text::visible_length(text) + spoiler_text.chars().count();
        if length > self.config.max_post_chars {
            return Err(CoreError::invalid(format!(
                "Text character limit of {} exceeded",
                self.config.max_post_chars
            )));
        }
        Ok(())
    }

    /// Turns what the user typed into HTML, resolving mentions to known accounts.
    pub(crate) async fn render_post(
        &self,
        text_in: &str,
        content_type: ContentType,
    ) -> Result<Rendered, CoreError> {
        let extracted = text::extract(text_in);
        let mut resolved: Vec<(MentionRef, rhizome_model::Account)> = Vec::new();
        for mention in extracted.mentions {
            let domain = mention
                .domain
                .as_deref()
                .filter(|d| !d.eq_ignore_ascii_case(&self.config.domain));
            let account = match self
                .store
                .account_by_acct(&mention.username, domain)
                .await?
            {
                Some(account) => Some(account),
                None => match domain {
                    Some(domain) => self
                        .resolve_remote_acct(&mention.username, domain)
                        .await
                        .ok(),
                    None => None,
                },
            };
            if let Some(account) = account
                && account.suspended_at.is_none()
            {
                resolved.push((mention, account));
            }
        }
        let base = self.urls.base().to_owned();
        let resolve = |mention: &MentionRef| -> Option<Resolved> {
            resolved
                .iter()
                .find(|(m, _)| {
                    m.username.eq_ignore_ascii_case(&mention.username)
                        && m.domain.as_deref().map(str::to_lowercase)
                            == mention.domain.as_deref().map(str::to_lowercase)
                })
                .map(|(_, account)| Resolved {
                    url: account.url.clone().unwrap_or_else(|| account.uri.clone()),
                    acct: account.acct(),
                })
        };
        let tag_url = |tag: &str| format!("{base}/tags/{tag}");
        let rendered = text::render_with_entities(text_in, content_type, &resolve, &tag_url);
        // Only mentions in linkable text count (not `@name` inside a code block).
        let mut mentions: Vec<Id> = resolved
            .iter()
            .filter(|(_, account)| rendered.resolved.iter().any(|r| r.acct == account.acct()))
            .map(|(_, account)| account.id)
            .collect();
        mentions.sort_unstable();
        mentions.dedup();
        Ok(Rendered {
            content: rendered.html,
            mentions,
            tags: rendered.extracted.hashtags,
        })
    }

    /// Posts a status as `author`.
    pub async fn post_status(
        &self,
        author: &LocalUser,
        request: PostRequest,
    ) -> Result<StatusView, CoreError> {
        let viewer = Some(author.account.id);
        if let Some(key) = request.idempotency_key.as_deref()
            && let Some(existing) = self.store.idempotent_status(author.account.id, key).await?
            && let Some(status) = self.store.status(existing).await?
        {
            return self.status_view(status, viewer).await;
        }
        let media = self
            .media_for_post(
                author,
                request.media_ids.as_deref().unwrap_or_default(),
                request.scheduled_id,
            )
            .await?;
        if request.text.trim().is_empty() && media.is_empty() {
            return Err(CoreError::invalid("Text can't be blank"));
        }
        self.check_length(&request.text, &request.spoiler_text)?;
        let content_type = match request.content_type.as_deref() {
            None | Some("") => ContentType::Plain,
            Some(other) => other
                .parse::<ContentType>()
                .map_err(|_| CoreError::invalid(format!("unsupported content_type {other:?}")))?,
        };
        let parent = match request.in_reply_to_id {
            Some(id) => Some(
                self.store
                    .visible_status(id, viewer)
                    .await?
                    .ok_or(CoreError::NotFound)?,
            ),
            None => None,
        };
        if let Some(poll) = &request.poll {
            crate::polls::validate(poll)?;
        }
        // What the client left out comes from the author's posting defaults (Mastodon).
        let mut request = request;
        request.language = request.language.filter(|l| !l.trim().is_empty());
        if request.visibility.is_none() || request.language.is_none() || request.sensitive.is_none()
        {
            let defaults = self.posting_defaults(author.account.id).await?;
            request.language = request.language.or(defaults.language);
            request.visibility = request.visibility.or(Some(defaults.visibility));
            request.sensitive = request.sensitive.or(Some(defaults.sensitive));
        }
        let visibility = request.visibility.unwrap_or(Visibility::Public);
        // Only posts the author may see can be quoted; the quoted author's policy decides
        // whether the quote stands at once, waits for their approval, or is refused.
        let quoted = match request.quote_id {
            Some(id) => {
                let quoted = self
                    .store
                    .visible_status(id, viewer)
                    .await?
                    .ok_or(CoreError::NotFound)?;
                let quoted = match quoted.reblog_of_id {
                    Some(original) => self
                        .store
                        .status(original)
                        .await?
                        .ok_or(CoreError::NotFound)?,
                    None => quoted,
                };
                Some(quoted)
            }
            None => None,
        };
        let rendered = self.render_post(&request.text, content_type).await?;
        let judged = self
            .judge_local_post(
                &author.account,
                "Create",
                local_post(rendered, &request, visibility, !media.is_empty()),
            )
            .await?;
        let visibility = judged.visibility;
        let media = if judged.has_media { media } else { Vec::new() };

        let now = self.clock.now();
        let id = Id::generate(now.0);
        let (quote_state, quote_authorization) = match &quoted {
            Some(quoted) => {
                let (state, stamp) = self.new_quote_state(author, quoted, id).await?;
                (Some(state), stamp)
            }
            None => (None, None),
        };
        // A moderator's "sensitive" action covers the account's new media too.
        let forced_sensitive = !media.is_empty()
            && self
                .store
                .moderation_state(author.account.id)
                .await?
                .sensitized_at
                .is_some();
        let object_id = uuid::Uuid::new_v4();
        let conversation = match &parent {
            Some(parent) => parent.conversation.clone(),
            None => Some(format!(
                "{}/contexts/{}",
                self.urls.base(),
                uuid::Uuid::new_v4()
            )),
        };
        let status = Status {
            id,
            uri: format!("{}/objects/{object_id}", self.urls.base()),
            url: Some(format!("{}/notice/{id}", self.urls.base())),
            account_id: author.account.id,
            in_reply_to_id: parent.as_ref().map(|p| p.id),
            in_reply_to_uri: parent.as_ref().map(|p| p.uri.clone()),
            in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
            reblog_of_id: None,
            quote_of_id: quoted.as_ref().map(|q| q.id),
            quote_state,
            quote_authorization,
            quote_policy: Some(crate::quotes::local_policy(
                visibility,
                request.quote_policy,
            )),
            conversation,
            text: request.text,
            content: judged.content,
            content_type: content_type.as_str().to_owned(),
            spoiler_text: judged.spoiler_text.clone(),
            sensitive: judged.sensitive || !judged.spoiler_text.is_empty() || forced_sensitive,
            visibility,
            language: request.language.filter(|l| !l.is_empty() && l.len() <= 16),
            local: true,
            object_type: "Note".into(),
            title: None,
            application_id: request.application_id,
            created_at: now,
            edited_at: None,
            updated_at: now,
        };
        let emojis = self
            .local_emojis_in(&[&status.text, &status.spoiler_text])
            .await?;
        let distribute = self.new_job(
            DISTRIBUTE_STATUS,
            &DistributeStatus {
                status_id: id,
                edited: false,
            },
            None,
        )?;
        // The post, its emoji, its poll and their jobs are one write: the distribution job
        // never reads a post whose parts are still to come.
        let (poll, close_poll) = request
            .poll
            .as_ref()
            .map(|poll| self.new_poll(id, poll))
            .transpose()?
            .unzip();
        let jobs: Vec<_> = std::iter::once(distribute).chain(close_poll).collect();
        self.store
            .insert_status_with(
                &NewStatus {
                    status: status.clone(),
                    mentions: judged.mentions,
                    tags: judged.tags,
                    attachments: media,
                },
                &StatusExtras {
                    emojis: &emojis,
                    poll: poll.as_ref(),
                    jobs: &jobs,
                },
            )
            .await?;
        if let Some(key) = request.idempotency_key.as_deref() {
            self.store
                .remember_idempotency_key(author.account.id, key, id, now)
                .await?;
        }
        self.jobs_ready.notify_one();
        if let Some(quoted) = &quoted {
            if quoted.local && status.quote_state == Some(rhizome_model::QuoteState::Accepted) {
                self.notify(
                    quoted.account_id,
                    author.account.id,
                    NotificationKind::Quote,
                    Some(id),
                    None,
                )
                .await?;
            }
            if status.visibility != Visibility::Local {
                self.request_quote_approval(author, &status).await?;
            }
        }
        self.status_view(status, viewer).await
    }

    /// A status the viewer may see, with everything around it.
    pub async fn visible_status_view(
        &self,
        id: Id,
        viewer: Option<Id>,
    ) -> Result<StatusView, CoreError> {
        let status = self
            .store
            .visible_status(id, viewer)
            .await?
            .ok_or(CoreError::NotFound)?;
        self.status_view(status, viewer).await
    }

    /// Several statuses the viewer may see, in the order asked; others are left out.
    pub async fn visible_status_views(
        &self,
        ids: &[Id],
        viewer: Option<Id>,
    ) -> Result<Vec<StatusView>, CoreError> {
        let mut statuses = Vec::new();
        for id in ids {
            if let Some(status) = self.store.visible_status(*id, viewer).await? {
                statuses.push(status);
            }
        }
        self.status_views(statuses, viewer).await
    }

    /// The thread around a status: its ancestors (oldest first) and descendants.
    pub async fn status_context(
        &self,
        id: Id,
        viewer: Option<Id>,
    ) -> Result<(Vec<StatusView>, Vec<StatusView>), CoreError> {
        let status = self
            .store
            .visible_status(id, viewer)
            .await?
            .ok_or(CoreError::NotFound)?;
        let mut ancestors = Vec::new();
        let mut parent_id = status.in_reply_to_id;
        // Bounded in steps, not in results: remote data may even form a cycle.
        for _ in 0..MAX_ANCESTORS {
            let Some(id) = parent_id else {
                break;
            };
            // The chain is walked through every ancestor, so that one hidden from the
            // viewer (a followers-only post in the middle) does not hide those above it.
            let Some(parent) = self.store.status(id).await? else {
                break;
            };
            parent_id = parent.in_reply_to_id;
            if self
                .store
                .visible_status(parent.id, viewer)
                .await?
                .is_some()
            {
                ancestors.push(parent);
            }
        }
        ancestors.reverse();
        let descendants = self
            .store
            .descendants(status.id, viewer, MAX_DESCENDANTS)
            .await?;
        let ancestors = self.status_views(ancestors, viewer).await?;
        let descendants = self.status_views(descendants, viewer).await?;
        Ok((
            self.apply_filters(viewer, "thread", ancestors).await?,
            self.apply_filters(viewer, "thread", descendants).await?,
        ))
    }

    /// The author's own status, or `NotFound` (a stranger learns nothing).
    async fn own_status(&self, user: &LocalUser, id: Id) -> Result<Status, CoreError> {
        match self.store.status(id).await? {
            Some(status) if status.account_id == user.account.id && !status.is_reblog() => {
                Ok(status)
            }
            _ => Err(CoreError::NotFound),
        }
    }

    /// Edits a status; the previous version stays in its history.
    pub async fn edit_status(
        &self,
        user: &LocalUser,
        id: Id,
        request: PostRequest,
    ) -> Result<StatusView, CoreError> {
        let mut status = self.own_status(user, id).await?;
        let current = self
            .store
            .attachments_of(&[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        // The media asked for: those the post has, plus new uploads. The edit removes the
        // rows of those left out; their files go after a delay (see below).
        let attachments = match &request.media_ids {
            None => current.clone(),
            Some(ids) => {
                let new_ids: Vec<Id> = ids
                    .iter()
                    .filter(|id| !current.iter().any(|m| m.id == **id))
                    .copied()
                    .collect();
                let added = self.media_for_post(user, &new_ids, None).await?;
                self.check_attachment_count(ids.len())?;
                ids.iter()
                    .filter_map(|id| {
                        current
                            .iter()
                            .chain(added.iter())
                            .find(|m| m.id == *id)
                            .cloned()
                    })
                    .collect()
            }
        };
        if request.text.trim().is_empty() && attachments.is_empty() {
            return Err(CoreError::invalid("Text can't be blank"));
        }
        self.check_length(&request.text, &request.spoiler_text)?;
        let content_type = match request.content_type.as_deref() {
            None | Some("") => status
                .content_type
                .parse::<ContentType>()
                .unwrap_or(ContentType::Plain),
            Some(other) => other
                .parse::<ContentType>()
                .map_err(|_| CoreError::invalid(format!("unsupported content_type {other:?}")))?,
        };
        let rendered = self.render_post(&request.text, content_type).await?;
        // An edit cannot change who a post is for, so a policy's narrower addressing is not
        // applied to it; its rejections and its other rewrites are.
        let judged = self
            .judge_local_post(
                &user.account,
                "Update",
                local_post(
                    rendered,
                    &request,
                    status.visibility,
                    !attachments.is_empty(),
                ),
            )
            .await?;
        let attachments = if judged.has_media {
            attachments
        } else {
            Vec::new()
        };
        let now = self.clock.now();
        status.text = request.text;
        status.content = judged.content;
        status.content_type = content_type.as_str().to_owned();
        status.sensitive = judged.sensitive || !judged.spoiler_text.is_empty();
        status.spoiler_text = judged.spoiler_text;
        if let Some(language) = request.language.filter(|l| !l.is_empty() && l.len() <= 16) {
            status.language = Some(language);
        }
        if let Some(policy) = request.quote_policy {
            status.quote_policy =
                Some(crate::quotes::local_policy(status.visibility, Some(policy)));
        }
        status.edited_at = Some(now);
        status.updated_at = now;
        let dropped: Vec<String> = current
            .iter()
            .filter(|m| !attachments.iter().any(|kept| kept.id == m.id))
            .flat_map(crate::media::media_keys)
            .collect();
        self.store
            .edit_status(
                &NewStatus {
                    status: status.clone(),
                    mentions: judged.mentions,
                    tags: judged.tags,
                    attachments,
                },
                Id::generate(now.0),
            )
            .await?;
        self.delete_files_later(dropped, crate::media::DELETED_MEDIA_DELAY)
            .await?;
        let emojis = self
            .local_emojis_in(&[&status.text, &status.spoiler_text])
            .await?;
        self.store.set_status_emojis(id, &emojis).await?;
        self.enqueue(
            DISTRIBUTE_STATUS,
            &DistributeStatus {
                status_id: id,
                edited: true,
            },
            None,
        )
        .await?;
        self.status_view(status, Some(user.account.id)).await
    }

    /// Earlier versions and the current one, oldest first.
    pub async fn status_history(
        &self,
        id: Id,
        viewer: Option<Id>,
    ) -> Result<(StatusView, Vec<StatusEdit>), CoreError> {
        let view = self.visible_status_view(id, viewer).await?;
        let edits = self.store.status_edits(id).await?;
        Ok((view, edits))
    }

    /// Deletes one's own status; returns it (its text lets clients redraft).
    /// Its uploads stay for a redraft unless `delete_media` (then they go within the hour).
    pub async fn delete_status(
        &self,
        user: &LocalUser,
        id: Id,
        delete_media: bool,
    ) -> Result<StatusView, CoreError> {
        let status = self.own_status(user, id).await?;
        let view = self
            .status_view(status.clone(), Some(user.account.id))
            .await?;
        self.store.delete_status(id, self.clock.now()).await?;
        if delete_media {
            let ids: Vec<Id> = view.attachments.iter().map(|m| m.id).collect();
            let gone = self.store.delete_unattached_media(&ids).await?;
            let keys = view
                .attachments
                .iter()
                .filter(|m| gone.contains(&m.id))
                .flat_map(crate::media::media_keys)
                .collect();
            self.delete_files_later(keys, crate::media::DELETED_MEDIA_DELAY)
                .await?;
        }
        self.events
            .publish(crate::events::Event::Delete { status_id: id });
        self.federate_delete(user, &status).await?;
        Ok(view)
    }

    /// Boosts a status. Boosting twice returns the existing boost.
    pub async fn reblog(
        &self,
        user: &LocalUser,
        id: Id,
        visibility: Option<Visibility>,
    ) -> Result<StatusView, CoreError> {
        let viewer = Some(user.account.id);
        let original = self
            .store
            .visible_status(id, viewer)
            .await?
            .ok_or(CoreError::NotFound)?;
        let original = match original.reblog_of_id {
            Some(inner) => self.store.status(inner).await?.ok_or(CoreError::NotFound)?,
            None => original,
        };
        if matches!(
            original.visibility,
            Visibility::Private | Visibility::Direct
        ) {
            return Err(CoreError::Forbidden("This status cannot be boosted".into()));
        }
        if let Some(existing) = self.store.reblog_by(user.account.id, original.id).await? {
            return self.status_view(existing, viewer).await;
        }
        let now = self.clock.now();
        let boost_id = Id::generate(now.0);
        let visibility = match visibility {
            Some(v @ (Visibility::Public | Visibility::Unlisted | Visibility::Private)) => v,
            _ => Visibility::Public,
        };
        let boost = Status {
            id: boost_id,
            uri: format!("{}/activities/{}", self.urls.base(), uuid::Uuid::new_v4()),
            url: None,
            account_id: user.account.id,
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
            visibility,
            language: None,
            local: true,
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
                status_id: boost_id,
                edited: false,
            },
            None,
        )
        .await?;
        self.status_view(boost, viewer).await
    }

    /// Removes one's boost; returns the original.
    pub async fn unreblog(&self, user: &LocalUser, id: Id) -> Result<StatusView, CoreError> {
        let viewer = Some(user.account.id);
        let original = self
            .store
            .visible_status(id, viewer)
            .await?
            .ok_or(CoreError::NotFound)?;
        if let Some(boost) = self.store.reblog_by(user.account.id, original.id).await? {
            self.store.delete_status(boost.id, self.clock.now()).await?;
            self.events.publish(crate::events::Event::Delete {
                status_id: boost.id,
            });
            self.federate_undo_announce(user, &boost, &original).await?;
        }
        self.status_view(original, viewer).await
    }

    /// Favourites, bookmarks or pins a status the user may see; idempotent.
    pub async fn mark_status(
        &self,
        user: &LocalUser,
        id: Id,
        mark: Mark,
    ) -> Result<StatusView, CoreError> {
        let viewer = Some(user.account.id);
        let status = self
            .store
            .visible_status(id, viewer)
            .await?
            .ok_or(CoreError::NotFound)?;
        if mark == Mark::Pin {
            if status.account_id != user.account.id || status.is_reblog() {
                return Err(CoreError::invalid("You can only pin your own posts"));
            }
            if matches!(status.visibility, Visibility::Direct) {
                return Err(CoreError::invalid("Direct messages cannot be pinned"));
            }
        }
        let now = self.clock.now();
        let like_id = format!("{}/activities/{}", self.urls.base(), uuid::Uuid::new_v4());
        let uri = (mark == Mark::Favourite).then_some(like_id.as_str());
        let added = self
            .store
            .add_mark(mark, Id::generate(now.0), user.account.id, id, uri, now)
            .await?;
        if added && mark == Mark::Favourite {
            self.notify(
                status.account_id,
                user.account.id,
                NotificationKind::Favourite,
                Some(id),
                None,
            )
            .await?;
            self.federate_like(user, &status, &like_id).await?;
        }
        self.status_view(status, viewer).await
    }

    /// Undoes a favourite, bookmark or pin.
    pub async fn unmark_status(
        &self,
        user: &LocalUser,
        id: Id,
        mark: Mark,
    ) -> Result<StatusView, CoreError> {
        let viewer = Some(user.account.id);
        let status = self
            .store
            .visible_status(id, viewer)
            .await?
            .ok_or(CoreError::NotFound)?;
        if let Some(like_uri) = self.store.remove_mark(mark, user.account.id, id).await?
            && mark == Mark::Favourite
        {
            self.federate_undo_like(user, &status, like_uri.as_deref())
                .await?;
        }
        self.status_view(status, viewer).await
    }

    /// A reaction as stored: a Unicode emoji, or one of our custom emoji as `:shortcode:`
    /// with its image.
    async fn reaction_emoji(&self, emoji: &str) -> Result<(String, Option<String>), CoreError> {
        let key = reaction_key(emoji);
        if let Some(shortcode) = key.strip_prefix(':').and_then(|k| k.strip_suffix(':')) {
            let custom = self
                .custom_emojis()
                .await?
                .into_iter()
                .find(|e| e.shortcode == shortcode)
                .ok_or_else(|| CoreError::invalid("no such custom emoji here"))?;
            return Ok((key, Some(custom.url)));
        }
        let plausible = !key.is_empty()
            && key.chars().count() <= 16
            && !key
                .chars()
                .any(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || c.is_control());
        if !plausible {
            return Err(CoreError::invalid("not an emoji"));
        }
        Ok((key, None))
    }

    /// Reacts to a status with a Unicode emoji or one of our custom emoji (Akkoma's emoji
    /// reactions).
    pub async fn react(
        &self,
        user: &LocalUser,
        id: Id,
        emoji: &str,
    ) -> Result<StatusView, CoreError> {
        let (emoji, emoji_url) = self.reaction_emoji(emoji).await?;
        let emoji = emoji.as_str();
        let viewer = Some(user.account.id);
        let status = self
            .store
            .visible_status(id, viewer)
            .await?
            .ok_or(CoreError::NotFound)?;
        let now = self.clock.now();
        let uri = self.new_activity_id();
        let added = self
            .store
            .add_reaction(&rhizome_store::Reaction {
                id: Id::generate(now.0),
                account_id: user.account.id,
                status_id: id,
                emoji: emoji.to_owned(),
                emoji_url: emoji_url.clone(),
                uri: Some(uri.clone()),
                created_at: now,
            })
            .await?;
        if added {
            self.notify(
                status.account_id,
                user.account.id,
                NotificationKind::EmojiReaction,
                Some(id),
                Some(emoji.to_owned()),
            )
            .await?;
            self.federate_reaction(user, &status, emoji, emoji_url.as_deref(), &uri, false)
                .await?;
        }
        self.status_view(status, viewer).await
    }

    /// Takes a reaction back.
    pub async fn unreact(
        &self,
        user: &LocalUser,
        id: Id,
        emoji: &str,
    ) -> Result<StatusView, CoreError> {
        let viewer = Some(user.account.id);
        let status = self
            .store
            .visible_status(id, viewer)
            .await?
            .ok_or(CoreError::NotFound)?;
        let stored = reaction_key(emoji);
        if let Some(uri) = self
            .store
            .remove_reaction(user.account.id, id, &stored)
            .await?
        {
            let uri = uri.unwrap_or_else(|| self.new_activity_id());
            self.federate_reaction(user, &status, &stored, None, &uri, true)
                .await?;
        }
        self.status_view(status, viewer).await
    }

    /// Mutes or unmutes notifications from a status's thread.
    pub async fn mute_thread(
        &self,
        user: &LocalUser,
        id: Id,
        mute: bool,
    ) -> Result<StatusView, CoreError> {
        let viewer = Some(user.account.id);
        let status = self
            .store
            .visible_status(id, viewer)
            .await?
            .ok_or(CoreError::NotFound)?;
        let conversation = status
            .conversation
            .clone()
            .unwrap_or_else(|| status.uri.clone());
        if mute {
            self.store
                .mute_conversation(user.account.id, &conversation)
                .await?;
        } else {
            self.store
                .unmute_conversation(user.account.id, &conversation)
                .await?;
        }
        self.status_view(status, viewer).await
    }

    /// The distribution job: home timelines, notifications, streaming, federation.
    pub async fn distribute_status(&self, job: DistributeStatus) -> Result<(), JobError> {
        let Some(status) = self
            .store
            .status(job.status_id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(()); // Deleted meanwhile.
        };
        let mentions = self
            .store
            .mentions_of(&[status.id])
            .await
            .map_err(CoreError::from)?
            .remove(&status.id)
            .unwrap_or_default();
        self.index_for_search(&status).await?;
        self.queue_card_fetch(&status, job.edited).await?;
        let original = match status.reblog_of_id {
            Some(id) => self.store.status(id).await.map_err(CoreError::from)?,
            None => None,
        };

        // Home timelines: followers (unless direct), and the mentioned.
        let mut home_of: Vec<Id> = Vec::new();
        if status.visibility != Visibility::Direct {
            home_of = self
                .store
                .local_follower_ids(status.account_id)
                .await
                .map_err(CoreError::from)?;
        }
        let mut local_mentioned = Vec::new();
        for account_id in &mentions {
            if self
                .store
                .local_user(*account_id)
                .await
                .map_err(CoreError::from)?
                .is_some()
            {
                local_mentioned.push(*account_id);
            }
        }
        home_of.extend(local_mentioned.iter().copied());
        if status.local {
            home_of.push(status.account_id);
        }
        // Followers of its hashtags see a public post in their home timeline too.
        if status.visibility == Visibility::Public && !status.is_reblog() {
            home_of.extend(
                self.store
                    .tag_followers_of_status(status.id)
                    .await
                    .map_err(CoreError::from)?,
            );
        }
        home_of.sort_unstable();
        home_of.dedup();
        // A boost of something already in a home timeline (or one's own post) is not shown again.
        if let Some(original) = &original {
            let seen = self
                .store
                .home_feeds_with(original.id, status.id, &home_of)
                .await
                .map_err(CoreError::from)?;
            home_of.retain(|id| !seen.contains(id) && *id != original.account_id);
        }
        if !job.edited {
            self.store
                .add_to_home_feeds(status.id, &home_of)
                .await
                .map_err(CoreError::from)?;
        }

        if !job.edited {
            let mut participants = local_mentioned.clone();
            if status.local {
                participants.push(status.account_id);
            }
            self.record_conversation(&status, &participants).await?;
        }

        // Notifications.
        if !job.edited {
            for account_id in &local_mentioned {
                self.notify_unless_thread_muted(*account_id, &status, NotificationKind::Mention)
                    .await?;
            }
            if let Some(original) = &original {
                self.notify(
                    original.account_id,
                    status.account_id,
                    NotificationKind::Reblog,
                    Some(original.id),
                    None,
                )
                .await?;
            }
            // As Mastodon: boosts and replies to others are not news worth a notification.
            let replies_to_other = status
                .in_reply_to_account_id
                .is_some_and(|id| id != status.account_id);
            if status.visibility != Visibility::Direct && original.is_none() && !replies_to_other {
                let notified = self
                    .store
                    .notified_follower_ids(status.account_id)
                    .await
                    .map_err(CoreError::from)?;
                for follower in notified {
                    if !local_mentioned.contains(&follower) {
                        self.notify(
                            follower,
                            status.account_id,
                            NotificationKind::Status,
                            Some(status.id),
                            None,
                        )
                        .await?;
                    }
                }
            }
        } else {
            // Those who boosted an edited status hear about the edit.
            let boosters = self
                .store
                .interacting_accounts(status.id, false, &rhizome_store::PageRequest::first(200))
                .await
                .map_err(CoreError::from)?;
            for booster in boosters.items {
                self.notify(
                    booster.id,
                    status.account_id,
                    NotificationKind::Update,
                    Some(status.id),
                    None,
                )
                .await?;
            }
            // Those here who quoted it hear about the edit, about their quote (Mastodon 4.5).
            let quotes = self
                .store
                .quotes_of(
                    status.id,
                    None,
                    self.clock.now(),
                    &rhizome_store::PageRequest::first(200),
                )
                .await
                .map_err(CoreError::from)?;
            for quote in quotes.items {
                if quote.local && quote.account_id != status.account_id {
                    self.notify(
                        quote.account_id,
                        status.account_id,
                        NotificationKind::QuotedUpdate,
                        Some(quote.id),
                        None,
                    )
                    .await?;
                }
            }
        }

        let tags = self
            .store
            .tags_of(&[status.id])
            .await
            .map_err(CoreError::from)?
            .remove(&status.id)
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.to_lowercase())
            .collect();
        self.events.publish(crate::events::Event::Status {
            status_id: status.id,
            edited: job.edited,
            direct: status.visibility == Visibility::Direct,
            public: matches!(status.visibility, Visibility::Public | Visibility::Local)
                && !status.is_reblog(),
            local: status.local,
            tags,
        });
        if status.local {
            self.federate_status(&status, original.as_ref(), job.edited)
                .await?;
        }
        Ok(())
    }

    async fn notify_unless_thread_muted(
        &self,
        account_id: Id,
        status: &Status,
        kind: NotificationKind,
    ) -> Result<(), CoreError> {
        if let Some(conversation) = &status.conversation
            && self
                .store
                .conversation_muted(account_id, conversation)
                .await?
        {
            return Ok(());
        }
        self.notify(account_id, status.account_id, kind, Some(status.id), None)
            .await
    }
}

/// How a reaction is stored: a custom emoji as `:shortcode:` whichever way the app wrote it
/// (`blobcat` or `:blobcat:`), anything else as sent, trimmed.
fn reaction_key(emoji: &str) -> String {
    let emoji = emoji.trim();
    let shortcode = emoji.trim_matches(':');
    if !shortcode.is_empty()
        && shortcode
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        format!(":{shortcode}:")
    } else {
        emoji.to_owned()
    }
}
