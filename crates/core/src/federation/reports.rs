//! Reports: filed by local users or received from other servers, for local moderators; a
//! report about a remote account may be forwarded to its server as a `Flag` from the
//! instance actor, so that the reporter stays anonymous there.

use rhizome_federation::vocab::outgoing::ActivityType;
use rhizome_model::{Id, LocalUser, NotificationKind};
use rhizome_store::Report;
use url::Url;

use super::ap::{activity, url};
use crate::{Core, CoreError};

/// Mastodon's report categories.
pub const REPORT_CATEGORIES: &[&str] = &["spam", "legal", "violation", "other"];

/// What a reporter says.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub target: Id,
    pub status_ids: Vec<Id>,
    pub comment: String,
    /// `None` is `other`, or `violation` when rules are cited (as Mastodon does).
    pub category: Option<String>,
    pub rule_ids: Vec<String>,
    /// Send a copy to the target's server when it is remote.
    pub forward: bool,
    /// With `forward`, also the servers among these whose accounts the reported statuses
    /// reply to (Mastodon's `forward_to_domains`): a reply-guy's victims' servers may act too.
    pub forward_to_domains: Vec<String>,
}

/// Longest comment kept, as Mastodon's limit.
const COMMENT_LIMIT: usize = 1000;

impl Core {
    /// A local user reports an account (and some of its statuses).
    pub async fn report(&self, user: &LocalUser, input: NewReport) -> Result<Report, CoreError> {
        let target = self
            .store
            .account(input.target)
            .await?
            .ok_or(CoreError::NotFound)?;
        if target.id == user.account.id {
            return Err(CoreError::Invalid("you cannot report yourself".into()));
        }
        let category = match input.category {
            Some(category) if REPORT_CATEGORIES.contains(&category.as_str()) => category,
            Some(other) => return Err(CoreError::Invalid(format!("unknown category {other}"))),
            None if !input.rule_ids.is_empty() => "violation".to_owned(),
            None => "other".to_owned(),
        };
        if input.comment.chars().count() > COMMENT_LIMIT {
            return Err(CoreError::Invalid(format!(
                "the comment is longer than {COMMENT_LIMIT} characters"
            )));
        }
        // Only the target's own statuses, and only ones the reporter may see.
        let mut statuses = Vec::new();
        for id in input.status_ids {
            let status = self
                .store
                .visible_status(id, Some(user.account.id))
                .await?
                .filter(|s| s.account_id == target.id)
                .ok_or(CoreError::NotFound)?;
            statuses.push(status);
        }
        let now = self.clock.now();
        let mut report = Report {
            id: Id::generate(now.0),
            account_id: user.account.id,
            target_account_id: target.id,
            status_ids: statuses.iter().map(|s| s.id).collect(),
            comment: input.comment,
            category,
            rule_ids: input.rule_ids,
            uri: None,
            forwarded: false,
            assigned_account_id: None,
            action_taken_at: None,
            action_taken_by_account_id: None,
            created_at: now,
            updated_at: now,
        };
        if input.forward && !target.is_local() {
            let objects: Vec<&str> = std::iter::once(target.uri.as_str())
                .chain(statuses.iter().filter(|s| !s.local).map(|s| s.uri.as_str()))
                .collect();
            report.forwarded = self
                .forward_report(&target, &objects, &report.comment)
                .await?;
            for replied_to in self
                .replied_to_servers(&target, &statuses, &input.forward_to_domains)
                .await?
            {
                self.forward_report(&replied_to, &objects, &report.comment)
                    .await?;
            }
        }
        self.store.insert_report(&report).await?;
        self.tell_moderators(&report).await?;
        tracing::info!(report = %report.id, forwarded = report.forwarded, "report filed");
        Ok(report)
    }

    /// Files a report received from another server (`Flag`).
    pub(crate) async fn receive_report(
        &self,
        reporter: Id,
        target: Id,
        status_ids: Vec<Id>,
        comment: String,
        uri: Option<String>,
    ) -> Result<Report, CoreError> {
        let now = self.clock.now();
        let report = Report {
            id: Id::generate(now.0),
            account_id: reporter,
            target_account_id: target,
            status_ids,
            comment,
            category: "other".to_owned(),
            rule_ids: Vec::new(),
            uri,
            forwarded: true,
            assigned_account_id: None,
            action_taken_at: None,
            action_taken_by_account_id: None,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_report(&report).await?;
        self.tell_moderators(&report).await?;
        tracing::info!(report = %report.id, "report received from another server");
        Ok(report)
    }

    async fn tell_moderators(&self, report: &Report) -> Result<(), CoreError> {
        for moderator in self.store.staff_ids().await? {
            self.notify(
                moderator,
                report.account_id,
                NotificationKind::AdminReport,
                None,
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// One account on each server among `wanted` whose accounts the statuses reply to, other
    /// than the target's own server and this one (its inbox is where the copy goes).
    async fn replied_to_servers(
        &self,
        target: &rhizome_model::Account,
        statuses: &[rhizome_model::Status],
        wanted: &[String],
    ) -> Result<Vec<rhizome_model::Account>, CoreError> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<Id> = statuses
            .iter()
            .filter_map(|s| s.in_reply_to_account_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut chosen: Vec<rhizome_model::Account> = Vec::new();
        for account in self.store.accounts_by_ids(&ids).await? {
            let Some(domain) = account.domain.clone() else {
                continue;
            };
            let asked = wanted
                .iter()
                .any(|w| w.trim().eq_ignore_ascii_case(&domain));
            let same_as_target = target
                .domain
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(&domain));
            let already = chosen
                .iter()
                .any(|a| a.domain.as_deref() == Some(domain.as_str()));
            if asked && !same_as_target && !already {
                chosen.push(account);
            }
        }
        Ok(chosen)
    }

    /// Sends a `Flag` from the instance actor to the target's server; false when there is
    /// no inbox to send it to.
    async fn forward_report(
        &self,
        target: &rhizome_model::Account,
        objects: &[&str],
        comment: &str,
    ) -> Result<bool, CoreError> {
        let Some(inbox) = target
            .shared_inbox_url
            .clone()
            .or_else(|| target.inbox_url.clone())
        else {
            return Ok(false);
        };
        let objects = objects
            .iter()
            .map(|o| url(o))
            .collect::<Result<Vec<Url>, _>>()?;
        let id = self.new_activity_id();
        let mut payload = activity(
            ActivityType::Flag,
            &id,
            &self.urls.instance_actor(),
            objects,
            Vec::new(),
            Vec::new(),
        )?;
        if !comment.is_empty() {
            payload["content"] = comment.into();
        }
        self.send_activity(None, "Flag", &id, payload, vec![inbox])
            .await?;
        Ok(true)
    }
}
