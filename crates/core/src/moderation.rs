//! What moderators do: act on accounts (warn, sensitive, disable, limit, suspend and their
//! reversals), on statuses (mark sensitive, delete), and on reports (assign, resolve,
//! reopen). Every action is written to the moderation log.

use rhizome_federation::vocab::outgoing::ActivityType;
use rhizome_model::{Account, Id, LocalUser, Role, Visibility};
use rhizome_store::{
    AccountWarning, AdminAccountFilter, ModerationEntry, ModerationState, Page, PageRequest,
    Report, ReportFilter,
};

use crate::federation::ap::{activity, addressing};
use crate::{Core, CoreError};

/// Mastodon's `type` of `POST /api/v1/admin/accounts/:id/action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    /// A warning: only the log (and the report) remember it.
    None,
    Sensitive,
    Disable,
    Silence,
    Suspend,
}

impl AccountAction {
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        Ok(match text {
            "none" => AccountAction::None,
            "sensitive" => AccountAction::Sensitive,
            "disable" => AccountAction::Disable,
            "silence" => AccountAction::Silence,
            "suspend" => AccountAction::Suspend,
            other => return Err(CoreError::Invalid(format!("unknown action type {other}"))),
        })
    }

    /// The action as Mastodon names it in an `AccountWarning`.
    fn warning_name(self) -> &'static str {
        match self {
            AccountAction::None => "none",
            AccountAction::Sensitive => "sensitive",
            AccountAction::Disable => "disable",
            AccountAction::Silence => "silence",
            AccountAction::Suspend => "suspend",
        }
    }

    fn log_name(self) -> &'static str {
        match self {
            AccountAction::None => "warn",
            AccountAction::Sensitive => "sensitive",
            AccountAction::Disable => "disable",
            AccountAction::Silence => "silence",
            AccountAction::Suspend => "suspend",
        }
    }
}

/// The reversals of [`AccountAction`]s, and the answers to a pending sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountUndo {
    Enable,
    Unsilence,
    Unsuspend,
    Unsensitive,
}

/// An account with everything the admin API shows about it.
#[derive(Debug, Clone)]
pub struct AdminAccount {
    pub account: Account,
    /// The login, for local accounts.
    pub user: Option<LocalUser>,
    pub state: ModerationState,
    /// For local users: the addresses they signed up and in from, latest first.
    pub ips: Vec<(String, rhizome_model::Timestamp)>,
}

impl Core {
    /// Refuses actions by non-staff, on oneself, and by moderators on other staff.
    async fn moderatable(&self, moderator: &LocalUser, target: Id) -> Result<Account, CoreError> {
        if !moderator.role.is_staff() {
            return Err(CoreError::Forbidden("This action is not allowed".into()));
        }
        let account = self
            .store
            .account(target)
            .await?
            .ok_or(CoreError::NotFound)?;
        if account.id == moderator.account.id {
            return Err(CoreError::Forbidden(
                "moderators do not act on themselves".into(),
            ));
        }
        if let Some(user) = self.store.local_user(target).await?
            && user.role.is_staff()
            && moderator.role != Role::Admin
        {
            return Err(CoreError::Forbidden(
                "only an admin acts on other staff".into(),
            ));
        }
        Ok(account)
    }

    /// Writes one line of the moderation log.
    pub async fn log_moderation(
        &self,
        moderator: Option<Id>,
        action: &str,
        target_type: &str,
        target_id: Id,
        text: &str,
    ) -> Result<(), CoreError> {
        let now = self.clock.now();
        self.store
            .insert_moderation_entry(&ModerationEntry {
                id: Id::generate(now.0),
                account_id: moderator,
                action: action.to_owned(),
                target_type: target_type.to_owned(),
                target_id,
                text: text.to_owned(),
                created_at: now,
            })
            .await?;
        tracing::info!(?moderator, action, target_type, %target_id, "moderation");
        Ok(())
    }

    pub async fn moderation_log(
        &self,
        target: Option<(&str, Id)>,
        page: &PageRequest,
    ) -> Result<Page<ModerationEntry>, CoreError> {
        Ok(self.store.moderation_log(target, page).await?)
    }

