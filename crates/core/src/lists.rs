//! Lists of followed accounts with their own timelines, and read markers.

use rhizome_model::{Account, Id, LocalUser};
use rhizome_store::{FollowTable, List, Marker, Page, PageRequest, RepliesPolicy};

use crate::views::StatusView;
use crate::{Core, CoreError};

/// The timelines a marker may be set for.
pub const MARKER_TIMELINES: [&str; 2] = ["home", "notifications"];

/// What a user sets on a list; `None` keeps the current value (or the default on creation).
#[derive(Debug, Clone, Default)]
pub struct ListSettings {
    pub title: Option<String>,
    pub replies_policy: Option<String>,
    pub exclusive: Option<bool>,
}

fn title(text: &str) -> Result<String, CoreError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 100 {
        return Err(CoreError::invalid(
            "title can't be blank or longer than 100 characters",
        ));
    }
    Ok(text.to_owned())
}

fn policy(text: Option<&str>, default: RepliesPolicy) -> Result<RepliesPolicy, CoreError> {
    match text {
        None | Some("") => Ok(default),
        Some(text) => RepliesPolicy::parse(text)
            .ok_or_else(|| CoreError::invalid("replies_policy must be followed, list or none")),
    }
}

impl Core {
    pub async fn create_list(
        &self,
        user: &LocalUser,
        settings: ListSettings,
    ) -> Result<List, CoreError> {
        let now = self.clock.now();
        let list = List {
            id: Id::generate(now.0),
            account_id: user.account.id,
            title: title(settings.title.as_deref().unwrap_or(""))?,
            replies_policy: policy(settings.replies_policy.as_deref(), RepliesPolicy::List)?,
            exclusive: settings.exclusive.unwrap_or(false),
            created_at: now,
        };
        self.store.create_list(&list).await?;
        Ok(list)
    }

    pub async fn own_list(&self, user: &LocalUser, id: Id) -> Result<List, CoreError> {
        self.store
            .list(user.account.id, id)
            .await?
            .ok_or(CoreError::NotFound)
    }

    pub async fn update_list(
        &self,
        user: &LocalUser,
        id: Id,
        settings: ListSettings,
    ) -> Result<List, CoreError> {
        let mut list = self.own_list(user, id).await?;
        if let Some(text) = settings.title.as_deref() {
            list.title = title(text)?;
        }
        list.replies_policy = policy(settings.replies_policy.as_deref(), list.replies_policy)?;
        if let Some(exclusive) = settings.exclusive {
            list.exclusive = exclusive;
        }
        self.store.update_list(&list).await?;
        Ok(list)
    }

    pub async fn delete_list(&self, user: &LocalUser, id: Id) -> Result<(), CoreError> {
        if self.store.delete_list(user.account.id, id).await? {
            Ok(())
        } else {
            Err(CoreError::NotFound)
        }
    }

    /// The user's lists, or those that contain `member`.
    pub async fn lists(
        &self,
        user: &LocalUser,
        member: Option<Id>,
    ) -> Result<Vec<List>, CoreError> {
        Ok(self.store.lists_of(user.account.id, member).await?)
    }

    /// Adds accounts to a list; as on Mastodon, only accounts the user follows.
    pub async fn add_to_list(
        &self,
        user: &LocalUser,
        id: Id,
        accounts: &[Id],
    ) -> Result<(), CoreError> {
        let list = self.own_list(user, id).await?;
        for account in accounts {
            if self
                .store
                .follow_between(FollowTable::Follows, user.account.id, *account)
                .await?
                .is_none()
            {
                return Err(CoreError::invalid(
                    "You must follow an account to add it to a list",
                ));
            }
        }
        Ok(self.store.add_list_members(list.id, accounts).await?)
    }

    pub async fn remove_from_list(
        &self,
        user: &LocalUser,
        id: Id,
        accounts: &[Id],
    ) -> Result<(), CoreError> {
        let list = self.own_list(user, id).await?;
        Ok(self.store.remove_list_members(list.id, accounts).await?)
    }

    pub async fn list_members(
        &self,
        user: &LocalUser,
        id: Id,
        page: &PageRequest,
    ) -> Result<Page<Account>, CoreError> {
        let list = self.own_list(user, id).await?;
        Ok(self.store.list_members(list.id, page).await?)
    }

    pub async fn list_timeline(
        &self,
        user: &LocalUser,
        id: Id,
        page: &PageRequest,
    ) -> Result<Page<StatusView>, CoreError> {
        let list = self.own_list(user, id).await?;
        let found = self.store.list_timeline(&list, page).await?;
        let views = self
            .status_views(found.items, Some(user.account.id))
            .await?;
        let views = self
            .apply_filters(Some(user.account.id), "home", views)
            .await?;
        Ok(Page {
            items: views,
            newest_id: found.newest_id,
            oldest_id: found.oldest_id,
        })
    }

    pub async fn markers(&self, user: &LocalUser) -> Result<Vec<Marker>, CoreError> {
        Ok(self.store.markers(user.account.id).await?)
    }

    pub async fn set_marker(
        &self,
        user: &LocalUser,
        timeline: &str,
        last_read_id: Id,
    ) -> Result<(), CoreError> {
        if !MARKER_TIMELINES.contains(&timeline) {
            return Err(CoreError::invalid("timeline must be home or notifications"));
        }
        Ok(self
            .store
            .set_marker(user.account.id, timeline, last_read_id, self.clock.now())
            .await?)
    }
}
