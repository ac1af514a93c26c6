//! What the ActivityPub endpoints serve: local objects, activities and collections.

use rhizome_federation::vocab::outgoing::ActivityType;
use rhizome_model::{Account, Status, Timestamp, Visibility};
use rhizome_store::{AccountStatusFilter, FollowTable, Page, PageRequest};
use serde_json::Value;

use super::ap::{activity, url};
use crate::{Core, CoreError};

/// A local object by its id: a Note, or the time it was deleted.
pub enum LocalObject {
    /// A Note, or a Question for a poll.
    Note(Box<Value>),
    Gone(Timestamp),
}

fn publicly_visible(status: &Status) -> bool {
    matches!(status.visibility, Visibility::Public | Visibility::Unlisted)
}

impl Core {
    /// A local public or unlisted status as a Note, by its id; deleted ones say when.
    pub async fn local_object(&self, uri: &str) -> Result<LocalObject, CoreError> {
        if let Some(deleted_at) = self.store.tombstone(uri).await? {
            return Ok(LocalObject::Gone(deleted_at));
        }
        let status = self
            .store
            .status_by_uri(uri)
            .await?
            .ok_or(CoreError::NotFound)?;
        if !status.local || !publicly_visible(&status) || status.is_reblog() {
            return Err(CoreError::NotFound);
        }
        Ok(LocalObject::Note(Box::new(
            self.status_document(&status).await?,
        )))
    }

    /// A local status by its database id (`/notice/:id`), if public or unlisted.
    pub async fn local_status_uri(&self, id: rhizome_model::Id) -> Result<String, CoreError> {
        let status = self.store.status(id).await?.ok_or(CoreError::NotFound)?;
        if !status.local || !publicly_visible(&status) || status.is_reblog() {
            return Err(CoreError::NotFound);
        }
        Ok(status.uri)
    }

    /// The local status a `/notice/{id}` URL names: one of our ids, or the base-62 id of a
    /// post imported from Akkoma (whose old `/notice/…` address is kept as its `url`).
    pub async fn notice_status_id(&self, id: &str) -> Result<rhizome_model::Id, CoreError> {
        if let Ok(own) = id.parse::<rhizome_model::Id>()
            && let Some(status) = self.store.status(own).await?
            && status.local
        {
            return Ok(status.id);
        }
        let valid =
            !id.is_empty() && id.len() <= 32 && id.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid {
            return Err(CoreError::NotFound);
        }
        let url = format!("{}/notice/{id}", self.urls.base());
        match self.store.status_by_uri(&url).await? {
            Some(status) if status.local && status.url.as_deref() == Some(url.as_str()) => {
                Ok(status.id)
            }
            _ => Err(CoreError::NotFound),
        }
    }

    /// An activity we sent, if what it carries is public.
    pub async fn public_activity(&self, uri: &str) -> Result<Value, CoreError> {
        let stored = self
            .store
            .outbox_activity_by_uri(uri)
            .await?
            .ok_or(CoreError::NotFound)?;
        let payload: Value = serde_json::from_str(&stored.payload)
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let object_id = match &payload["object"] {
            Value::String(id) => Some(id.clone()),
            Value::Object(object) => object.get("id").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        };
        let public = match stored.kind.as_str() {
            "Create" | "Update" | "Announce" => match object_id {
                Some(id) => match self.store.status_by_uri(&id).await? {
                    Some(status) => publicly_visible(&status) || stored.kind == "Announce",
                    None => false,
                },
                None => false,
            },
            _ => false,
        };
        if public {
            Ok(payload)
        } else {
            Err(CoreError::NotFound)
        }
    }

    /// A page of a local account's outbox: Create and Announce activities, newest first.
    pub async fn outbox_page(
        &self,
        account: &Account,
        page: &PageRequest,
    ) -> Result<Page<Value>, CoreError> {
        let found = self
            .store
            .account_statuses(account.id, None, &AccountStatusFilter::default(), page)
            .await?;
        let mut items = Vec::new();
        for status in &found.items {
            if !publicly_visible(status) {
                continue;
            }
            let followers = self.urls.followers(&account.username);
            let (to, cc) = super::ap::addressing(status.visibility, &followers, &[])?;
            let item = match status.reblog_of_id {
                Some(original) => match self.store.status(original).await? {
                    Some(original) => activity(
                        ActivityType::Announce,
                        &status.uri,
                        &account.uri,
                        url(&original.uri)?,
                        to,
                        cc,
                    )?,
                    None => continue,
                },
                None => {
                    let note = self.status_document(status).await?;
                    let mut created = activity(
                        ActivityType::Create,
                        &format!("{}/activity", status.uri),
                        &account.uri,
                        note,
                        to,
                        cc,
                    )?;
                    if let Some(object) = created.as_object_mut() {
                        object.remove("@context");
                    }
                    created
                }
            };
            items.push(item);
        }
        Ok(Page {
            items,
            newest_id: found.newest_id,
            oldest_id: found.oldest_id,
        })
    }

    /// Ids of followers (`followers == true`) or followed accounts, newest first.
    pub async fn follow_collection_page(
        &self,
        account: &Account,
        followers: bool,
        page: &PageRequest,
    ) -> Result<Page<String>, CoreError> {
        let found = self
            .store
            .follow_list(FollowTable::Follows, account.id, followers, page)
            .await?;
        Ok(found.map(|a| a.uri))
    }

    /// How many followers, followed accounts and public posts an account has.
    pub async fn collection_totals(
        &self,
        account: &Account,
    ) -> Result<rhizome_store::AccountCounts, CoreError> {
        Ok(self
            .store
            .account_counts(&[account.id])
            .await?
            .remove(&account.id)
            .unwrap_or_default())
    }

    /// Pinned posts as Notes.
    pub async fn featured_notes(&self, account: &Account) -> Result<Vec<Value>, CoreError> {
        let filter = AccountStatusFilter {
            pinned: true,
            ..Default::default()
        };
        let pinned = self
            .store
            .account_statuses(account.id, None, &filter, &PageRequest::first(20))
            .await?;
        let mut notes = Vec::new();
        for status in pinned.items.iter().filter(|s| publicly_visible(s)) {
            notes.push(self.status_document(status).await?);
        }
        Ok(notes)
    }

    /// Featured hashtags as `Hashtag` objects, as Mastodon serves them.
    pub async fn featured_hashtags(&self, account: &Account) -> Result<Vec<Value>, CoreError> {
        let base = self.urls.base();
        Ok(self
            .store
            .featured_tags(account.id)
            .await?
            .iter()
            .map(|tag| {
                serde_json::json!({
                    "type": "Hashtag",
                    "href": format!("{base}/tags/{}", tag.name.to_lowercase()),
                    "name": format!("#{}", tag.name.to_lowercase()),
                })
            })
            .collect())
    }

    /// The local account called `name`, if it exists and is not suspended.
    pub async fn local_account_named(&self, name: &str) -> Result<Account, CoreError> {
        match self.store.account_by_acct(name, None).await? {
            Some(account) if account.suspended_at.is_none() => Ok(account),
            _ => Err(CoreError::NotFound),
        }
    }
}