    /// Acts on an account; with a report, the report is resolved by the same action. The
    /// account gets a warning naming the action, the text and the report's statuses; a local
    /// user is notified of it unless `notify` is false (Mastodon's `send_email_notification`).
    pub async fn moderate_account(
        &self,
        moderator: &LocalUser,
        target: Id,
        action: AccountAction,
        report_id: Option<Id>,
        text: &str,
        notify: bool,
    ) -> Result<(), CoreError> {
        let account = self.moderatable(moderator, target).await?;
        let report = match report_id {
            Some(id) => {
                let report = self.report_of(id).await?;
                if report.target_account_id != account.id {
                    return Err(CoreError::Invalid(
                        "the report is about another account".into(),
                    ));
                }
                Some(report)
            }
            None => None,
        };
        let now = self.clock.now();
        match action {
            AccountAction::None => {}
            AccountAction::Sensitive => {
                self.store.set_sensitized(account.id, Some(now)).await?;
                self.store.mark_statuses_sensitive(account.id, None).await?;
            }
            AccountAction::Disable => {
                if !account.is_local() {
                    return Err(CoreError::Invalid(
                        "only local logins can be disabled".into(),
                    ));
                }
                self.store.set_disabled(account.id, true).await?;
                self.store.revoke_account_tokens(account.id, now).await?;
            }
            AccountAction::Silence => {
                self.store.set_silenced(account.id, Some(now)).await?;
            }
            AccountAction::Suspend => self.suspend_account(&account).await?,
        }
        self.log_moderation(
            Some(moderator.account.id),
            action.log_name(),
            "account",
            account.id,
            text,
        )
        .await?;
        self.warn_account(
            moderator,
            account.id,
            action.warning_name(),
            text,
            report.as_ref(),
            notify,
        )
        .await?;
        if let Some(report) = report {
            self.resolve_report(moderator, report.id, text).await?;
        }
        Ok(())
    }

    /// Records a warning to an account and, for a local user when `notify`, tells them by a
    /// `moderation_warning` notification (which names neither the moderator nor the reporter).
    async fn warn_account(
        &self,
        moderator: &LocalUser,
        account_id: Id,
        action: &str,
        text: &str,
        report: Option<&Report>,
        notify: bool,
    ) -> Result<(), CoreError> {
        let now = self.clock.now();
        let warning = AccountWarning {
            id: Id::generate(now.0),
            account_id,
            moderator_id: Some(moderator.account.id),
            action: action.to_owned(),
            text: text.to_owned(),
            report_id: report.map(|r| r.id),
            status_ids: report.map(|r| r.status_ids.clone()).unwrap_or_default(),
            created_at: now,
        };
        self.store.insert_account_warning(&warning).await?;
        if notify {
            self.notify_warning(&warning).await?;
        }
        Ok(())
    }

    /// An account's warnings, newest first (for staff).
    pub async fn account_warnings(&self, account_id: Id) -> Result<Vec<AccountWarning>, CoreError> {
        Ok(self.store.account_warnings_of(account_id).await?)
    }

    /// Mastodon's suspension: the account's content is hidden here and its logins end; a
    /// local actor is deleted on the servers that know it, a remote account's content is
    /// purged from this server.
    async fn suspend_account(&self, account: &Account) -> Result<(), CoreError> {
        let now = self.clock.now();
        self.store.set_suspended(account.id, Some(now)).await?;
        match self.store.local_user(account.id).await? {
            Some(user) => {
                self.store.revoke_account_tokens(account.id, now).await?;
                self.federate_actor_delete(&user).await?;
            }
            None => {
                for id in self.store.status_ids_of(account.id).await? {
                    self.store.delete_status(id, now).await?;
                    self.events
                        .publish(crate::events::Event::Delete { status_id: id });
                }
            }
        }
        Ok(())
    }

