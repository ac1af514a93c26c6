//! Polls: created with a status, voted on locally or from other servers, closed by the job
//! queue at their expiry (voters and the author are notified).

use std::time::Duration;

use rhizome_federation::vocab::outgoing::ActivityType;
use rhizome_model::{Id, LocalUser, NotificationKind, Status};
use rhizome_store::{NewJob, Poll, PollOption};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::jobs::JobError;
use crate::{Core, CoreError};

pub const MAX_OPTIONS: usize = 4;
pub const MAX_OPTION_CHARS: usize = 50;
pub const MIN_EXPIRATION: u64 = 300;
pub const MAX_EXPIRATION: u64 = 2_629_746;

/// Job: close a poll at its expiry.
pub const CLOSE_POLL: &str = "close_poll";

#[derive(Debug, Serialize, Deserialize)]
pub struct ClosePoll {
    pub poll_id: Id,
}

/// A poll asked for with a new status.
#[derive(Debug, Clone, Default)]
pub struct PollRequest {
    pub options: Vec<String>,
    pub expires_in: u64,
    pub multiple: bool,
    pub hide_totals: bool,
}

/// A poll as a viewer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PollView {
    pub poll: Poll,
    pub expired: bool,
    /// For a signed-in viewer: whether they voted, and how.
    pub own_votes: Option<Vec<i64>>,
}

pub fn validate(request: &PollRequest) -> Result<(), CoreError> {
    if request.options.len() < 2 || request.options.len() > MAX_OPTIONS {
        return Err(CoreError::invalid(format!(
            "a poll has 2 to {MAX_OPTIONS} options"
        )));
    }
    if request
        .options
        .iter()
        .any(|o| o.trim().is_empty() || o.chars().count() > MAX_OPTION_CHARS)
    {
        return Err(CoreError::invalid(format!(
            "poll options are 1 to {MAX_OPTION_CHARS} characters"
        )));
    }
    let mut seen: Vec<String> = request
        .options
        .iter()
        .map(|o| o.trim().to_lowercase())
        .collect();
    seen.sort();
    seen.dedup();
    if seen.len() != request.options.len() {
        return Err(CoreError::invalid("poll options must be different"));
    }
    if !(MIN_EXPIRATION..=MAX_EXPIRATION).contains(&request.expires_in) {
        return Err(CoreError::invalid(format!(
            "expires_in must be between {MIN_EXPIRATION} and {MAX_EXPIRATION} seconds"
        )));
    }
    Ok(())
}

impl Core {
    /// A new local post's poll, and the job that closes it when it expires: both are
    /// written in the post's own transaction.
    pub(crate) fn new_poll(
        &self,
        status_id: Id,
        request: &PollRequest,
    ) -> Result<(Poll, NewJob), CoreError> {
        let now = self.clock.now();
        let expires_at = self.clock.after(Duration::from_secs(request.expires_in));
        let poll = Poll {
            id: Id::generate(now.0),
            status_id,
            options: request
                .options
                .iter()
                .map(|o| PollOption {
                    title: o.trim().to_owned(),
                    votes_count: 0,
                })
                .collect(),
            multiple: request.multiple,
            hide_totals: request.hide_totals,
            expires_at: Some(expires_at),
            voters_count: 0,
            closed: false,
            updated_at: now,
        };
        let close = self.new_job(
            CLOSE_POLL,
            &ClosePoll { poll_id: poll.id },
            Some(expires_at),
        )?;
        Ok((poll, close))
    }

    pub async fn poll_view(&self, poll: Poll, viewer: Option<Id>) -> Result<PollView, CoreError> {
        let expired = poll.closed || poll.expires_at.is_some_and(|at| at <= self.clock.now());
        let own_votes = match viewer {
            Some(viewer) => Some(self.store.own_votes(poll.id, viewer).await?),
            None => None,
        };
        Ok(PollView {
            poll,
            expired,
            own_votes,
        })
    }

    /// A poll the viewer may see (through its status).
    pub async fn visible_poll(
        &self,
        id: Id,
        viewer: Option<Id>,
    ) -> Result<(PollView, Status), CoreError> {
        let poll = self.store.poll(id).await?.ok_or(CoreError::NotFound)?;
        let status = self
            .store
            .visible_status(poll.status_id, viewer)
            .await?
            .ok_or(CoreError::NotFound)?;
        Ok((self.poll_view(poll, viewer).await?, status))
    }

    /// Votes in a poll: once, before it expires, one choice unless it allows several.
    pub async fn vote(
        &self,
        user: &LocalUser,
        id: Id,
        choices: &[i64],
    ) -> Result<PollView, CoreError> {
        let me = user.account.id;
        let (view, status) = self.visible_poll(id, Some(me)).await?;
        if view.expired {
            return Err(CoreError::invalid("The poll has already ended"));
        }
        if status.account_id == me {
            return Err(CoreError::invalid("You cannot vote in your own poll"));
        }
        let mut choices = choices.to_vec();
        choices.sort_unstable();
        choices.dedup();
        if choices.is_empty() || (!view.poll.multiple && choices.len() > 1) {
            return Err(CoreError::invalid(
                "Choose one option (or several in a multiple-choice poll)",
            ));
        }
        if choices
            .iter()
            .any(|c| usize::try_from(*c).map_or(true, |c| c >= view.poll.options.len()))
        {
            return Err(CoreError::invalid("That option does not exist"));
        }
        let now = self.clock.now();
        let votes: Vec<(Id, i64, Option<String>)> = choices
            .iter()
            .map(|c| (Id::generate(now.0), *c, Some(self.new_activity_id())))
            .collect();
        if !self.store.vote(id, me, &votes, false, now).await? {
            return Err(CoreError::invalid("You have already voted in this poll"));
        }
        if !status.local {
            self.federate_votes(user, &status, &view.poll, &votes)
                .await?;
        }
        let poll = self.store.poll(id).await?.ok_or(CoreError::NotFound)?;
        self.poll_view(poll, Some(me)).await
    }

