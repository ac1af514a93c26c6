//! Timelines: lists of statuses a viewer may see, newest first, with keyset pagination.

use rhizome_model::{Id, Status, Timestamp};
use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::statuses::{STATUS_COLUMNS, map_status, push_visible_to};
use crate::{Page, PageRequest, Store, StoreError, with_pool};

/// Which public statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PublicFilter {
    pub local_only: bool,
    pub remote_only: bool,
    pub only_media: bool,
}

/// Which hashtags a tag timeline wants: any of `any`, all of `all`, none of `none`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagFilter {
    pub any: Vec<String>,
    pub all: Vec<String>,
    pub none: Vec<String>,
}

/// Which statuses of one account (`GET /api/v1/accounts/:id/statuses`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountStatusFilter {
    pub pinned: bool,
    pub exclude_replies: bool,
    pub exclude_reblogs: bool,
    pub only_media: bool,
    pub tagged: Option<String>,
}

/// Hides what the viewer blocked or muted: the author, a boosted author, a blocked domain.
fn push_hidden_for<'a, DB>(query: &mut QueryBuilder<'a, DB>, viewer: Option<Id>, now: Timestamp)
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
{
    query.push(" AND NOT EXISTS (SELECT 1 FROM accounts au WHERE au.id = s.account_id AND au.suspended_at IS NOT NULL)");
    let Some(viewer) = viewer else { return };
    query.push(" AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ");
    query.push_bind(viewer.0);
    query.push(" AND b.target_account_id = s.account_id)");
    query.push(" AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = ");
    query.push_bind(viewer.0);
    query.push(" AND (m.expires_at IS NULL OR m.expires_at > ");
    query.push_bind(now.0);
    query.push(
        ") AND (m.target_account_id = s.account_id OR m.target_account_id = \
                (SELECT r.account_id FROM statuses r WHERE r.id = s.reblog_of_id)))",
    );
    query.push(" AND NOT EXISTS (SELECT 1 FROM account_domain_blocks d JOIN accounts ad ON ad.id = s.account_id \
                WHERE d.account_id = ");
    query.push_bind(viewer.0);
    query.push(" AND ad.domain IS NOT NULL AND lower(ad.domain) = d.domain)");
}