    /// An `Update` of a local actor that was suspended, to every server that follows it or
    /// that it follows: they removed it on its `Delete`, and fetch it again from this (as
    /// Mastodon does on unsuspension). Follows other servers dropped stay dropped.
    async fn federate_actor_return(&self, user: &LocalUser) -> Result<(), CoreError> {
        let mut inboxes = self.store.follower_inboxes(user.account.id).await?;
        inboxes.extend(self.store.following_inboxes(user.account.id).await?);
        let id = self.new_activity_id();
        let (to, cc) = addressing(
            Visibility::Public,
            &self.urls.followers(&user.account.username),
            &[],
        )?;
        let payload = activity(
            ActivityType::Update,
            &id,
            &user.account.uri,
            self.actor_document(&user.account)?,
            to,
            cc,
        )?;
        self.send_activity(Some(user), "Update", &id, payload, inboxes)
            .await
    }

    /// A `Delete` of a local actor, to every server that follows it or that it follows.
    async fn federate_actor_delete(&self, user: &LocalUser) -> Result<(), CoreError> {
        let mut inboxes = self.store.follower_inboxes(user.account.id).await?;
        inboxes.extend(self.store.following_inboxes(user.account.id).await?);
        let id = self.new_activity_id();
        let (to, cc) = addressing(
            Visibility::Public,
            &self.urls.followers(&user.account.username),
            &[],
        )?;
        let payload = activity(
            ActivityType::Delete,
            &id,
            &user.account.uri,
            user.account.uri.clone(),
            to,
            cc,
        )?;
        self.send_activity(Some(user), "Delete", &id, payload, inboxes)
            .await
    }

    /// Lifts a moderation action.
    pub async fn undo_moderation(
        &self,
        moderator: &LocalUser,
        target: Id,
        undo: AccountUndo,
    ) -> Result<(), CoreError> {
        let account = self.moderatable(moderator, target).await?;
        let name = match undo {
            AccountUndo::Enable => {
                self.store.set_disabled(account.id, false).await?;
                "enable"
            }
            AccountUndo::Unsilence => {
                self.store.set_silenced(account.id, None).await?;
                "unsilence"
            }
            AccountUndo::Unsuspend => {
                if self.store.account_deletion(account.id).await?.is_some() {
                    return Err(CoreError::Forbidden(
                        "a deleted account cannot be restored".into(),
                    ));
                }
                self.store.set_suspended(account.id, None).await?;
                if let Some(user) = self.store.local_user(account.id).await? {
                    self.federate_actor_return(&user).await?;
                }
                "unsuspend"
            }
            AccountUndo::Unsensitive => {
                self.store.set_sensitized(account.id, None).await?;
                "unsensitive"
            }
        };
        self.log_moderation(Some(moderator.account.id), name, "account", account.id, "")
            .await
    }

    /// Approves (`true`) or rejects (`false`, deleting it) a sign-up awaiting approval.
    pub async fn decide_registration(
        &self,
        moderator: &LocalUser,
        target: Id,
        approve: bool,
    ) -> Result<(), CoreError> {
        self.moderatable(moderator, target).await?;
        let user = self
            .store
            .local_user(target)
            .await?
            .ok_or(CoreError::NotFound)?;
        if user.approved {
            return Err(CoreError::Forbidden(
                "the account is not awaiting approval".into(),
            ));
        }
        if approve {
            self.store.set_approved(target, true).await?;
        } else {
            self.store.delete_account(target).await?;
        }
        let action = if approve { "approve" } else { "reject" };
        self.log_moderation(
            Some(moderator.account.id),
            action,
            "account",
            target,
            &user.account.username,
        )
        .await
    }

    /// Deletes a suspended account's data for good (admins only, as in Mastodon).
    pub async fn delete_account_data(
        &self,
        moderator: &LocalUser,
        target: Id,
    ) -> Result<(), CoreError> {
        if moderator.role != Role::Admin {
            return Err(CoreError::Forbidden("This action is not allowed".into()));
        }
        let account = self.moderatable(moderator, target).await?;
        if account.suspended_at.is_none() {
            return Err(CoreError::Forbidden(
                "only suspended accounts are deleted".into(),
            ));
        }
        self.delete_account(&account, Some(moderator.account.id))
            .await?;
        self.log_moderation(
            Some(moderator.account.id),
            "delete",
            "account",
            account.id,
            &account.acct(),
        )
        .await
    }

