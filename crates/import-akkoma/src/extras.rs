//! Stages 5 to 7: users' lists, read markers and filters; OAuth apps and tokens (only their
//! digests are kept, as for tokens issued here); the last weeks of notifications.

use rhizome_model::{Id, Notification, NotificationKind, Scopes, Timestamp};
use rhizome_store::{Filter, FilterKeyword, List, NewApp, NewToken, RepliesPolicy};
use sqlx::Row;

use crate::source::{json, millis, strings};
use crate::{ImportError, Importer, ids};

const LISTS: &str = "lists";
const MARKERS: &str = "markers";
const FILTERS: &str = "filters";
const APPS: &str = "oauth apps";
const TOKENS: &str = "oauth tokens";
const NOTIFICATIONS: &str = "notifications";

/// Akkoma's scopes, as far as Rhizome knows them (unknown ones are dropped).
fn scopes(list: &[String]) -> Scopes {
    let known: Vec<&str> = list
        .iter()
        .map(String::as_str)
        .filter(|s| Scopes::parse(s).is_ok())
        .collect();
    Scopes::parse(&known.join(" ")).unwrap_or_else(|_| Scopes::parse("read").unwrap_or_default())
}

impl Importer<'_> {
    pub(crate) async fn import_user_data(&mut self) -> Result<(), ImportError> {
        let lists = sqlx::query(&format!(
            "SELECT l.id, u.ap_id, l.title, array_to_json(l.following)::text AS members, \
             {at} AS at FROM lists l JOIN users u ON u.id = l.user_id ORDER BY l.id",
            at = millis("l.inserted_at")
        ))
        .fetch_all(&self.source)
        .await?;
        let markers = sqlx::query(&format!(
            "SELECT m.id, u.ap_id, m.timeline, m.last_read_id, m.lock_version, {at} AS at \
             FROM markers m JOIN users u ON u.id = m.user_id ORDER BY m.id",
            at = millis("m.updated_at")
        ))
        .fetch_all(&self.source)
        .await?;
        let filters = sqlx::query(&format!(
            "SELECT f.id, u.ap_id, f.hide, f.phrase, array_to_json(f.context)::text AS contexts, \
             {expires} AS expires, f.whole_word, {at} AS at FROM filters f \
             JOIN users u ON u.id = f.user_id ORDER BY f.id",
            expires = millis("f.expires_at"),
            at = millis("f.inserted_at")
        ))
        .fetch_all(&self.source)
        .await?;
        self.progress.stage(
            "lists, markers, filters",
            (lists.len() + markers.len() + filters.len()) as u64,
        );
        for row in &lists {
            self.progress.advance();
            let serial: i64 = row.try_get("id")?;
            let ap_id: String = row.try_get("ap_id")?;
            let at: i64 = row.try_get("at")?;
            let Some(owner) = self.account(&ap_id).cloned() else {
                self.skip(LISTS, serial.to_string(), "its owner was not imported");
                continue;
            };
            // Members are named by their followers collection.
            let members: Vec<Id> = strings(&json(row.try_get("members")?))
                .iter()
                .filter_map(|followers| {
                    self.accounts
                        .values()
                        .find(|a| a.followers_url.as_deref() == Some(followers.as_str()))
                        .map(|a| a.id)
                })
                .collect();
            let list = List {
                id: ids::from_serial(at, serial),
                account_id: owner.id,
                title: row
                    .try_get::<Option<String>, _>("title")?
                    .unwrap_or_default(),
                replies_policy: RepliesPolicy::List,
                exclusive: false,
                created_at: Timestamp(at),
            };
            let written = match &self.core {
                Some(core) => core.store.import_list(&list, &members).await?,
                None => true,
            };
            self.outcome(LISTS, written);
        }
        for row in &markers {
            self.progress.advance();
            let serial: i64 = row.try_get("id")?;
            let ap_id: String = row.try_get("ap_id")?;
            let timeline: String = row.try_get("timeline")?;
            let last_read: String = row.try_get("last_read_id")?;
            let version: i32 = row.try_get("lock_version")?;
            let at: i64 = row.try_get("at")?;
            let Some(owner) = self.account(&ap_id).cloned() else {
                continue;
            };
            // Home markers name an activity; its flake id maps onto a position among our
            // ids even when the activity is no post. Notification markers name a notification.
            let target = match timeline.as_str() {
                "home" => ids::from_flake(&last_read),
                "notifications" => last_read
                    .parse::<i64>()
                    .ok()
                    .and_then(|n| self.notifications.get(&n).copied()),
                _ => None,
            };
            let Some(target) = target else {
                self.skip(
                    MARKERS,
                    serial.to_string(),
                    format!("{timeline}: what it points at was not imported"),
                );
                continue;
            };
            let written = match &self.core {
                Some(core) => {
                    core.store
                        .import_marker(
                            owner.id,
                            &timeline,
                            target,
                            i64::from(version),
                            Timestamp(at),
                        )
                        .await?
                }
                None => true,
            };
            self.outcome(MARKERS, written);
        }
        for row in &filters {
            self.progress.advance();
            let serial: i64 = row.try_get("id")?;
            let ap_id: String = row.try_get("ap_id")?;
            let at: i64 = row.try_get("at")?;
            let Some(owner) = self.account(&ap_id).cloned() else {
                continue;
            };
            let Some(phrase) = row.try_get::<Option<String>, _>("phrase")? else {
                continue;
            };
            let id = ids::from_serial(at, serial);
            let hide: Option<bool> = row.try_get("hide")?;
            let filter = Filter {
                id,
                account_id: owner.id,
                title: phrase.clone(),
                contexts: strings(&json(row.try_get("contexts")?)),
                action: if hide.unwrap_or(false) {
                    "hide"
                } else {
                    "warn"
                }
                .into(),
                expires_at: row.try_get::<Option<i64>, _>("expires")?.map(Timestamp),
                created_at: Timestamp(at),
                keywords: vec![FilterKeyword {
                    id,
                    keyword: phrase,
                    whole_word: row.try_get("whole_word")?,
                }],
                statuses: Vec::new(),
            };
            let written = match &self.core {
                Some(core) => {
                    let known = core
                        .store
                        .filters_of(owner.id)
                        .await?
                        .iter()
                        .any(|f| f.id == id);
                    if !known {
                        core.store.save_filter(&filter).await?;
                    }
                    !known
                }
                None => true,
            };
            self.outcome(FILTERS, written);
        }
        self.progress.finish_stage();
        Ok(())
    }

    pub(crate) async fn import_oauth(&mut self) -> Result<(), ImportError> {
        let apps = sqlx::query(&format!(
            "SELECT id, client_name, redirect_uris, array_to_json(scopes)::text AS scopes, \
             website, client_id, client_secret, {at} AS at FROM apps ORDER BY id",
            at = millis("inserted_at")
        ))
        .fetch_all(&self.source)
        .await?;
        let tokens = sqlx::query(&format!(
            "SELECT t.id, t.app_id, u.ap_id, t.token, t.refresh_token, {until} AS until, \
             array_to_json(t.scopes)::text AS scopes, {at} AS at FROM oauth_tokens t \
             LEFT JOIN users u ON u.id = t.user_id WHERE t.token IS NOT NULL ORDER BY t.id",
            until = millis("t.valid_until"),
            at = millis("t.inserted_at")
        ))
        .fetch_all(&self.source)
        .await?;
        self.progress
            .stage("apps and tokens", (apps.len() + tokens.len()) as u64);
        let mut app_ids = std::collections::HashMap::new();
        for row in &apps {
            self.progress.advance();
            let serial: i64 = row.try_get("id")?;
            let at: i64 = row.try_get("at")?;
            let (Some(client_id), Some(client_secret)) = (
                row.try_get::<Option<String>, _>("client_id")?,
                row.try_get::<Option<String>, _>("client_secret")?,
            ) else {
                self.skip(APPS, serial.to_string(), "no client id or secret");
                continue;
            };
            let app = NewApp {
                id: ids::from_serial(at, serial),
                name: row.try_get("client_name")?,
                website: row.try_get("website")?,
                redirect_uris: row
                    .try_get::<String, _>("redirect_uris")?
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
                scopes: scopes(&strings(&json(row.try_get("scopes")?))),
                client_id: client_id.clone(),
                client_secret,
                created_at: Timestamp(at),
            };
            let (id, written) = match &self.core {
                Some(core) => match core.store.app_by_client_id(&client_id).await? {
                    Some(existing) => (existing.id, false),
                    None => (app.id, core.store.import_app(&app).await?),
                },
                None => (app.id, true),
            };
            app_ids.insert(serial, id);
            self.outcome(APPS, written);
        }
        for row in &tokens {
            self.progress.advance();
            let serial: i64 = row.try_get("id")?;
            let at: i64 = row.try_get("at")?;
            let token: String = row.try_get("token")?;
            let app_serial: i64 = row.try_get("app_id")?;
            let ap_id: Option<String> = row.try_get("ap_id")?;
            let account = match &ap_id {
                Some(ap_id) => match self.account(ap_id) {
                    Some(account) => Some(account.id),
                    None => {
                        self.skip(TOKENS, serial.to_string(), "its user was not imported");
                        continue;
                    }
                },
                None => None,
            };
            let Some(app_id) = app_ids.get(&app_serial).copied() else {
                self.skip(TOKENS, serial.to_string(), "its app was not imported");
                continue;
            };
            let digest = rhizome_core::oauth::token_digest(&token);
            let new = NewToken {
                id: ids::from_serial(at, serial),
                token_digest: digest.clone(),
                refresh_digest: row
                    .try_get::<Option<String>, _>("refresh_token")?
                    .map(|r| rhizome_core::oauth::token_digest(&r)),
                app_id: Some(app_id),
                account_id: account,
                scopes: scopes(&strings(&json(row.try_get("scopes")?))),
                created_at: Timestamp(at),
                expires_at: row.try_get::<Option<i64>, _>("until")?.map(Timestamp),
            };
            let written = match &self.core {
                Some(core) => match core.store.token_by_digest(&digest).await? {
                    Some(_) => false,
                    None => core.store.import_token(&new).await?,
                },
                None => true,
            };
            self.outcome(TOKENS, written);
        }
        self.progress.finish_stage();
        Ok(())
    }

    pub(crate) async fn import_notifications(&mut self) -> Result<(), ImportError> {
        let newest: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT MAX({at}) FROM notifications",
            at = millis("inserted_at")
        ))
        .fetch_one(&self.source)
        .await?;
        let Some(newest) = newest else {
            return Ok(());
        };
        let since = newest - self.options.notification_days * 24 * 3600 * 1000;
        let rows = sqlx::query(&format!(
            "SELECT n.id, u.ap_id AS owner, n.type::text AS kind, n.activity_id::text AS activity, \
             a.actor, a.data->>'type' AS activity_type, a.data->>'content' AS content, \
             COALESCE(a.data->'object'->>'id', a.data->>'object') AS object, {at} AS at \
             FROM notifications n JOIN users u ON u.id = n.user_id \
             JOIN activities a ON a.id = n.activity_id WHERE {at} >= $1 ORDER BY n.id",
            at = millis("n.inserted_at")
        ))
        .bind(since)
        .fetch_all(&self.source)
        .await?;
        let older: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM notifications WHERE {at} < $1",
            at = millis("inserted_at")
        ))
        .bind(since)
        .fetch_one(&self.source)
        .await?;
        if older > 0 {
            self.report.notes.push(format!(
                "{older} notifications older than {} days before the newest were left behind",
                self.options.notification_days
            ));
        }
        self.progress.stage("notifications", rows.len() as u64);
        for row in &rows {
            self.progress.advance();
            let serial: i64 = row.try_get("id")?;
            let at: i64 = row.try_get("at")?;
            let owner: String = row.try_get("owner")?;
            let kind: Option<String> = row.try_get("kind")?;
            let actor: Option<String> = row.try_get("actor")?;
            let activity: String = row.try_get("activity")?;
            let object: Option<String> = row.try_get("object")?;
            let kind = match kind.as_deref() {
                Some("follow") => NotificationKind::Follow,
                Some("follow_request") => NotificationKind::FollowRequest,
                Some("mention") => NotificationKind::Mention,
                Some("reblog") => NotificationKind::Reblog,
                Some("favourite") => NotificationKind::Favourite,
                Some("pleroma:emoji_reaction") => NotificationKind::EmojiReaction,
                Some("poll") => NotificationKind::Poll,
                Some("update") => NotificationKind::Update,
                other => {
                    self.skip(
                        NOTIFICATIONS,
                        serial.to_string(),
                        format!("type {other:?} has no equivalent here"),
                    );
                    continue;
                }
            };
            let (Some(account), Some(from)) = (
                self.account(&owner).cloned(),
                actor.as_deref().and_then(|a| self.account(a)).cloned(),
            ) else {
                self.skip(
                    NOTIFICATIONS,
                    serial.to_string(),
                    "an account was not imported",
                );
                continue;
            };
            // Mentions name the post itself; the others the post acted on.
            let status = match kind {
                NotificationKind::Follow | NotificationKind::FollowRequest => None,
                NotificationKind::Mention => self.activity_statuses.get(&activity).copied(),
                _ => match &object {
                    Some(object) => self.statuses.get(object).copied(),
                    None => None,
                },
            };
            if status.is_none()
                && !matches!(
                    kind,
                    NotificationKind::Follow | NotificationKind::FollowRequest
                )
            {
                self.skip(
                    NOTIFICATIONS,
                    serial.to_string(),
                    "its post was not imported",
                );
                continue;
            }
            let emoji = (kind == NotificationKind::EmojiReaction)
                .then(|| row.try_get::<Option<String>, _>("content").ok().flatten())
                .flatten()
                .map(|e| e.trim_matches(':').to_owned());
            let notification = Notification {
                id: ids::from_serial(at, serial),
                account_id: account.id,
                from_account_id: from.id,
                kind,
                status_id: status,
                emoji,
                // Akkoma's move notifications are not imported (its target is not kept).
                target_account_id: None,
                account_warning_id: None,
                created_at: Timestamp(at),
            };
            let written = match &self.core {
                Some(core) => core.store.import_notification(&notification).await?,
                None => true,
            };
            self.notifications.insert(serial, notification.id);
            self.outcome(NOTIFICATIONS, written);
        }
        self.progress.finish_stage();
        Ok(())
    }
}
