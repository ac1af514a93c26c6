//! Stage 1: accounts. Local users keep their key pairs (so signatures made before and after
//! the move verify with the same key), their password hashes (checked at sign-in whatever
//! their kind, and re-hashed to argon2id then), roles, e-mail, profile and settings; remote
//! accounts keep their actor ids, inboxes and public keys, so nothing needs refetching.

use rhizome_federation::keys;
use rhizome_model::{
    Account, EmojiRef, LocalUser, PostingDefaults, ProfileField, Role, Timestamp, Username,
    Visibility,
};
use serde_json::Value;
use sqlx::Row;

use crate::source::{first_href, json, millis};
use crate::{ImportError, Importer, KnownAccount, ids};

const KIND_LOCAL: &str = "local users";
const KIND_REMOTE: &str = "remote accounts";

/// A users row with its signing key.
struct UserRow {
    id: String,
    email: Option<String>,
    password_hash: Option<String>,
    name: Option<String>,
    nickname: String,
    bio: String,
    inserted: i64,
    updated: i64,
    ap_id: String,
    avatar: Value,
    banner: Value,
    local: bool,
    follower_address: Option<String>,
    following_address: Option<String>,
    featured_address: Option<String>,
    locked: bool,
    confirmed: bool,
    active: bool,
    approved: bool,
    moderator: bool,
    admin: bool,
    uri: Option<String>,
    emoji: Value,
    fields: Value,
    raw_fields: Value,
    discoverable: bool,
    actor_type: String,
    inbox: Option<String>,
    shared_inbox: Option<String>,
    also_known_as: Value,
    default_scope: Option<String>,
    registration_reason: Option<String>,
    language: Option<String>,
    accepts_direct_messages_from: Option<String>,
    last_active: Option<i64>,
    key_id: Option<String>,
    public_key: Option<String>,
    private_key: Option<String>,
}

/// PEM text as we keep it: Akkoma's public keys end in a blank line (Erlang's encoder).
fn tidy_pem(pem: &str) -> String {
    format!("{}\n", pem.trim())
}