    /// Marks statuses of one account sensitive.
    pub async fn moderate_statuses_sensitive(
        &self,
        moderator: &LocalUser,
        target: Id,
        status_ids: &[Id],
    ) -> Result<(), CoreError> {
        let account = self.moderatable(moderator, target).await?;
        self.store
            .mark_statuses_sensitive(account.id, Some(status_ids))
            .await?;
        for id in status_ids {
            self.log_moderation(Some(moderator.account.id), "sensitive", "status", *id, "")
                .await?;
        }
        Ok(())
    }

    /// Deletes statuses of one account; local ones are deleted on other servers too.
    pub async fn moderate_statuses_delete(
        &self,
        moderator: &LocalUser,
        target: Id,
        status_ids: &[Id],
    ) -> Result<(), CoreError> {
        let account = self.moderatable(moderator, target).await?;
        let author = self.store.local_user(account.id).await?;
        for id in status_ids {
            let Some(status) = self.store.status(*id).await? else {
                continue;
            };
            if status.account_id != account.id {
                continue;
            }
            self.store
                .delete_status(status.id, self.clock.now())
                .await?;
            self.events.publish(crate::events::Event::Delete {
                status_id: status.id,
            });
            if let Some(author) = &author {
                self.federate_delete(author, &status).await?;
            }
            self.log_moderation(
                Some(moderator.account.id),
                "delete",
                "status",
                status.id,
                "",
            )
            .await?;
        }
        Ok(())
    }

    pub async fn report_of(&self, id: Id) -> Result<Report, CoreError> {
        self.store.report(id).await?.ok_or(CoreError::NotFound)
    }

    pub async fn reports_page(
        &self,
        filter: &ReportFilter,
        page: &PageRequest,
    ) -> Result<Page<Report>, CoreError> {
        Ok(self.store.reports_page(filter, page).await?)
    }

    /// The reported statuses that still exist, as the moderator sees them.
    pub async fn report_statuses(
        &self,
        report: &Report,
        moderator: Id,
    ) -> Result<Vec<crate::views::StatusView>, CoreError> {
        let mut statuses = Vec::new();
        for id in &report.status_ids {
            if let Some(status) = self.store.status(*id).await? {
                statuses.push(status);
            }
        }
        self.status_views(statuses, Some(moderator)).await
    }

    /// One numbered page of reports and how many there are in all.
    /// The moderation log by numbered pages (1-based), newest first, with its length.
    pub async fn moderation_log_numbered(
        &self,
        page: u64,
        page_size: u32,
    ) -> Result<(Vec<ModerationEntry>, i64), CoreError> {
        let page_size = page_size.clamp(1, 500);
        let offset = page.saturating_sub(1).saturating_mul(u64::from(page_size));
        Ok(self
            .store
            .moderation_log_numbered(offset, page_size)
            .await?)
    }

    pub async fn reports_numbered(
        &self,
        resolved: Option<bool>,
        page: u64,
        page_size: u32,
    ) -> Result<(Vec<Report>, i64), CoreError> {
        let page_size = page_size.clamp(1, 500);
        let offset = page.saturating_sub(1).saturating_mul(u64::from(page_size));
        Ok(self
            .store
            .reports_numbered(resolved, offset, page_size)
            .await?)
    }

    /// Assigns a report to a staff member, or to nobody.
    pub async fn assign_report(
        &self,
        moderator: &LocalUser,
        id: Id,
        assignee: Option<Id>,
    ) -> Result<Report, CoreError> {
        self.report_change(moderator, id, "assign", "", |report| {
            report.assigned_account_id = assignee;
        })
        .await
    }

    pub async fn resolve_report(
        &self,
        moderator: &LocalUser,
        id: Id,
        note: &str,
    ) -> Result<Report, CoreError> {
        let now = self.clock.now();
        let by = moderator.account.id;
        self.report_change(moderator, id, "resolve", note, |report| {
            report.action_taken_at = Some(now);
            report.action_taken_by_account_id = Some(by);
        })
        .await
    }

    pub async fn reopen_report(
        &self,
        moderator: &LocalUser,
        id: Id,
        note: &str,
    ) -> Result<Report, CoreError> {
        self.report_change(moderator, id, "reopen", note, |report| {
            report.action_taken_at = None;
            report.action_taken_by_account_id = None;
        })
        .await
    }

