//! CSV exports in Mastodon's formats, so that what a user takes away imports anywhere:
//! follows (`Account address,Show boosts,Notify on new posts,Languages`), followers, lists
//! (`title,address` rows, no header), blocks (one address per line), mutes
//! (`Account address,Hide notifications`), blocked domains (one per line) and bookmarks (one
//! status URI per line).

use std::collections::HashMap;

use rhizome_model::LocalUser;

use crate::{Core, CoreError};

/// One of the seven exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Following,
    Followers,
    Lists,
    Blocks,
    Mutes,
    DomainBlocks,
    Bookmarks,
}

impl ExportKind {
    pub const ALL: [ExportKind; 7] = [
        ExportKind::Following,
        ExportKind::Followers,
        ExportKind::Lists,
        ExportKind::Blocks,
        ExportKind::Mutes,
        ExportKind::DomainBlocks,
        ExportKind::Bookmarks,
    ];

    /// The name in `/api/v1/exports/{name}.csv`.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "following" => ExportKind::Following,
            "followers" => ExportKind::Followers,
            "lists" => ExportKind::Lists,
            "blocks" => ExportKind::Blocks,
            "mutes" => ExportKind::Mutes,
            "domain_blocks" => ExportKind::DomainBlocks,
            "bookmarks" => ExportKind::Bookmarks,
            _ => return None,
        })
    }

    /// The file name Mastodon gives the same export (its import guesses the type from it);
    /// Mastodon has no followers export, so that one is plainly named.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportKind::Following => "following_accounts.csv",
            ExportKind::Followers => "followers.csv",
            ExportKind::Lists => "lists.csv",
            ExportKind::Blocks => "blocked_accounts.csv",
            ExportKind::Mutes => "muted_accounts.csv",
            ExportKind::DomainBlocks => "blocked_domains.csv",
            ExportKind::Bookmarks => "bookmarks.csv",
        }
    }
}

/// A CSV document being written: `\n` line ends and quotes only where needed, as Mastodon's
/// (Ruby's) writer does.
struct Csv(csv::Writer<Vec<u8>>);

impl Csv {
    fn new() -> Csv {
        Csv(csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new()))
    }

    fn row<I, T>(&mut self, fields: I) -> Result<(), CoreError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.0
            .write_record(fields)
            .map_err(|e| CoreError::Internal(format!("writing CSV: {e}")))
    }

    fn finish(self) -> Result<String, CoreError> {
        let bytes = self
            .0
            .into_inner()
            .map_err(|e| CoreError::Internal(format!("writing CSV: {e}")))?;
        String::from_utf8(bytes).map_err(|e| CoreError::Internal(format!("writing CSV: {e}")))
    }
}

fn yes_no(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

impl Core {
    /// One export of `user`'s data, as CSV text.
    pub async fn export_csv(
        &self,
        user: &LocalUser,
        kind: ExportKind,
    ) -> Result<String, CoreError> {
        let me = user.account.id;
        let mut csv = Csv::new();
        match kind {
            ExportKind::Following => {
                csv.row([
                    "Account address",
                    "Show boosts",
                    "Notify on new posts",
                    "Languages",
                ])?;
                // Rhizome keeps no per-follow languages: the column stays empty (all).
                for follow in self.store.all_followed(me, false).await? {
                    csv.row([
                        self.full_acct(&follow.account).as_str(),
                        yes_no(follow.show_reblogs),
                        yes_no(follow.notify),
                        "",
                    ])?;
                }
            }
            ExportKind::Followers => {
                csv.row(["Account address"])?;
                for account in self.store.all_followers(me).await? {
                    csv.row([self.full_acct(&account)])?;
                }
            }
            ExportKind::Lists => {
                let titles: HashMap<_, _> = self
                    .store
                    .lists_of(me, None)
                    .await?
                    .into_iter()
                    .map(|list| (list.id, list.title))
                    .collect();
                for (list_id, account) in self.store.all_list_members(me).await? {
                    if let Some(title) = titles.get(&list_id) {
                        csv.row([title.clone(), self.full_acct(&account)])?;
                    }
                }
            }
            ExportKind::Blocks => {
                for account in self.store.all_blocked(me).await? {
                    csv.row([self.full_acct(&account)])?;
                }
            }
            ExportKind::Mutes => {
                csv.row(["Account address", "Hide notifications"])?;
                for (account, hide) in self.store.all_muted(me, self.clock.now()).await? {
                    csv.row([self.full_acct(&account).as_str(), yes_no(hide)])?;
                }
            }
            ExportKind::DomainBlocks => {
                for domain in self.store.all_blocked_domains(me).await? {
                    csv.row([domain])?;
                }
            }
            ExportKind::Bookmarks => {
                for (_, uri) in self.store.all_bookmarks(me).await? {
                    csv.row([uri])?;
                }
            }
        }
        csv.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it_and_ends_lines_with_newlines() {
        let mut csv2 = Csv::new();
        csv2.row(["Close friends, work", "a@b.example"]).unwrap();
        csv2.row(["Say \"hi\"", "c@d.example"]).unwrap();
        assert_eq!(
            csv2.finish().unwrap(),
            "\"Close friends, work\",a@b.example\n\"Say \"\"hi\"\"\",c@d.example\n"
        );
        let mut csv3 = Csv::new();
        csv3.row(["x@y.example", "true", "false", ""]).unwrap();
        assert_eq!(csv3.finish().unwrap(), "x@y.example,true,false,\n");
        for kind in ExportKind::ALL {
            assert!(kind.file_name().ends_with(".csv"));
        }
    }
}
