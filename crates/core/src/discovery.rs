//! Featured hashtags and endorsed accounts on profiles, and whom to follow.

use rhizome_model::{Account, Id, LocalUser, Relationship};
use rhizome_store::{FeaturedTag, FollowTable, Page, PageRequest, SuggestionSource, TagInfo};

use crate::{Core, CoreError};

/// Mastodon's limit, announced as `max_featured_tags` in `/api/v2/instance`.
pub const MAX_FEATURED_TAGS: i64 = 10;
/// How many hashtags `featured_tags/suggestions` offers.
const TAG_SUGGESTIONS: u32 = 10;
/// A local account counts as active for suggestions when it posted in this many days.
const ACTIVE_DAYS: i64 = 30;

/// A hashtag name as Mastodon accepts it: letters, digits and `_`, at least one letter.
fn hashtag(name: &str) -> Result<&str, CoreError> {
    let name = name.trim().trim_start_matches('#');
    if name.is_empty()
        || name.chars().count() > 100
        || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
        || !name.chars().any(char::is_alphabetic)
    {
        return Err(CoreError::invalid("Tag is invalid"));
    }
    Ok(name)
}

impl Core {
    /// Features a hashtag on the user's profile (at most [`MAX_FEATURED_TAGS`]).
    pub async fn feature_tag(
        &self,
        user: &LocalUser,
        name: &str,
    ) -> Result<FeaturedTag, CoreError> {
        let name = hashtag(name)?;
        let now = self.clock.now();
        let tag = self
            .store
            .ensure_tag(Id::generate(now.0), name, now)
            .await?;
        Ok(self
            .store
            .add_featured_tag(
                Id::generate(now.0),
                user.account.id,
                tag,
                MAX_FEATURED_TAGS,
                now,
            )
            .await?)
    }

    /// `POST /api/v1/tags/:name/feature` and `/unfeature` (Mastodon 4.4): features a
    /// hashtag on the profile, or stops, by name; featuring twice changes nothing.
    pub async fn set_tag_featured(
        &self,
        user: &LocalUser,
        name: &str,
        feature: bool,
    ) -> Result<TagInfo, CoreError> {
        let name = hashtag(name)?;
        let current = self
            .store
            .featured_tags(user.account.id)
            .await?
            .into_iter()
            .find(|t| t.name.to_lowercase() == name.to_lowercase());
        match (feature, current) {
            (true, None) => {
                self.feature_tag(user, name).await?;
            }
            (false, Some(featured)) => {
                self.unfeature_tag(user, featured.id).await?;
            }
            _ => {}
        }
        if !feature {
            // Unfeaturing a tag nobody used still answers with the tag.
            let now = self.clock.now();
            self.store
                .ensure_tag(Id::generate(now.0), name, now)
                .await?;
        }
        self.tag(name, Some(user.account.id)).await
    }

    pub async fn unfeature_tag(&self, user: &LocalUser, id: Id) -> Result<(), CoreError> {
        if self.store.remove_featured_tag(user.account.id, id).await? {
            Ok(())
        } else {
            Err(CoreError::NotFound)
        }
    }

    /// The hashtags an account features (404 for an unknown or suspended account).
    pub async fn featured_tags(&self, account_id: Id) -> Result<Vec<FeaturedTag>, CoreError> {
        self.visible_account(account_id).await?;
        Ok(self.store.featured_tags(account_id).await?)
    }

    /// The user's most used hashtags that they do not feature yet, with their week of use.
    pub async fn featured_tag_suggestions(
        &self,
        user: &LocalUser,
    ) -> Result<Vec<TagInfo>, CoreError> {
        let names = self
            .store
            .most_used_tags(user.account.id, TAG_SUGGESTIONS)
            .await?;
        let mut tags = Vec::with_capacity(names.len());
        for name in names {
            tags.push(self.tag(&name, Some(user.account.id)).await?);
        }
        Ok(tags)
    }

    /// Endorses (features on the profile) an account the user follows, as Mastodon allows.
    pub async fn endorse(&self, user: &LocalUser, target: Id) -> Result<Relationship, CoreError> {
        let me = user.account.id;
        self.visible_account(target).await?;
        if self
            .store
            .follow_between(FollowTable::Follows, me, target)
            .await?
            .is_none()
        {
            return Err(CoreError::invalid(
                "You must be following this account to endorse it",
            ));
        }
        let now = self.clock.now();
        self.store
            .endorse(Id::generate(now.0), me, target, now)
            .await?;
        self.relationship(me, target).await
    }

    pub async fn unendorse(&self, user: &LocalUser, target: Id) -> Result<Relationship, CoreError> {
        self.visible_account(target).await?;
        self.store.unendorse(user.account.id, target).await?;
        self.relationship(user.account.id, target).await
    }

    /// The accounts `account_id` endorses (404 for an unknown or suspended account).
    pub async fn endorsements(
        &self,
        account_id: Id,
        page: &PageRequest,
    ) -> Result<Page<Account>, CoreError> {
        self.visible_account(account_id).await?;
        Ok(self.store.endorsements(account_id, page).await?)
    }

    /// Whom `user` might follow: accounts followed by those they follow, the most shared
    /// first, then active, discoverable local accounts.
    pub async fn follow_suggestions(
        &self,
        user: &LocalUser,
        limit: u32,
    ) -> Result<Vec<(Account, SuggestionSource)>, CoreError> {
        let now = self.clock.now();
        let since = rhizome_model::Timestamp(now.0 - ACTIVE_DAYS * 86_400_000);
        Ok(self
            .store
            .suggestions(user.account.id, limit, since, now)
            .await?)
    }

    /// Keeps an account out of the user's suggestions. Like Mastodon, unknown ids succeed.
    pub async fn dismiss_suggestion(&self, user: &LocalUser, target: Id) -> Result<(), CoreError> {
        if self.store.account(target).await?.is_none() {
            return Ok(());
        }
        Ok(self
            .store
            .dismiss_suggestion(user.account.id, target, self.clock.now())
            .await?)
    }
}
