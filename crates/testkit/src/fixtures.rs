//! Named test data: accounts and statuses with every field filled, for store and core tests.

use rhizome_model::{Account, Id, LocalUser, Role, Status, Timestamp, Visibility};

pub const NOW: Timestamp = Timestamp(1_790_000_000_000);

/// A remote actor `name@domain`.
pub fn remote_account(id: i64, name: &str, domain: &str) -> Account {
    let uri = format!("https://{domain}/users/{name}");
    Account {
        id: Id(id),
        username: name.to_owned(),
        domain: Some(domain.to_owned()),
        display_name: name.to_uppercase(),
        note: String::new(),
        uri: uri.clone(),
        url: Some(format!("https://{domain}/@{name}")),
        inbox_url: Some(format!("{uri}/inbox")),
        shared_inbox_url: Some(format!("https://{domain}/inbox")),
        outbox_url: Some(format!("{uri}/outbox")),
        followers_url: Some(format!("{uri}/followers")),
        following_url: Some(format!("{uri}/following")),
        featured_url: None,
        public_key_id: Some(format!("{uri}#main-key")),
        public_key_pem: String::new(),
        actor_type: "Person".into(),
        locked: false,
        bot: false,
        discoverable: true,
        avatar_url: None,
        header_url: None,
        fields: vec![],
        also_known_as: vec![],
        moved_to_account_id: None,
        suspended_at: None,
        emojis: vec![],
        fetched_at: Some(NOW),
        created_at: NOW,
        updated_at: NOW,
    }
}

/// A local user `name` on `localhost:8080`.
pub fn local_user(id: i64, name: &str) -> LocalUser {
    let mut account = remote_account(id, name, "localhost:8080");
    account.domain = None;
    account.uri = format!("http://localhost:8080/users/{name}");
    account.url = Some(format!("http://localhost:8080/@{name}"));
    account.public_key_id = Some(format!("{}#main-key", account.uri));
    account.fetched_at = None;
    LocalUser {
        account,
        email: format!("{name}@example.org"),
        password_hash: "$argon2id$placeholder".into(),
        role: Role::User,
        private_key_pem: "private".into(),
        approved: true,
        registration_reason: None,
        locale: "en".into(),
        created_at: NOW,
        last_sign_in_at: None,
    }
}

/// A status by `account_id` at id `id` (its time is derived from the id order).
pub fn status(id: i64, account_id: i64, visibility: Visibility, local: bool) -> Status {
    let uri = format!("https://example.org/objects/{id}");
    Status {
        id: Id(id),
        uri: uri.clone(),
        url: Some(uri),
        account_id: Id(account_id),
        in_reply_to_id: None,
        in_reply_to_uri: None,
        in_reply_to_account_id: None,
        reblog_of_id: None,
        quote_of_id: None,
        quote_state: None,
        quote_authorization: None,
        quote_policy: None,
        conversation: Some(format!("https://example.org/contexts/{id}")),
        text: format!("status {id}"),
        content: format!("<p>status {id}</p>"),
        content_type: "text/plain".into(),
        spoiler_text: String::new(),
        sensitive: false,
        visibility,
        language: Some("en".into()),
        local,
        object_type: "Note".into(),
        title: None,
        application_id: None,
        created_at: Timestamp(NOW.0 + id),
        edited_at: None,
        updated_at: Timestamp(NOW.0 + id),
    }
}
