//! Sign-up and sign-in blocks: e-mail domains, canonical e-mail digests, IP ranges.

use rhizome_model::{Id, Timestamp};
use sqlx::QueryBuilder;

use crate::row::Columns;
use crate::{Page, PageRequest, Store, StoreError, with_pool};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailDomainBlock {
    pub id: Id,
    /// Lower case; blocks its subdomains too.
    pub domain: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalEmailBlock {
    pub id: Id,
    /// SHA-256 (hex) of the canonical address.
    pub canonical_email_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpBlock {
    pub id: Id,
    /// A network in CIDR notation.
    pub ip: String,
    pub severity: String,
    pub comment: String,
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

fn conflict(err: sqlx::Error, what: &'static str) -> StoreError {
    match StoreError::violated_unique(&err) {
        Some(_) => StoreError::Conflict(what),
        None => StoreError::Database(err),
    }
}

fn map_email_domain(row: &impl Columns) -> Result<EmailDomainBlock, StoreError> {
    Ok(EmailDomainBlock {
        id: Id(row.i64("id")?),
        domain: row.text("domain")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

fn map_canonical(row: &impl Columns) -> Result<CanonicalEmailBlock, StoreError> {
    Ok(CanonicalEmailBlock {
        id: Id(row.i64("id")?),
        canonical_email_hash: row.text("canonical_email_hash")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

fn map_ip(row: &impl Columns) -> Result<IpBlock, StoreError> {
    Ok(IpBlock {
        id: Id(row.i64("id")?),
        ip: row.text("ip")?,
        severity: row.text("severity")?,
        comment: row.text("comment")?,
        expires_at: row.opt_i64("expires_at")?.map(Timestamp),
        created_at: Timestamp(row.i64("created_at")?),
    })
}

const IP_COLUMNS: &str = "id, ip, severity, comment, expires_at, created_at";

impl Store {
    pub async fn insert_email_domain_block(
        &self,
        block: &EmailDomainBlock,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO email_domain_blocks (id, domain, created_at) VALUES ($1, $2, $3)",
            )
            .bind(block.id.0)
            .bind(&block.domain)
            .bind(block.created_at.0)
            .execute(pool)
            .await
            .map_err(|e| conflict(e, "the domain is already blocked"))?;
        });
        Ok(())
    }

    pub async fn email_domain_block(&self, id: Id) -> Result<Option<EmailDomainBlock>, StoreError> {
        with_pool!(self, read, |pool| {
            let row =
                sqlx::query("SELECT id, domain, created_at FROM email_domain_blocks WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(pool)
                    .await?;
            row.as_ref().map(map_email_domain).transpose()
        })
    }

    pub async fn email_domain_blocks_page(
        &self,
        page: &PageRequest,
    ) -> Result<Page<EmailDomainBlock>, StoreError> {
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT id, domain, created_at FROM email_domain_blocks WHERE TRUE",
            );
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(map_email_domain)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |b| b.id.0))
    }

    /// Whether any of `domains` (an address's domain and its parents) is blocked.
    pub async fn email_domain_blocked(&self, domains: &[String]) -> Result<bool, StoreError> {
        if domains.is_empty() {
            return Ok(false);
        }
        with_pool!(self, read, |pool| {
            let mut query =
                QueryBuilder::new("SELECT COUNT(*) FROM email_domain_blocks WHERE domain IN (");
            let mut list = query.separated(", ");
            for domain in domains {
                list.push_bind(domain.clone());
            }
            query.push(")");
            let count: i64 = query.build_query_scalar().fetch_one(pool).await?;
            Ok(count > 0)
        })
    }

    pub async fn insert_canonical_email_block(
        &self,
        block: &CanonicalEmailBlock,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO canonical_email_blocks (id, canonical_email_hash, created_at) \
                 VALUES ($1, $2, $3)",
            )
            .bind(block.id.0)
            .bind(&block.canonical_email_hash)
            .bind(block.created_at.0)
            .execute(pool)
            .await
            .map_err(|e| conflict(e, "the address is already blocked"))?;
        });
        Ok(())
    }

    pub async fn canonical_email_block(
        &self,
        id: Id,
    ) -> Result<Option<CanonicalEmailBlock>, StoreError> {
        with_pool!(self, read, |pool| {
            let row = sqlx::query(
                "SELECT id, canonical_email_hash, created_at FROM canonical_email_blocks WHERE id = $1",
            )
            .bind(id.0)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(map_canonical).transpose()
        })
    }

    pub async fn canonical_email_blocks_page(
        &self,
        page: &PageRequest,
    ) -> Result<Page<CanonicalEmailBlock>, StoreError> {
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT id, canonical_email_hash, created_at FROM canonical_email_blocks WHERE TRUE",
            );
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(map_canonical)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |b| b.id.0))
    }

    /// The blocks of one canonical digest (none or one).
    pub async fn canonical_email_blocks_of(
        &self,
        hash: &str,
    ) -> Result<Vec<CanonicalEmailBlock>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT id, canonical_email_hash, created_at FROM canonical_email_blocks \
                 WHERE canonical_email_hash = $1",
            )
            .bind(hash)
            .fetch_all(pool)
            .await?;
            rows.iter().map(map_canonical).collect()
        })
    }

    pub async fn insert_ip_block(&self, block: &IpBlock) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO ip_blocks (id, ip, severity, comment, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(block.id.0)
            .bind(&block.ip)
            .bind(&block.severity)
            .bind(&block.comment)
            .bind(block.expires_at.map(|t| t.0))
            .bind(block.created_at.0)
            .execute(pool)
            .await
            .map_err(|e| conflict(e, "the address is already blocked"))?;
        });
        Ok(())
    }

    pub async fn update_ip_block(&self, block: &IpBlock) -> Result<(), StoreError> {
        let done = with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE ip_blocks SET ip = $2, severity = $3, comment = $4, expires_at = $5 \
                 WHERE id = $1",
            )
            .bind(block.id.0)
            .bind(&block.ip)
            .bind(&block.severity)
            .bind(&block.comment)
            .bind(block.expires_at.map(|t| t.0))
            .execute(pool)
            .await
            .map_err(|e| conflict(e, "the address is already blocked"))?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn ip_block(&self, id: Id) -> Result<Option<IpBlock>, StoreError> {
        let sql = format!("SELECT {IP_COLUMNS} FROM ip_blocks WHERE id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_ip).transpose()
        })
    }

    pub async fn ip_blocks_page(&self, page: &PageRequest) -> Result<Page<IpBlock>, StoreError> {
        let head = format!("SELECT {IP_COLUMNS} FROM ip_blocks WHERE TRUE");
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_ip).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |b| b.id.0))
    }

    /// The blocks in force at `now`; few enough to match in memory.
    pub async fn active_ip_blocks(&self, now: Timestamp) -> Result<Vec<IpBlock>, StoreError> {
        let sql = format!(
            "SELECT {IP_COLUMNS} FROM ip_blocks WHERE expires_at IS NULL OR expires_at > $1"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).bind(now.0).fetch_all(pool).await?;
            rows.iter().map(map_ip).collect()
        })
    }

    /// Deletes a row of one of the three block tables; false when there was none.
    pub async fn delete_signup_block(
        &self,
        table: SignupBlockTable,
        id: Id,
    ) -> Result<bool, StoreError> {
        let sql = format!("DELETE FROM {} WHERE id = $1", table.name());
        with_pool!(self, write, |pool| {
            let done = sqlx::query(&sql).bind(id.0).execute(pool).await?;
            Ok(done.rows_affected() > 0)
        })
    }
}