    async fn report_change(
        &self,
        moderator: &LocalUser,
        id: Id,
        action: &str,
        note: &str,
        change: impl FnOnce(&mut Report),
    ) -> Result<Report, CoreError> {
        if !moderator.role.is_staff() {
            return Err(CoreError::Forbidden("This action is not allowed".into()));
        }
        let mut report = self.report_of(id).await?;
        change(&mut report);
        report.updated_at = self.clock.now();
        self.store.update_report(&report).await?;
        self.log_moderation(Some(moderator.account.id), action, "report", id, note)
            .await?;
        Ok(report)
    }

    /// One account as the admin API shows it.
    pub async fn admin_account(&self, id: Id) -> Result<AdminAccount, CoreError> {
        let account = self.store.account(id).await?.ok_or(CoreError::NotFound)?;
        self.admin_account_of(account).await
    }

    async fn admin_account_of(&self, account: Account) -> Result<AdminAccount, CoreError> {
        let user = if account.is_local() {
            self.store.local_user(account.id).await?
        } else {
            None
        };
        let state = self.store.moderation_state(account.id).await?;
        let ips = match &user {
            Some(_) => self.store.user_ips(account.id).await?,
            None => Vec::new(),
        };
        Ok(AdminAccount {
            account,
            user,
            state,
            ips,
        })
    }

    pub async fn admin_accounts_page(
        &self,
        filter: &AdminAccountFilter,
        page: &PageRequest,
    ) -> Result<Page<AdminAccount>, CoreError> {
        let found = self.store.admin_accounts_page(filter, page).await?;
        let mut items = Vec::with_capacity(found.items.len());
        for account in found.items {
            items.push(self.admin_account_of(account).await?);
        }
        Ok(Page {
            items,
            newest_id: found.newest_id,
            oldest_id: found.oldest_id,
        })
    }
}

/// Pleroma's admin API names accounts by nickname (`name`, or `name@domain` for remote ones).
impl Core {
    pub async fn account_by_nickname(&self, nickname: &str) -> Result<Account, CoreError> {
        let nickname = nickname.trim().trim_start_matches('@');
        let found = match nickname.split_once('@') {
            Some((user, domain)) if !domain.eq_ignore_ascii_case(&self.config.domain) => {
                self.store.account_by_acct(user, Some(domain)).await?
            }
            Some((user, _)) => self.store.account_by_acct(user, None).await?,
            None => self.store.account_by_acct(nickname, None).await?,
        };
        found.ok_or(CoreError::NotFound)
    }

    /// One numbered page of accounts and how many match in all.
    pub async fn admin_accounts_numbered(
        &self,
        filter: &AdminAccountFilter,
        page: u64,
        page_size: u32,
    ) -> Result<(Vec<AdminAccount>, i64), CoreError> {
        let page_size = page_size.clamp(1, 500);
        let offset = page.saturating_sub(1).saturating_mul(u64::from(page_size));
        let (accounts, total) = self
            .store
            .admin_accounts_numbered(filter, offset, page_size)
            .await?;
        let mut items = Vec::with_capacity(accounts.len());
        for account in accounts {
            items.push(self.admin_account_of(account).await?);
        }
        Ok((items, total))
    }

    /// Puts (or takes off) moderation tags on accounts, for the Tag policy.
    pub async fn moderate_tags(
        &self,
        moderator: &LocalUser,
        accounts: &[Id],
        tags: &[String],
        add: bool,
    ) -> Result<(), CoreError> {
        for id in accounts {
            let account = self.moderatable(moderator, *id).await?;
            for tag in tags {
                let action = if add {
                    self.tag_account(account.id, tag).await?;
                    "tag"
                } else {
                    self.untag_account(account.id, tag).await?;
                    "untag"
                };
                self.log_moderation(
                    Some(moderator.account.id),
                    action,
                    "account",
                    account.id,
                    tag,
                )
                .await?;
            }
        }
        Ok(())
    }
}