impl Store {
    /// The viewer's home timeline: their own posts and what their follows posted or boosted.
    pub async fn home_timeline(
        &self,
        viewer: Id,
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<Status>, StoreError> {
        let head = format!(
            "SELECT {STATUS_COLUMNS} FROM home_feed h JOIN statuses s ON s.id = h.status_id WHERE h.account_id = "
        );
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(viewer.0);
            push_hidden_for(&mut query, Some(viewer), now);
            // Members of the viewer's exclusive lists are read in those lists only.
            query.push(
                " AND NOT EXISTS (SELECT 1 FROM list_accounts la JOIN lists l ON l.id = la.list_id \
                 WHERE l.exclusive = TRUE AND la.account_id = s.account_id AND s.account_id <> ",
            );
            query
                .push_bind(viewer.0)
                .push(" AND l.account_id = ")
                .push_bind(viewer.0)
                .push(")");
            // Boosts from accounts whose boosts the viewer turned off.
            query.push(" AND NOT (s.reblog_of_id IS NOT NULL AND EXISTS (SELECT 1 FROM follows f WHERE f.account_id = ");
            query.push_bind(viewer.0);
            query.push(" AND f.target_account_id = s.account_id AND f.show_reblogs = FALSE))");
            page.push_keyset(&mut query, "h.status_id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_status).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |s| s.id.0))
    }

    /// Public posts (no boosts): the federated or local timeline.
    pub async fn public_timeline(
        &self,
        viewer: Option<Id>,
        filter: PublicFilter,
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<Status>, StoreError> {
        // Local-only posts belong to the local timeline, and only for people who may see it.
        let visibilities = if filter.remote_only {
            "s.visibility = 'public'"
        } else {
            "(s.visibility = 'public' OR s.visibility = 'local')"
        };
        let head = format!(
            "SELECT {STATUS_COLUMNS} FROM statuses s WHERE {visibilities} AND s.reblog_of_id IS NULL"
        );
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            if filter.local_only {
                query.push(" AND s.local = TRUE");
            }
            if filter.remote_only {
                query.push(" AND s.local = FALSE");
            }
            if filter.only_media {
                query.push(
                    " AND EXISTS (SELECT 1 FROM media_attachments ma WHERE ma.status_id = s.id)",
                );
            }
            push_hidden_for(&mut query, viewer, now);
            // Limited (silenced) accounts reach public timelines only of their followers.
            query.push(
                " AND NOT EXISTS (SELECT 1 FROM accounts sl WHERE sl.id = s.account_id \
                 AND sl.silenced_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM follows fs \
                 WHERE fs.target_account_id = s.account_id AND fs.account_id = ",
            );
            query.push_bind(viewer.map_or(0, |v| v.0));
            query.push("))");
            if let Some(viewer) = viewer {
                query.push(" AND NOT EXISTS (SELECT 1 FROM blocks b2 WHERE b2.account_id = s.account_id AND b2.target_account_id = ");
                query.push_bind(viewer.0);
                query.push(")");
            }
            page.push_keyset(&mut query, "s.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_status).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |s| s.id.0))
    }

    /// Public posts with any of `any` tags, all of `all`, none of `none`.
    pub async fn tag_timeline(
        &self,
        viewer: Option<Id>,
        tags: &TagFilter,
        filter: PublicFilter,
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<Status>, StoreError> {
        let head = format!(
            "SELECT {STATUS_COLUMNS} FROM statuses s WHERE (s.visibility = 'public' OR s.visibility = 'local') \
             AND s.reblog_of_id IS NULL"
        );
        let has_tag = " EXISTS (SELECT 1 FROM status_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id = s.id AND lower(t.name) = lower(";
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            let (any, all, none) = (&tags.any, &tags.all, &tags.none);
            if !any.is_empty() {
                query.push(" AND (");
                for (i, tag) in any.iter().enumerate() {
                    if i > 0 {
                        query.push(" OR");
                    }
                    query.push(has_tag).push_bind(tag.clone()).push("))");
                }
                query.push(")");
            }
            for tag in all {
                query
                    .push(" AND")
                    .push(has_tag)
                    .push_bind(tag.clone())
                    .push("))");
            }
            for tag in none {
                query
                    .push(" AND NOT")
                    .push(has_tag)
                    .push_bind(tag.clone())
                    .push("))");
            }
            if filter.local_only {
                query.push(" AND s.local = TRUE");
            }
            if filter.remote_only {
                query.push(" AND s.local = FALSE");
            }
            if filter.only_media {
                query.push(
                    " AND EXISTS (SELECT 1 FROM media_attachments ma WHERE ma.status_id = s.id)",
                );
            }
            push_hidden_for(&mut query, viewer, now);
            page.push_keyset(&mut query, "s.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_status).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |s| s.id.0))
    }

    /// One account's statuses that `viewer` may see.
    pub async fn account_statuses(
        &self,
        account_id: Id,
        viewer: Option<Id>,
        filter: &AccountStatusFilter,
        page: &PageRequest,
    ) -> Result<Page<Status>, StoreError> {
        let head = format!("SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.account_id = ");
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(account_id.0);
            push_visible_to(&mut query, viewer);
            if filter.pinned {
                query.push(" AND EXISTS (SELECT 1 FROM pins p WHERE p.status_id = s.id AND p.account_id = s.account_id)");
            }
            if filter.exclude_replies {
                // Replies to oneself (threads) stay, as on Mastodon.
                query.push(
                    " AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id)",
                );
            }
            if filter.exclude_reblogs {
                query.push(" AND s.reblog_of_id IS NULL");
            }
            if filter.only_media {
                query.push(
                    " AND EXISTS (SELECT 1 FROM media_attachments ma WHERE ma.status_id = s.id)",
                );
            }
            if let Some(tag) = &filter.tagged {
                query.push(
                    " AND EXISTS (SELECT 1 FROM status_tags st JOIN tags t ON t.id = st.tag_id \
                            WHERE st.status_id = s.id AND lower(t.name) = lower(",
                );
                query.push_bind(tag.clone());
                query.push("))");
            }
            page.push_keyset(&mut query, "s.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_status).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |s| s.id.0))
    }

    /// A local account's public posts, for its outbox.
    pub async fn outbox_statuses(
        &self,
        account_id: Id,
        page: &PageRequest,
    ) -> Result<Page<Status>, StoreError> {
        self.account_statuses(
            account_id,
            None,
            &AccountStatusFilter {
                exclude_reblogs: false,
                ..Default::default()
            },
            page,
        )
        .await
        .map(|page| Page {
            items: page
                .items
                .into_iter()
                .filter(|s| s.visibility != rhizome_model::Visibility::Local)
                .collect(),
            ..page
        })
    }
}

impl Store {
    /// Whether a status is in an account's home timeline.
    pub async fn in_home_feed(&self, account_id: Id, status_id: Id) -> Result<bool, StoreError> {
        with_pool!(self, read, |pool| {
            let found: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM home_feed WHERE account_id = $1 AND status_id = $2",
            )
            .bind(account_id.0)
            .bind(status_id.0)
            .fetch_optional(pool)
            .await?;
            Ok(found.is_some())
        })
    }
}

impl Store {
    /// Which of `account_ids` already have `status_id`, or a boost of it other than
    /// `except`, in their home timeline.
    pub async fn home_feeds_with(
        &self,
        status_id: Id,
        except: Id,
        account_ids: &[Id],
    ) -> Result<Vec<Id>, StoreError> {
        if account_ids.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(self, read, |pool| {
            let mut query =
                QueryBuilder::new("SELECT DISTINCT account_id FROM home_feed WHERE (status_id = ");
            query.push_bind(status_id.0);
            query.push(" OR status_id IN (SELECT id FROM statuses WHERE reblog_of_id = ");
            query
                .push_bind(status_id.0)
                .push(" AND id <> ")
                .push_bind(except.0);
            query.push(")) AND ");
            crate::statuses::push_column_in(&mut query, "account_id", account_ids);
            let ids: Vec<i64> = query.build_query_scalar().fetch_all(pool).await?;
            Ok(ids.into_iter().map(Id).collect())
        })
    }
}

impl Store {
    /// The bubble timeline (Akkoma): public posts from this instance and from `domains`.
    pub async fn bubble_timeline(
        &self,
        viewer: Option<Id>,
        domains: &[String],
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<Status>, StoreError> {
        let head = format!(
            "SELECT {STATUS_COLUMNS} FROM statuses s JOIN accounts au2 ON au2.id = s.account_id \
             WHERE (s.visibility = 'public' OR (s.visibility = 'local' AND s.local = TRUE)) \
             AND s.reblog_of_id IS NULL AND (s.local = TRUE"
        );
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            if !domains.is_empty() {
                query.push(" OR lower(au2.domain) IN (");
                let mut list = query.separated(", ");
                for domain in domains {
                    list.push_bind(domain.to_lowercase());
                }
                query.push(")");
            }
            query.push(")");
            push_hidden_for(&mut query, viewer, now);
            page.push_keyset(&mut query, "s.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_status).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |s| s.id.0))
    }

    /// The accepted quotes of a status, newest first, without those `viewer` hides (blocks,
    /// mutes, domain blocks) or whose author is suspended.
    pub async fn quotes_of(
        &self,
        quoted_id: Id,
        viewer: Option<Id>,
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<Status>, StoreError> {
        let head = format!(
            "SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.quote_state = 'accepted' \
             AND s.reblog_of_id IS NULL AND s.quote_of_id = "
        );
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(quoted_id.0);
            push_hidden_for(&mut query, viewer, now);
            page.push_keyset(&mut query, "s.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_status).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |s| s.id.0))
    }
}