/// Which of the block tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignupBlockTable {
    EmailDomains,
    CanonicalEmails,
    Ips,
}

impl SignupBlockTable {
    fn name(self) -> &'static str {
        match self {
            SignupBlockTable::EmailDomains => "email_domain_blocks",
            SignupBlockTable::CanonicalEmails => "canonical_email_blocks",
            SignupBlockTable::Ips => "ip_blocks",
        }
    }
}

/// How many addresses are kept per user (the most recently used).
const KEPT_USER_IPS: i64 = 20;

impl Store {
    /// Notes that a user signed up or in from `ip`, keeping the latest addresses only.
    pub async fn record_user_ip(
        &self,
        account_id: Id,
        ip: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        crate::begin_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO user_ips (account_id, ip, used_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (account_id, ip) DO UPDATE SET used_at = excluded.used_at",
            )
            .bind(account_id.0)
            .bind(ip)
            .bind(at.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM user_ips WHERE account_id = $1 AND ip NOT IN \
                 (SELECT ip FROM user_ips WHERE account_id = $1 ORDER BY used_at DESC LIMIT $2)",
            )
            .bind(account_id.0)
            .bind(KEPT_USER_IPS)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// A user's addresses, latest first.
    pub async fn user_ips(&self, account_id: Id) -> Result<Vec<(String, Timestamp)>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT ip, used_at FROM user_ips WHERE account_id = $1 ORDER BY used_at DESC",
            )
            .bind(account_id.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| Ok((row.text("ip")?, Timestamp(row.i64("used_at")?))))
                .collect()
        })
    }
}
