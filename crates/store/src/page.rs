//! Keyset pagination the way the Mastodon API does it: `max_id`, `since_id`, `min_id`, `limit`.
//!
//! Results are always returned newest first. `min_id` asks for the items right after it
//! (read oldest first, then reversed), `since_id` for the newest items after it.

use sqlx::{Database, Encode, QueryBuilder, Type};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: u32,
}

impl PageRequest {
    pub fn first(limit: u32) -> Self {
        PageRequest {
            max_id: None,
            since_id: None,
            min_id: None,
            limit,
        }
    }

    fn ascending(&self) -> bool {
        self.min_id.is_some()
    }

    /// Appends ` AND column < … AND column > … ORDER BY column … LIMIT …` to a query that
    /// already has a `WHERE` clause.
    pub(crate) fn push_keyset<'a, DB>(&self, query: &mut QueryBuilder<'a, DB>, column: &str)
    where
        DB: Database,
        i64: Encode<'a, DB> + Type<DB>,
    {
        if let Some(max_id) = self.max_id {
            query
                .push(format_args!(" AND {column} < "))
                .push_bind(max_id);
        }
        if let Some(lower) = self.min_id.into_iter().chain(self.since_id).max() {
            query
                .push(format_args!(" AND {column} > "))
                .push_bind(lower);
        }
        let direction = if self.ascending() { "ASC" } else { "DESC" };
        query.push(format_args!(" ORDER BY {column} {direction} LIMIT "));
        query.push_bind(i64::from(self.limit));
    }

    /// Puts rows read by [`push_keyset`](Self::push_keyset) in newest-first order.
    pub(crate) fn finish<T>(&self, mut items: Vec<T>, id_of: impl Fn(&T) -> i64) -> Page<T> {
        if self.ascending() {
            items.reverse();
        }
        let newest_id = items.first().map(&id_of);
        let oldest_id = items.last().map(&id_of);
        Page {
            items,
            newest_id,
            oldest_id,
        }
    }
}

/// One page of results, newest first, with the ids a `Link` header needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Goes into the `prev` link as `min_id`.
    pub newest_id: Option<i64>,
    /// Goes into the `next` link as `max_id`.
    pub oldest_id: Option<i64>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            newest_id: self.newest_id,
            oldest_id: self.oldest_id,
        }
    }
}
