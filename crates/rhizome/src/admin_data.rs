//! `rhizome admin export-user` and `rhizome admin imports …`: a user's CSV exports written
//! to a folder, and the CSV imports with their progress and failures.

use std::path::Path;

use anyhow::Context;
use clap::Subcommand;
use rhizome_core::Core;
use rhizome_core::exports::ExportKind;
use rhizome_core::imports::ImportView;
use rhizome_model::Id;
use rhizome_store::PageRequest;
use serde_json::{Value, json};

use crate::admin::Output;

#[derive(Subcommand)]
pub enum ImportsCommand {
    /// List imports, newest first, with their progress.
    List {
        /// Only this user's.
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One import, with the rows that could not be applied and why.
    Show { id: String },
}

/// Writes the seven exports of `name` into `dir`, under the names Mastodon gives them.
pub async fn export_user(core: &Core, out: &Output, name: &str, dir: &Path) -> anyhow::Result<()> {
    let user = core.local_user_named(name).await?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    for kind in ExportKind::ALL {
        let text = core.export_csv(&user, kind).await?;
        let path = dir.join(kind.file_name());
        std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
        written.push((path, text.lines().count()));
    }
    out.show(
        Value::Array(
            written
                .iter()
                .map(|(path, lines)| json!({ "file": path.display().to_string(), "lines": lines }))
                .collect(),
        ),
        || {
            written
                .iter()
                .map(|(path, lines)| format!("{} ({lines} lines)", path.display()))
                .collect::<Vec<_>>()
                .join("\n")
        },
    );
    Ok(())
}

fn import_json(view: &ImportView, owner: &str) -> Value {
    let import = &view.import;
    json!({
        "id": import.id,
        "user": owner,
        "type": import.kind.as_str(),
        "mode": if import.overwrite { "overwrite" } else { "merge" },
        "state": import.state.as_str(),
        "file": import.original_filename,
        "total": import.total_rows,
        "imported": view.progress.done,
        "failed": view.progress.failed,
        "created_at": import.created_at.to_rfc3339(),
        "finished_at": import.finished_at.map(|t| t.to_rfc3339()),
    })
}

fn import_line(view: &ImportView, owner: &str) -> String {
    let import = &view.import;
    format!(
        "{:<20} {:<20} {:<16} {:<9} {:<11} {}/{} imported, {} failed",
        import.id,
        owner,
        import.kind.as_str(),
        if import.overwrite {
            "overwrite"
        } else {
            "merge"
        },
        import.state.as_str(),
        view.progress.done,
        import.total_rows,
        view.progress.failed,
    )
}

async fn owner_name(core: &Core, view: &ImportView) -> anyhow::Result<String> {
    Ok(core
        .store
        .account(view.import.account_id)
        .await?
        .map(|account| account.username)
        .unwrap_or_default())
}

pub async fn imports(core: &Core, out: &Output, command: ImportsCommand) -> anyhow::Result<()> {
    match command {
        ImportsCommand::List { user, limit } => {
            let owner = match user {
                Some(name) => Some(core.local_user_named(&name).await?.account.id),
                None => None,
            };
            let page = core
                .import_list(owner, &PageRequest::first(limit.clamp(1, 10_000)))
                .await?;
            let mut rows = Vec::new();
            for view in &page.items {
                rows.push((view, owner_name(core, view).await?));
            }
            out.show(
                Value::Array(rows.iter().map(|(v, o)| import_json(v, o)).collect()),
                || {
                    rows.iter()
                        .map(|(v, o)| import_line(v, o))
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            );
        }
        ImportsCommand::Show { id } => {
            let id: Id = id.parse()?;
            let view = core.import_view(None, id).await?;
            let owner = owner_name(core, &view).await?;
            let failures = core.import_failures(None, id).await?;
            let mut value = import_json(&view, &owner);
            value["failures"] = Value::Array(
                failures
                    .iter()
                    .map(|row| json!({ "row": row.position, "data": row.source, "error": row.error }))
                    .collect(),
            );
            out.show(value, || {
                let mut text = import_line(&view, &owner);
                for row in &failures {
                    text.push_str(&format!(
                        "\n  row {}: {} — {}",
                        row.position,
                        row.source,
                        row.error.as_deref().unwrap_or("")
                    ));
                }
                text
            });
        }
    }
    Ok(())
}
