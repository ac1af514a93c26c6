//! Reading timelines as a viewer.

use rhizome_model::Id;
/// The filters of these reads, for the fronts that call them.
pub use rhizome_store::{AccountStatusFilter, PublicFilter, TagFilter};
use rhizome_store::{Page, PageRequest};

use crate::views::StatusView;
use crate::{Core, CoreError};

impl Core {
    async fn views_of(
        &self,
        page: Page<rhizome_model::Status>,
        viewer: Option<Id>,
        context: &str,
    ) -> Result<Page<StatusView>, CoreError> {
        let views = self.status_views(page.items, viewer).await?;
        let views = self.apply_filters(viewer, context, views).await?;
        Ok(Page {
            items: views,
            newest_id: page.newest_id,
            oldest_id: page.oldest_id,
        })
    }

    pub async fn home_timeline(
        &self,
        viewer: Id,
        page: &PageRequest,
    ) -> Result<Page<StatusView>, CoreError> {
        let found = self
            .store
            .home_timeline(viewer, self.clock.now(), page)
            .await?;
        self.views_of(found, Some(viewer), "home").await
    }

    /// Whether `viewer` may read the public and hashtag timelines: signed-in users always,
    /// visitors unless the instance keeps its timelines for its users.
    pub async fn may_read_public_timelines(&self, viewer: Option<Id>) -> Result<bool, CoreError> {
        if viewer.is_some() {
            return Ok(true);
        }
        Ok(self.settings().await?.public_timelines)
    }

    async fn check_public_timelines(&self, viewer: Option<Id>) -> Result<(), CoreError> {
        if self.may_read_public_timelines(viewer).await? {
            Ok(())
        } else {
            Err(CoreError::Unauthorized(
                "This method requires an authenticated user".to_owned(),
            ))
        }
    }

    pub async fn public_timeline(
        &self,
        viewer: Option<Id>,
        filter: PublicFilter,
        page: &PageRequest,
    ) -> Result<Page<StatusView>, CoreError> {
        self.check_public_timelines(viewer).await?;
        let found = self
            .store
            .public_timeline(viewer, filter, self.clock.now(), page)
            .await?;
        self.views_of(found, viewer, "public").await
    }

    pub async fn tag_timeline(
        &self,
        viewer: Option<Id>,
        tags: &TagFilter,
        filter: PublicFilter,
        page: &PageRequest,
    ) -> Result<Page<StatusView>, CoreError> {
        self.check_public_timelines(viewer).await?;
        let found = self
            .store
            .tag_timeline(viewer, tags, filter, self.clock.now(), page)
            .await?;
        self.views_of(found, viewer, "public").await
    }

    pub async fn account_statuses(
        &self,
        account_id: Id,
        viewer: Option<Id>,
        filter: &AccountStatusFilter,
        page: &PageRequest,
    ) -> Result<Page<StatusView>, CoreError> {
        self.visible_account(account_id).await?;
        if let Some(viewer) = viewer
            && self.relationship(viewer, account_id).await?.blocked_by
        {
            return Ok(Page {
                items: Vec::new(),
                newest_id: None,
                oldest_id: None,
            });
        }
        let found = self
            .store
            .account_statuses(account_id, viewer, filter, page)
            .await?;
        self.views_of(found, viewer, "account").await
    }

    /// Statuses the user favourited or bookmarked, newest mark first; the page ids are the marks'.
    pub async fn marked_statuses(
        &self,
        viewer: Id,
        mark: rhizome_store::Mark,
        page: &PageRequest,
    ) -> Result<Page<StatusView>, CoreError> {
        let marks = self.store.marked_status_ids(mark, viewer, page).await?;
        let views = self
            .visible_status_views(&marks.items, Some(viewer))
            .await?;
        Ok(Page {
            items: views,
            newest_id: marks.newest_id,
            oldest_id: marks.oldest_id,
        })
    }

    /// Akkoma's bubble timeline: local posts and those of the instances the admins chose.
    pub async fn bubble_timeline(
        &self,
        viewer: Option<Id>,
        page: &PageRequest,
    ) -> Result<Page<StatusView>, CoreError> {
        let domains = self.settings().await?.bubble_domains;
        let found = self
            .store
            .bubble_timeline(viewer, &domains, self.clock.now(), page)
            .await?;
        self.views_of(found, viewer, "public").await
    }

    /// The profile directory.
    pub async fn directory(
        &self,
        active: bool,
        local_only: bool,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<crate::views::AccountView>, CoreError> {
        let accounts = self
            .store
            .directory(active, local_only, limit, offset)
            .await?;
        self.account_views(accounts).await
    }

    /// Whether a status is in `viewer`'s home timeline (what the home stream shows).
    pub async fn in_home_feed(&self, viewer: Id, status_id: Id) -> Result<bool, CoreError> {
        Ok(self.store.in_home_feed(viewer, status_id).await?)
    }
}
