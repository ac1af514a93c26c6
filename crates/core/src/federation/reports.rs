//! Reports: filed by local users or received from other servers, for local moderators.

use rhizome_model::{Id, NotificationKind};
use rhizome_store::Report;

use crate::{Core, CoreError};

impl Core {
    /// Files a report and tells the moderators.
    pub async fn file_report(
        &self,
        reporter: Id,
        target: Id,
        status_ids: Vec<Id>,
        comment: String,
        uri: Option<String>,
    ) -> Result<Report, CoreError> {
        let now = self.clock.now();
        let report = Report {
            id: Id::generate(now.0),
            account_id: reporter,
            target_account_id: target,
            status_ids,
            comment,
            uri,
            forwarded: false,
            created_at: now,
        };
        self.store.insert_report(&report).await?;
        for moderator in self.store.staff_ids().await? {
            self.notify(
                moderator,
                reporter,
                NotificationKind::AdminReport,
                None,
                None,
            )
            .await?;
        }
        tracing::info!(report = %report.id, "report filed");
        Ok(report)
    }
}
