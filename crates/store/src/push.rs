//! Web Push subscriptions, one per access token.

use rhizome_model::{Id, PushAlerts, PushPolicy, PushSubscription, Timestamp};

use crate::row::Columns;
use crate::{Store, StoreError, begin_write, with_pool};

const COLUMNS: &str = "id, account_id, token_id, endpoint, key_p256dh, key_auth, standard, \
                       alerts, policy, sealed_token, created_at, updated_at";

fn map_subscription(row: &impl Columns) -> Result<PushSubscription, StoreError> {
    Ok(PushSubscription {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        token_id: Id(row.i64("token_id")?),
        endpoint: row.text("endpoint")?,
        p256dh: row.text("key_p256dh")?,
        auth: row.text("key_auth")?,
        standard: row.bool("standard")?,
        alerts: row.parsed::<PushAlerts>("alerts")?,
        policy: row.parsed::<PushPolicy>("policy")?,
        sealed_token: row.text("sealed_token")?,
        created_at: Timestamp(row.i64("created_at")?),
        updated_at: Timestamp(row.i64("updated_at")?),
    })
}

impl Store {
    /// Stores the subscription of its token, replacing the one the token had.
    pub async fn replace_push_subscription(
        &self,
        subscription: &PushSubscription,
    ) -> Result<(), StoreError> {
        let s = subscription;
        begin_write!(self, |tx| {
            sqlx::query("DELETE FROM push_subscriptions WHERE token_id = $1")
                .bind(s.token_id.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO push_subscriptions (id, account_id, token_id, endpoint, key_p256dh, \
                 key_auth, standard, alerts, policy, sealed_token, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(s.id.0)
            .bind(s.account_id.0)
            .bind(s.token_id.0)
            .bind(&s.endpoint)
            .bind(&s.p256dh)
            .bind(&s.auth)
            .bind(s.standard)
            .bind(s.alerts.to_string())
            .bind(s.policy.as_str())
            .bind(&s.sealed_token)
            .bind(s.created_at.0)
            .bind(s.updated_at.0)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn push_subscription(&self, id: Id) -> Result<Option<PushSubscription>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM push_subscriptions WHERE id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_subscription).transpose()
        })
    }

    pub async fn push_subscription_of_token(
        &self,
        token_id: Id,
    ) -> Result<Option<PushSubscription>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM push_subscriptions WHERE token_id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql)
                .bind(token_id.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_subscription).transpose()
        })
    }

    /// Every subscription of an account (one per app or device that asked), oldest first.
    pub async fn push_subscriptions_of_account(
        &self,
        account_id: Id,
    ) -> Result<Vec<PushSubscription>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM push_subscriptions WHERE account_id = $1 ORDER BY id");
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).bind(account_id.0).fetch_all(pool).await?;
            rows.iter().map(map_subscription).collect()
        })
    }

    /// Changes what the token's subscription pushes; `None` when the token has none.
    pub async fn update_push_subscription(
        &self,
        token_id: Id,
        alerts: &PushAlerts,
        policy: PushPolicy,
        at: Timestamp,
    ) -> Result<Option<PushSubscription>, StoreError> {
        let sql = format!(
            "UPDATE push_subscriptions SET alerts = $2, policy = $3, updated_at = $4 \
             WHERE token_id = $1 RETURNING {COLUMNS}"
        );
        with_pool!(self, write, |pool| {
            let row = sqlx::query(&sql)
                .bind(token_id.0)
                .bind(alerts.to_string())
                .bind(policy.as_str())
                .bind(at.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_subscription).transpose()
        })
    }

    /// Removes the token's subscription; whether there was one.
    pub async fn delete_push_subscription_of_token(
        &self,
        token_id: Id,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM push_subscriptions WHERE token_id = $1")
                .bind(token_id.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Removes one subscription (its push service said it is gone); whether it was there.
    pub async fn delete_push_subscription(&self, id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
                .bind(id.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }
}
