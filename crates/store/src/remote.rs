//! Federation bookkeeping: remote accounts, deleted ids, activities sent and seen, the
//! reachability of other servers, and instance-level domain blocks.

use rhizome_model::{Account, Id, Timestamp};

use crate::accounts::{ACCOUNT_COLUMNS, INSERT_ACCOUNT, bind_account, map_account};
use crate::jobs::insert_job;
use crate::reader::with_reader;
use crate::row::Columns;
use crate::{NewJob, Page, PageRequest, Store, StoreError, begin_write, with_pool};

/// An activity we sent, stored once and delivered by id.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxActivity {
    pub id: Id,
    pub uri: String,
    pub account_id: Option<Id>,
    pub kind: String,
    pub payload: String,
    pub created_at: Timestamp,
}

/// What we know of another server's reachability.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InstanceHealth {
    pub domain: String,
    pub first_failure_at: Option<Timestamp>,
    pub last_failure_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    pub failures: i64,
}

/// An instance-level block of a domain.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainBlock {
    pub id: Id,
    /// `example.org` or `*.example.org`.
    pub domain: String,
    /// `suspend` (reject everything), `silence` or `noop`.
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    /// Shown partly hidden in public lists.
    pub obfuscate: bool,
    pub public_comment: String,
    pub private_comment: String,
    pub created_at: Timestamp,
}

/// A domain allowed to federate in allow-list mode.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainAllow {
    pub id: Id,
    pub domain: String,
    pub created_at: Timestamp,
}

/// An incoming activity kept for policy dry runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySample {
    pub id: Id,
    pub actor_id: Id,
    pub activity: String,
    pub received_at: Timestamp,
}

const DOMAIN_BLOCK_COLUMNS: &str = "id, domain, severity, reject_media, reject_reports, obfuscate, \
     public_comment, private_comment, created_at";