impl Core {
    /// Marks sensitive (or deletes) the statuses a report cites, and resolves the report.
    pub async fn act_on_reported_statuses(
        &self,
        moderator: &LocalUser,
        report_id: Id,
        delete: bool,
        note: &str,
    ) -> Result<Report, CoreError> {
        let report = self.report_of(report_id).await?;
        self.warn_account(
            moderator,
            report.target_account_id,
            if delete {
                "delete_statuses"
            } else {
                "mark_statuses_as_sensitive"
            },
            note,
            Some(&report),
            true,
        )
        .await?;
        if delete {
            self.moderate_statuses_delete(moderator, report.target_account_id, &report.status_ids)
                .await?;
        } else {
            self.moderate_statuses_sensitive(
                moderator,
                report.target_account_id,
                &report.status_ids,
            )
            .await?;
        }
        self.resolve_report(moderator, report_id, note).await
    }
}

/// Longest note a moderator may add to a report.
const NOTE_LIMIT: usize = 5000;

impl Core {
    /// Gives a local user another role (admins only, as on Mastodon, and not their own:
    /// an admin cannot lock the instance out of its last admin by mistake).
    pub async fn change_role(
        &self,
        admin: &LocalUser,
        target: Id,
        role: Role,
    ) -> Result<LocalUser, CoreError> {
        if admin.role != Role::Admin {
            return Err(CoreError::Forbidden("This action is not allowed".into()));
        }
        if target == admin.account.id {
            return Err(CoreError::Forbidden(
                "admins do not change their own role".into(),
            ));
        }
        let user = self
            .store
            .local_user(target)
            .await?
            .ok_or(CoreError::NotFound)?;
        if user.role != role {
            self.store.set_role(target, role).await?;
            self.log_moderation(
                Some(admin.account.id),
                "role",
                "account",
                target,
                role.as_str(),
            )
            .await?;
        }
        self.store
            .local_user(target)
            .await?
            .ok_or(CoreError::NotFound)
    }

    /// A moderator's note on a report, kept in the moderation log beside the report's
    /// other changes.
    pub async fn note_report(
        &self,
        moderator: &LocalUser,
        id: Id,
        note: &str,
    ) -> Result<(), CoreError> {
        if !moderator.role.is_staff() {
            return Err(CoreError::Forbidden("This action is not allowed".into()));
        }
        let note = note.trim();
        if note.is_empty() {
            return Err(CoreError::Invalid("the note is empty".into()));
        }
        if note.chars().count() > NOTE_LIMIT {
            return Err(CoreError::Invalid(format!(
                "the note is longer than {NOTE_LIMIT} characters"
            )));
        }
        self.report_of(id).await?;
        self.log_moderation(Some(moderator.account.id), "note", "report", id, note)
            .await
    }

    /// A report's notes still standing, oldest first. Notes are lines of the moderation
    /// log, which is never edited: deleting one adds a `note_delete` line naming it.
    pub async fn report_notes(&self, report_id: Id) -> Result<Vec<ModerationEntry>, CoreError> {
        let history = self
            .store
            .moderation_log(Some(("report", report_id)), &PageRequest::first(500))
            .await?;
        let deleted: Vec<String> = history
            .items
            .iter()
            .filter(|e| e.action == "note_delete")
            .map(|e| e.text.clone())
            .collect();
        Ok(history
            .items
            .into_iter()
            .rev()
            .filter(|e| e.action == "note" && !deleted.contains(&e.id.to_string()))
            .collect())
    }

    /// Deletes a note on a report: its author's, or any for an admin.
    pub async fn delete_report_note(
        &self,
        moderator: &LocalUser,
        report_id: Id,
        note_id: Id,
    ) -> Result<(), CoreError> {
        if !moderator.role.is_staff() {
            return Err(CoreError::Forbidden("This action is not allowed".into()));
        }
        let note = self
            .report_notes(report_id)
            .await?
            .into_iter()
            .find(|n| n.id == note_id)
            .ok_or(CoreError::NotFound)?;
        if note.account_id != Some(moderator.account.id) && moderator.role != Role::Admin {
            return Err(CoreError::Forbidden(
                "only its author or an admin deletes a note".into(),
            ));
        }
        self.log_moderation(
            Some(moderator.account.id),
            "note_delete",
            "report",
            report_id,
            &note_id.to_string(),
        )
        .await
    }
}
