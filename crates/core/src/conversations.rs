//! Direct conversations, scheduled statuses and followed hashtags.

use std::time::Duration;

use rhizome_model::{Id, LocalUser, Timestamp, Visibility};
use rhizome_store::{Page, PageRequest, ScheduledStatus, TagInfo};
use serde::{Deserialize, Serialize};

use crate::jobs::JobError;
use crate::statuses::PostRequest;
use crate::views::{AccountView, StatusView};
use crate::{Core, CoreError};

/// A scheduled post is at least this far ahead (Mastodon's rule).
const MIN_SCHEDULE_AHEAD: Duration = Duration::from_secs(5 * 60);

/// Job: publish a scheduled status when its time comes.
pub const PUBLISH_SCHEDULED: &str = "publish_scheduled";

#[derive(Debug, Serialize, Deserialize)]
pub struct PublishScheduled {
    pub id: Id,
}

/// What a scheduled post will be, as stored.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct ScheduledParams {
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Option<String>,
    pub in_reply_to_id: Option<Id>,
    pub language: Option<String>,
    pub content_type: Option<String>,
    pub application_id: Option<Id>,
    /// Uploads reserved for the post, in order.
    #[serde(default)]
    pub media_ids: Vec<Id>,
}

#[derive(Debug, Clone)]
pub struct ConversationView {
    pub id: Id,
    pub unread: bool,
    pub accounts: Vec<AccountView>,
    pub last_status: Option<StatusView>,
}

impl Core {
    /// Keeps each local participant's conversation list up to date for a direct status.
    pub(crate) async fn record_conversation(
        &self,
        status: &rhizome_model::Status,
        local_participants: &[Id],
    ) -> Result<(), CoreError> {
        if status.visibility != Visibility::Direct {
            return Ok(());
        }
        let conversation = status
            .conversation
            .clone()
            .unwrap_or_else(|| status.uri.clone());
        for account in local_participants {
            let id = Id::generate(self.clock.now().0);
            self.store
                .touch_conversation(
                    id,
                    *account,
                    &conversation,
                    status.id,
                    *account != status.account_id,
                )
                .await?;
        }
        Ok(())
    }

    pub async fn conversations(
        &self,
        user: &LocalUser,
        page: &PageRequest,
    ) -> Result<Page<ConversationView>, CoreError> {
        let me = user.account.id;
        let found = self.store.conversations(me, page).await?;
        let mut views = Vec::with_capacity(found.items.len());
        for conversation in &found.items {
            let participants = self
                .store
                .conversation_participants(&conversation.conversation, me)
                .await?;
            let accounts = self
                .account_views(self.store.accounts_by_ids(&participants).await?)
                .await?;
            let last_status = match self
                .store
                .visible_status(conversation.last_status_id, Some(me))
                .await?
            {
                Some(status) => Some(self.status_view(status, Some(me)).await?),
                None => None,
            };
            views.push(ConversationView {
                id: conversation.id,
                unread: conversation.unread,
                accounts,
                last_status,
            });
        }
        Ok(Page {
            items: views,
            newest_id: found.newest_id,
            oldest_id: found.oldest_id,
        })
    }