fn map_domain_block(row: &impl Columns) -> Result<DomainBlock, StoreError> {
    Ok(DomainBlock {
        id: Id(row.i64("id")?),
        domain: row.text("domain")?,
        severity: row.text("severity")?,
        reject_media: row.bool("reject_media")?,
        reject_reports: row.bool("reject_reports")?,
        obfuscate: row.bool("obfuscate")?,
        public_comment: row.text("public_comment")?,
        private_comment: row.text("private_comment")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

impl Store {
    /// Inserts or refreshes a remote actor by its ActivityPub id; returns the stored account
    /// (keeping its existing local id).
    pub async fn upsert_remote_account(&self, account: &Account) -> Result<Account, StoreError> {
        let a = account;
        let id: i64 = with_pool!(self, write, |pool| {
            let statement = format!(
                "{INSERT_ACCOUNT} ON CONFLICT (uri) DO UPDATE SET username = excluded.username, \
                 display_name = excluded.display_name, note = excluded.note, url = excluded.url, \
                 inbox_url = excluded.inbox_url, shared_inbox_url = excluded.shared_inbox_url, \
                 outbox_url = excluded.outbox_url, followers_url = excluded.followers_url, \
                 following_url = excluded.following_url, featured_url = excluded.featured_url, \
                 public_key_id = excluded.public_key_id, public_key_pem = excluded.public_key_pem, \
                 actor_type = excluded.actor_type, locked = excluded.locked, bot = excluded.bot, \
                 discoverable = excluded.discoverable, avatar_url = excluded.avatar_url, \
                 header_url = excluded.header_url, fields = excluded.fields, \
                 also_known_as = excluded.also_known_as, emojis = excluded.emojis, \
                 fetched_at = excluded.fetched_at, updated_at = excluded.updated_at \
                 WHERE accounts.domain IS NOT NULL RETURNING id"
            );
            bind_account!(sqlx::query_scalar(&statement), a)
                .fetch_optional(pool)
                .await
                .map_err(|e| match StoreError::violated_unique(&e) {
                    Some(_) => StoreError::Conflict("another account already has this name"),
                    None => StoreError::Database(e),
                })?
                // No row back: the id belongs to a local account, which remote data never changes.
                .ok_or(StoreError::Conflict(
                    "the actor id belongs to a local account",
                ))?
        });
        self.account(Id(id)).await?.ok_or(StoreError::NotFound)
    }

    /// Finds an account by `username` and `domain` (`None` for local), case-insensitively.
    pub async fn account_by_acct(
        &self,
        username: &str,
        domain: Option<&str>,
    ) -> Result<Option<Account>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE lower(a.username) = lower($1) \
             AND COALESCE(lower(a.domain), '') = lower($2)"
        );
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql)
                .bind(username)
                .bind(domain.unwrap_or(""))
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_account).transpose()
        })
    }

    /// Finds the account whose key has this id (`…#main-key`).
    ///
    /// Every signed request to an inbox asks this. `public_key_id` has no index, so the
    /// usual form, `ACTOR#fragment` (Mastodon, Akkoma, Misskey…), is first looked up by the
    /// actor's uri, which has one; other forms (GoToSocial's `ACTOR/main-key`) and misses
    /// fall back to a scan.
    pub async fn account_by_key_id(&self, key_id: &str) -> Result<Option<Account>, StoreError> {
        if let Some((actor, _)) = key_id.split_once('#') {
            let sql = format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.uri = $1 AND a.public_key_id = $2"
            );
            let found = with_pool!(self, read, |pool| {
                let row = sqlx::query(&sql)
                    .bind(actor)
                    .bind(key_id)
                    .fetch_optional(pool)
                    .await?;
                row.as_ref().map(map_account).transpose()?
            });
            if found.is_some() {
                return Ok(found);
            }
        }
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.public_key_id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(key_id).fetch_optional(pool).await?;
            row.as_ref().map(map_account).transpose()
        })
    }

    /// Records that an object is gone for good.
    pub async fn add_tombstone(
        &self,
        uri: &str,
        account_id: Option<Id>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO tombstones (uri, account_id, deleted_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (uri) DO NOTHING",
            )
            .bind(uri)
            .bind(account_id.map(|id| id.0))
            .bind(at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// When the object with this id was deleted, if it was.
    pub async fn tombstone(&self, uri: &str) -> Result<Option<Timestamp>, StoreError> {
        with_pool!(self, read, |pool| {
            let at: Option<i64> =
                sqlx::query_scalar("SELECT deleted_at FROM tombstones WHERE uri = $1")
                    .bind(uri)
                    .fetch_optional(pool)
                    .await?;
            Ok(at.map(Timestamp))
        })
    }

    /// Marks an incoming activity id as handled and queues the job that handles it, in one
    /// transaction: a crash between the two cannot leave an activity marked as seen that no
    /// job will ever process (its sender's retry would be dropped as a duplicate). Returns
    /// false, queuing nothing, if the activity was seen before.
    pub async fn enqueue_unseen_activity(
        &self,
        uri: &str,
        job: &NewJob,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        begin_write!(self, |tx| {
            let done = sqlx::query(
                "INSERT INTO inbox_seen (uri, received_at) VALUES ($1, $2) \
                 ON CONFLICT (uri) DO NOTHING",
            )
            .bind(uri)
            .bind(at.0)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            insert_job!(job, at).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(true)
    }

    pub async fn insert_outbox_activity(
        &self,
        activity: &OutboxActivity,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO outbox_activities (id, uri, account_id, kind, payload, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(activity.id.0)
            .bind(&activity.uri)
            .bind(activity.account_id.map(|id| id.0))
            .bind(&activity.kind)
            .bind(&activity.payload)
            .bind(activity.created_at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn outbox_activity(&self, id: Id) -> Result<Option<OutboxActivity>, StoreError> {
        self.reader().outbox_activity(id).await
    }

    pub async fn outbox_activity_by_uri(
        &self,
        uri: &str,
    ) -> Result<Option<OutboxActivity>, StoreError> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox_activities WHERE uri = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(uri).fetch_optional(pool).await?;
            row.as_ref().map(map_outbox).transpose()
        })
    }

    /// Records a delivery's outcome for a domain.
    pub async fn record_delivery_outcome(
        &self,
        domain: &str,
        success: bool,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = if success {
            "INSERT INTO instances (domain, last_success_at, failures) VALUES ($1, $2, 0) \
             ON CONFLICT (domain) DO UPDATE SET last_success_at = excluded.last_success_at, \
             failures = 0, first_failure_at = NULL"
        } else {
            "INSERT INTO instances (domain, first_failure_at, last_failure_at, failures) \
             VALUES ($1, $2, $2, 1) ON CONFLICT (domain) DO UPDATE SET \
             last_failure_at = excluded.last_failure_at, failures = instances.failures + 1, \
             first_failure_at = COALESCE(instances.first_failure_at, excluded.first_failure_at)"
        };
        with_pool!(self, write, |pool| {
            sqlx::query(sql)
                .bind(domain)
                .bind(at.0)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn instance_health(
        &self,
        domain: &str,
    ) -> Result<Option<InstanceHealth>, StoreError> {
        self.reader().instance_health(domain).await
    }

    /// How many other servers' accounts are known (`known_domains().len()`, read from the
    /// domain index alone).
    pub async fn count_known_domains(&self) -> Result<i64, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(DISTINCT domain) FROM accounts WHERE domain IS NOT NULL",
            )
            .fetch_one(pool)
            .await?)
        })
    }

    /// Domains of remote accounts we know (for `/api/v1/instance/peers`).
    pub async fn known_domains(&self) -> Result<Vec<String>, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT DISTINCT domain FROM accounts WHERE domain IS NOT NULL ORDER BY domain",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// Adds a block, or changes the one on the same domain (keeping its id); returns the
    /// stored block.
    pub async fn add_domain_block(&self, block: &DomainBlock) -> Result<DomainBlock, StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO domain_blocks (id, domain, severity, reject_media, reject_reports, \
                 obfuscate, public_comment, private_comment, created_at) VALUES ($1, $2, $3, $4, \
                 $5, $6, $7, $8, $9) ON CONFLICT (domain) DO UPDATE SET \
                 severity = excluded.severity, reject_media = excluded.reject_media, \
                 reject_reports = excluded.reject_reports, obfuscate = excluded.obfuscate, \
                 public_comment = excluded.public_comment, \
                 private_comment = excluded.private_comment",
            )
            .bind(block.id.0)
            .bind(&block.domain)
            .bind(&block.severity)
            .bind(block.reject_media)
            .bind(block.reject_reports)
            .bind(block.obfuscate)
            .bind(&block.public_comment)
            .bind(&block.private_comment)
            .bind(block.created_at.0)
            .execute(pool)
            .await?;
        });
        self.domain_block_by_domain(&block.domain)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Changes a block by id (not its domain); false when there is none.
    pub async fn update_domain_block(&self, block: &DomainBlock) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE domain_blocks SET severity = $2, reject_media = $3, reject_reports = $4, \
                 obfuscate = $5, public_comment = $6, private_comment = $7 WHERE id = $1",
            )
            .bind(block.id.0)
            .bind(&block.severity)
            .bind(block.reject_media)
            .bind(block.reject_reports)
            .bind(block.obfuscate)
            .bind(&block.public_comment)
            .bind(&block.private_comment)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn remove_domain_block(&self, domain: &str) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM domain_blocks WHERE domain = $1")
                .bind(domain)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn remove_domain_block_by_id(&self, id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM domain_blocks WHERE id = $1")
                .bind(id.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn domain_block(&self, id: Id) -> Result<Option<DomainBlock>, StoreError> {
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&format!(
                "SELECT {DOMAIN_BLOCK_COLUMNS} FROM domain_blocks WHERE id = $1"
            ))
            .bind(id.0)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(map_domain_block).transpose()
        })
    }

    pub async fn domain_block_by_domain(
        &self,
        domain: &str,
    ) -> Result<Option<DomainBlock>, StoreError> {
        with_pool!(self, write, |pool| {
            let row = sqlx::query(&format!(
                "SELECT {DOMAIN_BLOCK_COLUMNS} FROM domain_blocks WHERE domain = $1"
            ))
            .bind(domain)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(map_domain_block).transpose()
        })
    }

    pub async fn domain_blocks(&self) -> Result<Vec<DomainBlock>, StoreError> {
        self.reader().domain_blocks().await
    }

    /// Domain blocks, newest first, a page at a time (the admin API).
    pub async fn domain_blocks_page(
        &self,
        page: &PageRequest,
    ) -> Result<Page<DomainBlock>, StoreError> {
        let rows = with_pool!(self, read, |pool| {
            let mut query = sqlx::QueryBuilder::new(format!(
                "SELECT {DOMAIN_BLOCK_COLUMNS} FROM domain_blocks WHERE TRUE"
            ));
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(map_domain_block)
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        Ok(page.finish(rows, |b| b.id.0))
    }

    /// Allowed domains, newest first, a page at a time (the admin API).
    pub async fn domain_allows_page(
        &self,
        page: &PageRequest,
    ) -> Result<Page<DomainAllow>, StoreError> {
        let rows = with_pool!(self, read, |pool| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT id, domain, created_at FROM domain_allows WHERE TRUE",
            );
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(map_domain_allow)
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        Ok(page.finish(rows, |a| a.id.0))
    }

    /// Adds an allowed domain (or returns the existing entry for it).
    pub async fn add_domain_allow(&self, allow: &DomainAllow) -> Result<DomainAllow, StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO domain_allows (id, domain, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (domain) DO NOTHING",
            )
            .bind(allow.id.0)
            .bind(&allow.domain)
            .bind(allow.created_at.0)
            .execute(pool)
            .await?;
            let row =
                sqlx::query("SELECT id, domain, created_at FROM domain_allows WHERE domain = $1")
                    .bind(&allow.domain)
                    .fetch_one(pool)
                    .await?;
            map_domain_allow(&row)
        })
    }

    pub async fn remove_domain_allow(&self, id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM domain_allows WHERE id = $1")
                .bind(id.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn domain_allows(&self) -> Result<Vec<DomainAllow>, StoreError> {
        self.reader().domain_allows().await
    }

    /// Tags an account (no change when it has the tag already).
    pub async fn add_account_tag(
        &self,
        account_id: Id,
        tag: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO account_tags (account_id, tag, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (account_id, tag) DO NOTHING",
            )
            .bind(account_id.0)
            .bind(tag)
            .bind(now.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn remove_account_tag(&self, account_id: Id, tag: &str) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM account_tags WHERE account_id = $1 AND tag = $2")
                .bind(account_id.0)
                .bind(tag)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn account_tags(&self, account_id: Id) -> Result<Vec<String>, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT tag FROM account_tags WHERE account_id = $1 ORDER BY tag",
            )
            .bind(account_id.0)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Who may send `account_id` direct messages; `None` when they never chose (everybody).
    pub async fn direct_message_preference(
        &self,
        account_id: Id,
    ) -> Result<Option<String>, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT accepts_from FROM direct_message_preferences WHERE account_id = $1",
            )
            .bind(account_id.0)
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn set_direct_message_preference(
        &self,
        account_id: Id,
        accepts_from: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO direct_message_preferences (account_id, accepts_from, updated_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (account_id) DO UPDATE SET \
                 accepts_from = excluded.accepts_from, updated_at = excluded.updated_at",
            )
            .bind(account_id.0)
            .bind(accepts_from)
            .bind(now.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Keeps an incoming activity for dry runs, and forgets all but the `keep` newest.
    pub async fn add_policy_sample(
        &self,
        sample: &PolicySample,
        keep: u32,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO policy_samples (id, actor_id, activity, received_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(sample.id.0)
            .bind(sample.actor_id.0)
            .bind(&sample.activity)
            .bind(sample.received_at.0)
            .execute(pool)
            .await?;
            sqlx::query(
                "DELETE FROM policy_samples WHERE id < (SELECT id FROM policy_samples \
                 ORDER BY id DESC LIMIT 1 OFFSET $1)",
            )
            .bind(i64::from(keep.saturating_sub(1)))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The newest kept activities, newest first.
    pub async fn policy_samples(&self, limit: u32) -> Result<Vec<PolicySample>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT id, actor_id, activity, received_at FROM policy_samples \
                 ORDER BY id DESC LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(PolicySample {
                        id: Id(row.i64("id")?),
                        actor_id: Id(row.i64("actor_id")?),
                        activity: row.text("activity")?,
                        received_at: Timestamp(row.i64("received_at")?),
                    })
                })
                .collect()
        })
    }
}