    /// Votes go to the poll's author as `Create` of `Note`s named after the option.
    async fn federate_votes(
        &self,
        user: &LocalUser,
        status: &Status,
        poll: &Poll,
        votes: &[(Id, i64, Option<String>)],
    ) -> Result<(), CoreError> {
        let Some(author) = self.store.account(status.account_id).await? else {
            return Ok(());
        };
        let inbox = author
            .shared_inbox_url
            .clone()
            .or_else(|| author.inbox_url.clone());
        for (_, choice, uri) in votes {
            let Some(option) = usize::try_from(*choice)
                .ok()
                .and_then(|i| poll.options.get(i))
            else {
                continue;
            };
            let note_id = uri.clone().unwrap_or_else(|| self.new_activity_id());
            let activity_id = format!("{note_id}/activity");
            let payload = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": activity_id,
                "type": "Create",
                "actor": user.account.uri,
                "to": [author.uri],
                "object": {
                    "id": note_id,
                    "type": "Note",
                    "name": option.title,
                    "attributedTo": user.account.uri,
                    "to": [author.uri],
                    "inReplyTo": status.uri,
                },
            });
            self.send_activity(
                Some(user),
                "Create",
                &activity_id,
                payload,
                inbox.clone().into_iter().collect(),
            )
            .await?;
        }
        Ok(())
    }

    /// A vote from another server on one of our polls (a Note named after an option).
    pub(crate) async fn receive_vote(
        &self,
        voter: rhizome_model::Account,
        question_uri: &str,
        option: &str,
        uri: Option<String>,
    ) -> Result<(), CoreError> {
        let status = self
            .store
            .status_by_uri(question_uri)
            .await?
            .filter(|s| s.local)
            .ok_or(CoreError::NotFound)?;
        let poll = self
            .store
            .poll_of_status(status.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        if poll.closed || poll.expires_at.is_some_and(|at| at <= self.clock.now()) {
            return Err(CoreError::invalid("the poll has ended"));
        }
        let choice = poll
            .options
            .iter()
            .position(|o| o.title == option)
            .ok_or(CoreError::NotFound)?;
        let now = self.clock.now();
        self.store
            .vote(
                poll.id,
                voter.id,
                &[(Id::generate(now.0), choice as i64, uri)],
                poll.multiple,
                now,
            )
            .await?;
        Ok(())
    }

    /// The job: once a poll ends, its voters and author are told, and a local poll's final
    /// counts go out as an Update.
    pub async fn close_poll(&self, job: ClosePoll) -> Result<(), JobError> {
        let Some(poll) = self
            .store
            .poll(job.poll_id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(());
        };
        if poll.expires_at.is_some_and(|at| at > self.clock.now()) {
            return Err(JobError::Postpone(Duration::from_secs(1)));
        }
        if !self
            .store
            .close_poll(poll.id)
            .await
            .map_err(CoreError::from)?
        {
            return Ok(());
        }
        let Some(status) = self
            .store
            .status(poll.status_id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(());
        };
        for voter in self
            .store
            .poll_voters(poll.id)
            .await
            .map_err(CoreError::from)?
        {
            self.notify(
                voter,
                status.account_id,
                NotificationKind::Poll,
                Some(status.id),
                None,
            )
            .await?;
        }
        if status.local {
            // The author hears about it too (notify skips self-notifications, so insert directly).
            let now = self.clock.now();
            self.store
                .insert_notification(&rhizome_model::Notification {
                    id: Id::generate(now.0),
                    account_id: status.account_id,
                    from_account_id: status.account_id,
                    kind: NotificationKind::Poll,
                    status_id: Some(status.id),
                    emoji: None,
                    target_account_id: None,
                    account_warning_id: None,
                    created_at: now,
                })
                .await
                .map_err(CoreError::from)?;
            if let Some(author) = self
                .store
                .local_user(status.account_id)
                .await
                .map_err(CoreError::from)?
            {
                let note = self.status_document(&status).await?;
                let id = self.new_activity_id();
                let to = note["to"].as_array().cloned().unwrap_or_default();
                let cc = note["cc"].as_array().cloned().unwrap_or_default();
                let mut payload = super::federation::ap::to_json(
                    rhizome_federation::vocab::outgoing::Activity::new(
                        ActivityType::Update,
                        super::federation::ap::url(&id)?,
                        super::federation::ap::url(&author.account.uri)?,
                        note,
                    ),
                )?;
                payload["to"] = Value::Array(to);
                payload["cc"] = Value::Array(cc);
                let inboxes = self
                    .store
                    .follower_inboxes(author.account.id)
                    .await
                    .map_err(CoreError::from)?;
                self.send_activity(Some(&author), "Update", &id, payload, inboxes)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Turns a Note document into a Question with this poll's options and counts.
pub fn question(note: &mut Value, poll: &Poll) {
    let options: Vec<Value> = poll
        .options
        .iter()
        .map(|o| json!({ "type": "Note", "name": o.title, "replies": { "type": "Collection", "totalItems": o.votes_count } }))
        .collect();
    note["type"] = json!("Question");
    note[if poll.multiple { "anyOf" } else { "oneOf" }] = Value::Array(options);
    if let Some(at) = poll.expires_at {
        note["endTime"] = json!(
            at.to_datetime()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        if poll.closed {
            note["closed"] = note["endTime"].clone();
        }
    }
    note["votersCount"] = json!(poll.voters_count);
}