    pub async fn read_conversation(
        &self,
        user: &LocalUser,
        id: Id,
    ) -> Result<ConversationView, CoreError> {
        let conversation = self
            .store
            .mark_conversation_read(user.account.id, id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let participants = self
            .store
            .conversation_participants(&conversation.conversation, user.account.id)
            .await?;
        let accounts = self
            .account_views(self.store.accounts_by_ids(&participants).await?)
            .await?;
        let last_status = match self
            .store
            .visible_status(conversation.last_status_id, Some(user.account.id))
            .await?
        {
            Some(status) => Some(self.status_view(status, Some(user.account.id)).await?),
            None => None,
        };
        Ok(ConversationView {
            id,
            unread: false,
            accounts,
            last_status,
        })
    }

    pub async fn remove_conversation(&self, user: &LocalUser, id: Id) -> Result<(), CoreError> {
        if self.store.remove_conversation(user.account.id, id).await? {
            Ok(())
        } else {
            Err(CoreError::NotFound)
        }
    }

    pub async fn direct_timeline(
        &self,
        user: &LocalUser,
        page: &PageRequest,
    ) -> Result<Page<StatusView>, CoreError> {
        let found = self.store.direct_timeline(user.account.id, page).await?;
        let views = self
            .status_views(found.items, Some(user.account.id))
            .await?;
        Ok(Page {
            items: views,
            newest_id: found.newest_id,
            oldest_id: found.oldest_id,
        })
    }

    fn check_schedule(&self, at: Timestamp) -> Result<(), CoreError> {
        if at < self.clock.after(MIN_SCHEDULE_AHEAD) {
            return Err(CoreError::invalid(
                "Scheduled at must be at least 5 minutes in the future",
            ));
        }
        Ok(())
    }

    /// Keeps a post for later; the job queue publishes it at `at`.
    pub async fn schedule_status(
        &self,
        user: &LocalUser,
        params: ScheduledParams,
        at: Timestamp,
    ) -> Result<ScheduledStatus, CoreError> {
        self.check_schedule(at)?;
        let media = self.media_for_post(user, &params.media_ids, None).await?;
        if params.text.trim().is_empty() && media.is_empty() {
            return Err(CoreError::invalid("Text can't be blank"));
        }
        let now = self.clock.now();
        let scheduled = ScheduledStatus {
            id: Id::generate(now.0),
            account_id: user.account.id,
            scheduled_at: at,
            params: serde_json::to_string(&params)
                .map_err(|e| CoreError::Internal(e.to_string()))?,
            created_at: now,
        };
        self.store
            .insert_scheduled_status(&scheduled, &params.media_ids)
            .await?;
        self.enqueue(
            PUBLISH_SCHEDULED,
            &PublishScheduled { id: scheduled.id },
            Some(at),
        )
        .await?;
        Ok(scheduled)
    }

    pub async fn own_scheduled_status(
        &self,
        user: &LocalUser,
        id: Id,
    ) -> Result<ScheduledStatus, CoreError> {
        match self.store.scheduled_status(id).await? {
            Some(found) if found.account_id == user.account.id => Ok(found),
            _ => Err(CoreError::NotFound),
        }
    }

    /// The uploads a scheduled post will carry, in order.
    pub async fn scheduled_media(
        &self,
        scheduled: &ScheduledStatus,
    ) -> Result<Vec<rhizome_model::Attachment>, CoreError> {
        let params: ScheduledParams = serde_json::from_str(&scheduled.params).unwrap_or_default();
        let found = self.store.media_attachments(&params.media_ids).await?;
        Ok(params
            .media_ids
            .iter()
            .filter_map(|id| found.iter().find(|m| m.id == *id).cloned())
            .collect())
    }

    pub async fn scheduled_statuses(
        &self,
        user: &LocalUser,
        page: &PageRequest,
    ) -> Result<Page<ScheduledStatus>, CoreError> {
        Ok(self.store.scheduled_statuses(user.account.id, page).await?)
    }

    pub async fn reschedule_status(
        &self,
        user: &LocalUser,
        id: Id,
        at: Timestamp,
    ) -> Result<ScheduledStatus, CoreError> {
        self.own_scheduled_status(user, id).await?;
        self.check_schedule(at)?;
        self.store
            .reschedule_status(id, user.account.id, at)
            .await?;
        self.enqueue(PUBLISH_SCHEDULED, &PublishScheduled { id }, Some(at))
            .await?;
        self.own_scheduled_status(user, id).await
    }

    pub async fn cancel_scheduled_status(&self, user: &LocalUser, id: Id) -> Result<(), CoreError> {
        self.own_scheduled_status(user, id).await?;
        self.store.take_scheduled_status(id).await?;
        Ok(())
    }

    /// The job: publishes the post if its (possibly changed) time has come.
    pub async fn publish_scheduled(&self, job: PublishScheduled) -> Result<(), JobError> {
        let Some(scheduled) = self
            .store
            .scheduled_status(job.id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(()); // Cancelled, or published by an earlier job.
        };
        if scheduled.scheduled_at > self.clock.now() {
            return Ok(()); // Rescheduled later: the job queued then will publish it.
        }
        let Some(scheduled) = self
            .store
            .take_scheduled_status(job.id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(());
        };
        let user = self
            .store
            .local_user(scheduled.account_id)
            .await
            .map_err(CoreError::from)?
            .ok_or_else(|| JobError::Permanent("the author is gone".into()))?;
        let params: ScheduledParams = serde_json::from_str(&scheduled.params)
            .map_err(|e| JobError::Permanent(format!("bad scheduled post: {e}")))?;
        let visibility = params.visibility.as_deref().and_then(|v| v.parse().ok());
        self.post_status(
            &user,
            PostRequest {
                text: params.text,
                spoiler_text: params.spoiler_text,
                sensitive: Some(params.sensitive),
                visibility,
                in_reply_to_id: params.in_reply_to_id,
                language: params.language,
                content_type: params.content_type,
                idempotency_key: Some(format!("scheduled-{}", scheduled.id)),
                application_id: params.application_id,
                quote_id: None,
                quote_policy: None,
                poll: None,
                media_ids: Some(params.media_ids),
                scheduled_id: Some(scheduled.id),
            },
        )
        .await?;
        Ok(())
    }

    /// A hashtag's page data, for `GET /api/v1/tags/:name`.
    pub async fn tag(&self, name: &str, viewer: Option<Id>) -> Result<TagInfo, CoreError> {
        self.store
            .tag_info(name.trim_start_matches('#'), viewer, self.clock.now())
            .await?
            .ok_or(CoreError::NotFound)
    }

    pub async fn follow_tag(
        &self,
        user: &LocalUser,
        name: &str,
        follow: bool,
    ) -> Result<TagInfo, CoreError> {
        let name = name.trim_start_matches('#');
        if name.is_empty()
            || name.chars().count() > 100
            || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            return Err(CoreError::invalid("not a hashtag"));
        }
        let now = self.clock.now();
        let id = self
            .store
            .ensure_tag(Id::generate(now.0), name, now)
            .await?;
        self.store
            .follow_tag(user.account.id, id, follow, now)
            .await?;
        self.tag(name, Some(user.account.id)).await
    }

    pub async fn followed_tags(&self, user: &LocalUser) -> Result<Vec<TagInfo>, CoreError> {
        let mut tags = Vec::new();
        for name in self.store.followed_tags(user.account.id).await? {
            tags.push(self.tag(&name, Some(user.account.id)).await?);
        }
        Ok(tags)
    }
}