fn emojis(map: &Value) -> Vec<EmojiRef> {
    map.as_object()
        .map(|map| {
            map.iter()
                .filter_map(|(shortcode, url)| {
                    Some(EmojiRef {
                        shortcode: shortcode.clone(),
                        url: url.as_str()?.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn fields(list: &Value) -> Vec<ProfileField> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|f| {
                    Some(ProfileField {
                        name: f["name"].as_str()?.to_owned(),
                        value: f["value"].as_str().unwrap_or("").to_owned(),
                        verified_at: None,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Importer<'_> {
    async fn user_rows(&self) -> Result<Vec<UserRow>, ImportError> {
        let sql = format!(
            "SELECT u.id::text AS id, u.email::text AS email, u.password_hash, u.name, \
             u.nickname::text AS nickname, u.bio, {inserted} AS inserted, {updated} AS updated, \
             u.ap_id, u.avatar::text AS avatar, u.banner::text AS banner, u.local, \
             u.follower_address, u.following_address, u.featured_address, u.is_locked, \
             u.is_confirmed, u.is_active, u.is_approved, u.is_moderator, u.is_admin, u.uri, \
             u.emoji::text AS emoji, u.fields::text AS fields, u.raw_fields::text AS raw_fields, \
             u.is_discoverable, u.actor_type, u.inbox, u.shared_inbox, \
             array_to_json(u.also_known_as)::text AS also_known_as, u.default_scope, \
             u.registration_reason, u.language, u.accepts_direct_messages_from, \
             {last_active} AS last_active, k.key_id, k.public_key, k.private_key \
             FROM users u LEFT JOIN signing_keys k ON k.user_id = u.id \
             WHERE u.nickname IS NOT NULL ORDER BY u.local DESC, u.id",
            inserted = millis("u.inserted_at"),
            updated = millis("u.updated_at"),
            last_active = millis("u.last_active_at"),
        );
        let rows = sqlx::query(&sql).fetch_all(&self.source).await?;
        rows.iter()
            .map(|r| {
                Ok(UserRow {
                    id: r.try_get("id")?,
                    email: r.try_get("email")?,
                    password_hash: r.try_get("password_hash")?,
                    name: r.try_get("name")?,
                    nickname: r.try_get("nickname")?,
                    bio: r.try_get("bio")?,
                    inserted: r.try_get("inserted")?,
                    updated: r.try_get("updated")?,
                    ap_id: r.try_get("ap_id")?,
                    avatar: json(r.try_get("avatar")?),
                    banner: json(r.try_get("banner")?),
                    local: r.try_get("local")?,
                    follower_address: r.try_get("follower_address")?,
                    following_address: r.try_get("following_address")?,
                    featured_address: r.try_get("featured_address")?,
                    locked: r.try_get("is_locked")?,
                    confirmed: r.try_get("is_confirmed")?,
                    active: r.try_get("is_active")?,
                    approved: r.try_get("is_approved")?,
                    moderator: r.try_get("is_moderator")?,
                    admin: r.try_get("is_admin")?,
                    uri: r.try_get("uri")?,
                    emoji: json(r.try_get("emoji")?),
                    fields: json(r.try_get("fields")?),
                    raw_fields: json(r.try_get("raw_fields")?),
                    discoverable: r.try_get("is_discoverable")?,
                    actor_type: r.try_get("actor_type")?,
                    inbox: r.try_get("inbox")?,
                    shared_inbox: r.try_get("shared_inbox")?,
                    also_known_as: json(r.try_get("also_known_as")?),
                    default_scope: r.try_get("default_scope")?,
                    registration_reason: r.try_get("registration_reason")?,
                    language: r.try_get("language")?,
                    accepts_direct_messages_from: r.try_get("accepts_direct_messages_from")?,
                    last_active: r.try_get("last_active")?,
                    key_id: r.try_get("key_id")?,
                    public_key: r.try_get("public_key")?,
                    private_key: r.try_get("private_key")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(ImportError::from)
    }

    pub(crate) async fn import_accounts(&mut self) -> Result<(), ImportError> {
        let rows = self.user_rows().await?;
        self.progress.stage("accounts", rows.len() as u64);
        for row in rows {
            self.progress.advance();
            if row.local {
                self.import_local_user(row).await?;
            } else {
                self.import_remote_account(row).await?;
            }
        }
        self.progress.finish_stage();
        Ok(())
    }

    /// The account already in Rhizome under this actor id, if any.
    async fn existing_account(&self, ap_id: &str) -> Result<Option<Account>, ImportError> {
        match &self.core {
            Some(core) => Ok(core.store.account_by_uri(ap_id).await?),
            None => Ok(None),
        }
    }

    fn remember_account(&mut self, row: &UserRow, account: &Account) {
        self.user_ap_ids.insert(row.id.clone(), row.ap_id.clone());
        self.accounts.insert(
            row.ap_id.clone(),
            KnownAccount {
                id: account.id,
                local: row.local,
                followers_url: account.followers_url.clone(),
            },
        );
    }

    async fn import_local_user(&mut self, row: UserRow) -> Result<(), ImportError> {
        let username = match Username::parse_unreserved(&row.nickname) {
            Ok(name) => name,
            Err(err) => {
                self.skip(
                    KIND_LOCAL,
                    &row.nickname,
                    format!("the name is not valid here: {err}"),
                );
                return Ok(());
            }
        };
        let name = username.as_str();
        let urls = self.urls.clone();
        let (public_key_pem, private_key_pem) = match (&row.public_key, &row.private_key) {
            (Some(public), Some(private)) if keys::load_rsa_private_key(private).is_ok() => {
                (tidy_pem(public), tidy_pem(private))
            }
            _ => {
                // Without its private key the account cannot sign as before: a new pair is
                // the only way on, and remote servers will refetch the actor.
                let pair = keys::generate_rsa_2048()
                    .map_err(|e| ImportError::Refused(format!("key generation: {e}")))?;
                self.report.notes.push(format!(
                    "{name} had no usable private key in signing_keys: a new key pair was made"
                ));
                (pair.public_pem, pair.private_pem)
            }
        };
        let id =
            ids::from_flake(&row.id).unwrap_or_else(|| rhizome_model::Id::generate(row.inserted));
        let avatar = self.profile_image(&row.avatar).await;
        let header = self.profile_image(&row.banner).await;
        let raw_fields = fields(&row.raw_fields);
        let account = Account {
            id,
            username: name.to_owned(),
            domain: None,
            display_name: row.name.clone().unwrap_or_default(),
            note: rhizome_core::text::sanitize_remote_html(&row.bio, 64 * 1024),
            uri: row.ap_id.clone(),
            url: Some(urls.profile(name)),
            inbox_url: Some(urls.inbox(name)),
            shared_inbox_url: Some(urls.shared_inbox()),
            outbox_url: Some(urls.outbox(name)),
            followers_url: Some(urls.followers(name)),
            following_url: Some(urls.following(name)),
            featured_url: Some(urls.featured(name)),
            public_key_id: Some(row.key_id.clone().unwrap_or_else(|| urls.key_id(name))),
            public_key_pem,
            actor_type: "Person".into(),
            locked: row.locked,
            bot: matches!(row.actor_type.as_str(), "Service" | "Application"),
            discoverable: row.discoverable,
            avatar_url: avatar,
            header_url: header,
            fields: if raw_fields.is_empty() {
                fields(&row.fields)
            } else {
                raw_fields
            },
            also_known_as: crate::source::strings(&row.also_known_as),
            moved_to_account_id: None,
            suspended_at: (!row.active).then_some(Timestamp(row.updated)),
            emojis: emojis(&row.emoji),
            fetched_at: None,
            created_at: Timestamp(row.inserted),
            updated_at: Timestamp(row.updated),
        };
        let role = if row.admin {
            Role::Admin
        } else if row.moderator {
            Role::Moderator
        } else {
            Role::User
        };
        let email = match &row.email {
            Some(email) if !email.is_empty() => email.clone(),
            _ => {
                self.report.notes.push(format!(
                    "{name} had no e-mail address: it was given {name}@{}.invalid, to change",
                    urls.base().rsplit('/').next().unwrap_or("localhost")
                ));
                format!(
                    "{name}@{}.invalid",
                    urls.base().rsplit('/').next().unwrap_or("localhost")
                )
            }
        };
        let password_hash = match &row.password_hash {
            Some(hash) if !hash.is_empty() => hash.clone(),
            _ => {
                self.report.notes.push(format!(
                    "{name} had no password (a sign-in through another provider): it needs a \
                     reset (`rhizome admin user reset-password {name}`)"
                ));
                // Matches no password.
                "!".to_owned()
            }
        };
        let user = LocalUser {
            account,
            email,
            password_hash,
            role,
            private_key_pem,
            approved: row.approved,
            registration_reason: row.registration_reason.clone(),
            locale: row
                .language
                .clone()
                .filter(|l| !l.is_empty() && l.len() <= 16)
                .unwrap_or_else(|| "en".into()),
            created_at: Timestamp(row.inserted),
            last_sign_in_at: row.last_active.map(Timestamp),
        };
        if let Some(existing) = self.existing_account(&row.ap_id).await? {
            self.remember_account(&row, &existing);
            self.outcome(KIND_LOCAL, false);
            return Ok(());
        }
        if let Some(core) = self.core.clone() {
            match core.store.import_local_user(&user, !row.confirmed).await {
                Ok(true) => {}
                Ok(false) => {
                    self.skip(
                        KIND_LOCAL,
                        name,
                        "its id or name is taken by another account",
                    );
                    return Ok(());
                }
                Err(rhizome_store::StoreError::Conflict(why)) => {
                    self.skip(KIND_LOCAL, name, why);
                    return Ok(());
                }
                Err(err) => return Err(err.into()),
            }
            let now = self.now;
            let visibility = match row.default_scope.as_deref() {
                Some("unlisted") => Some(Visibility::Unlisted),
                Some("private") => Some(Visibility::Private),
                Some("direct") => Some(Visibility::Direct),
                Some("local") => Some(Visibility::Local),
                _ => None,
            };
            if let Some(visibility) = visibility {
                let defaults = PostingDefaults {
                    visibility,
                    sensitive: false,
                    language: None,
                };
                core.store
                    .set_posting_defaults(user.account.id, &defaults, now)
                    .await?;
            }
            if let Some(from @ ("people_i_follow" | "nobody")) =
                row.accepts_direct_messages_from.as_deref()
            {
                core.store
                    .set_direct_message_preference(user.account.id, from, now)
                    .await?;
            }
        }
        self.remember_account(&row, &user.account);
        self.outcome(KIND_LOCAL, true);
        Ok(())
    }

    async fn import_remote_account(&mut self, row: UserRow) -> Result<(), ImportError> {
        let (username, domain) = match row.nickname.split_once('@') {
            Some((user, domain)) if !user.is_empty() && !domain.is_empty() => {
                (user.to_owned(), domain.to_lowercase())
            }
            _ => {
                let host = url::Url::parse(&row.ap_id)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned));
                match host {
                    Some(host) => (row.nickname.clone(), host),
                    None => {
                        self.skip(KIND_REMOTE, &row.ap_id, "no domain in its name or actor id");
                        return Ok(());
                    }
                }
            }
        };
        if let Some(existing) = self.existing_account(&row.ap_id).await? {
            self.remember_account(&row, &existing);
            self.outcome(KIND_REMOTE, false);
            return Ok(());
        }
        let Some(public_key_pem) = row.public_key.as_deref().map(tidy_pem) else {
            // The key is fetched with the actor when it is first needed.
            self.report.notes.push(format!(
                "{} had no public key stored: it is fetched on first use",
                row.ap_id
            ));
            return self
                .store_remote(row, username, domain, String::new())
                .await;
        };
        self.store_remote(row, username, domain, public_key_pem)
            .await
    }

    async fn store_remote(
        &mut self,
        row: UserRow,
        username: String,
        domain: String,
        public_key_pem: String,
    ) -> Result<(), ImportError> {
        let account = Account {
            id: ids::from_flake(&row.id)
                .unwrap_or_else(|| rhizome_model::Id::generate(row.inserted)),
            username,
            domain: Some(domain),
            display_name: row.name.clone().unwrap_or_default(),
            note: rhizome_core::text::sanitize_remote_html(&row.bio, 64 * 1024),
            uri: row.ap_id.clone(),
            url: row.uri.clone(),
            inbox_url: row.inbox.clone(),
            shared_inbox_url: row.shared_inbox.clone(),
            outbox_url: Some(format!("{}/outbox", row.ap_id)),
            followers_url: row.follower_address.clone(),
            following_url: row.following_address.clone(),
            featured_url: row.featured_address.clone(),
            public_key_id: row.key_id.clone(),
            public_key_pem,
            actor_type: row.actor_type.clone(),
            locked: row.locked,
            bot: matches!(row.actor_type.as_str(), "Service" | "Application"),
            discoverable: row.discoverable,
            avatar_url: first_href(&row.avatar["url"]),
            header_url: first_href(&row.banner["url"]),
            fields: fields(&row.fields)
                .into_iter()
                .map(|f| ProfileField {
                    value: rhizome_core::text::sanitize_remote_html(&f.value, 4096),
                    ..f
                })
                .collect(),
            also_known_as: crate::source::strings(&row.also_known_as),
            moved_to_account_id: None,
            suspended_at: None,
            emojis: emojis(&row.emoji),
            fetched_at: Some(Timestamp(row.updated)),
            created_at: Timestamp(row.inserted),
            updated_at: Timestamp(row.updated),
        };
        let stored = match &self.core {
            Some(core) => match core.store.upsert_remote_account(&account).await {
                Ok(stored) => stored,
                Err(rhizome_store::StoreError::Conflict(why)) => {
                    self.skip(KIND_REMOTE, &row.ap_id, why);
                    return Ok(());
                }
                Err(err) => return Err(err.into()),
            },
            None => account,
        };
        self.remember_account(&row, &stored);
        self.outcome(KIND_REMOTE, true);
        Ok(())
    }

    /// A local avatar or header: copied from the uploads folder when it is there, else its
    /// address as Akkoma served it.
    async fn profile_image(&mut self, image: &Value) -> Option<String> {
        let href = first_href(&image["url"])?;
        match self.copy_upload(&href).await {
            Some((key, _)) => self.core.as_ref().map(|core| core.media_url(&key)),
            None => Some(href),
        }
    }
}