fn map_domain_allow(row: &impl Columns) -> Result<DomainAllow, StoreError> {
    Ok(DomainAllow {
        id: Id(row.i64("id")?),
        domain: row.text("domain")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

const INSTANCE_HEALTH_COLUMNS: &str =
    "domain, first_failure_at, last_failure_at, last_success_at, failures";

fn map_instance_health(row: &impl Columns) -> Result<InstanceHealth, StoreError> {
    Ok(InstanceHealth {
        domain: row.text("domain")?,
        first_failure_at: row.opt_i64("first_failure_at")?.map(Timestamp),
        last_failure_at: row.opt_i64("last_failure_at")?.map(Timestamp),
        last_success_at: row.opt_i64("last_success_at")?.map(Timestamp),
        failures: row.i64("failures")?,
    })
}

const OUTBOX_COLUMNS: &str = "id, uri, account_id, kind, payload, created_at";

fn map_outbox(row: &impl Columns) -> Result<OutboxActivity, StoreError> {
    Ok(OutboxActivity {
        id: Id(row.i64("id")?),
        uri: row.text("uri")?,
        account_id: row.opt_i64("account_id")?.map(Id),
        kind: row.text("kind")?,
        payload: row.text("payload")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

impl Store {
    /// Every server a delivery was tried to, with its record (the admin's federation health).
    pub async fn instances_health(&self) -> Result<Vec<InstanceHealth>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&format!(
                "SELECT {INSTANCE_HEALTH_COLUMNS} FROM instances ORDER BY domain"
            ))
            .fetch_all(pool)
            .await?;
            rows.iter().map(map_instance_health).collect()
        })
    }
}

impl crate::Reader {
    pub async fn domain_blocks(&mut self) -> Result<Vec<DomainBlock>, StoreError> {
        with_reader!(self, |conn| {
            let rows = sqlx::query(&format!(
                "SELECT {DOMAIN_BLOCK_COLUMNS} FROM domain_blocks ORDER BY domain"
            ))
            .fetch_all(conn)
            .await?;
            rows.iter().map(map_domain_block).collect()
        })
    }

    pub async fn domain_allows(&mut self) -> Result<Vec<DomainAllow>, StoreError> {
        with_reader!(self, |conn| {
            let rows =
                sqlx::query("SELECT id, domain, created_at FROM domain_allows ORDER BY domain")
                    .fetch_all(conn)
                    .await?;
            rows.iter().map(map_domain_allow).collect()
        })
    }

    pub async fn outbox_activity(&mut self, id: Id) -> Result<Option<OutboxActivity>, StoreError> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox_activities WHERE id = $1");
        with_reader!(self, |conn| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(conn).await?;
            row.as_ref().map(map_outbox).transpose()
        })
    }

    pub async fn instance_health(
        &mut self,
        domain: &str,
    ) -> Result<Option<InstanceHealth>, StoreError> {
        with_reader!(self, |conn| {
            let row = sqlx::query(&format!(
                "SELECT {INSTANCE_HEALTH_COLUMNS} FROM instances WHERE domain = $1"
            ))
            .bind(domain)
            .fetch_optional(conn)
            .await?;
            row.as_ref().map(map_instance_health).transpose()
        })
    }
}
