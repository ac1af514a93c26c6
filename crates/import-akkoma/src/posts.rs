//! Stages 3 and 4: posts and what people did with them.
//!
//! A post is a `Create` activity and its object. Its status keeps the object's ActivityPub
//! id as `uri` (so `/objects/{uuid}` keeps answering) and gets its id from the Create's flake
//! id; a local post's `url` is Akkoma's `/notice/{base62 id}`, which `/notice/…` resolves.
//! Boosts are `Announce` activities, favourites `Like`, reactions `EmojiReact`; bookmarks
//! point at a Create activity; pins are in `users.pinned_objects`.

use std::collections::HashSet;

use rhizome_core::media::storage::valid_key;
use rhizome_model::{
    Attachment, AttachmentKind, EmojiRef, Id, NewStatus, QuotePolicy, QuoteState, Status,
    StatusEdit, Timestamp, Visibility,
};
use rhizome_store::{ImportedStatus, Mark, Poll, PollOption, Reaction};
use serde_json::Value;
use sqlx::Row;

use crate::source::{first_href, id_of, is_public, json, millis, strings, time};
use crate::{ImportError, Importer, ids};

const POSTS: &str = "posts";
const BOOSTS: &str = "boosts";
const FAVOURITES: &str = "favourites";
const REACTIONS: &str = "reactions";
const BOOKMARKS: &str = "bookmarks";
const PINS: &str = "pinned posts";
const VOTES: &str = "poll votes";
const MEDIA: &str = "media files";
const TAG_FOLLOWS: &str = "followed hashtags";

const MAX_HTML: usize = 256 * 1024;
const BATCH: i64 = 500;
const POST_TYPES: [&str; 8] = [
    "Note", "Question", "Article", "Page", "Video", "Audio", "Image", "Event",
];

/// An activity with its object.
pub(crate) struct ActivityRow {
    pub id: String,
    pub data: Value,
    pub inserted: i64,
    pub object: Value,
}

impl Importer<'_> {
    /// Activities of one type with their objects, in flake order, a batch at a time.
    pub(crate) async fn activities(
        &self,
        kind: &str,
        after: &str,
    ) -> Result<Vec<ActivityRow>, ImportError> {
        let sql = format!(
            "SELECT a.id::text AS id, a.data::text AS data, {inserted} AS inserted, \
             o.data::text AS object FROM activities a LEFT JOIN objects o \
             ON o.data->>'id' = COALESCE(a.data->'object'->>'id', a.data->>'object') \
             WHERE a.data->>'type' = $1 AND a.id > $2::uuid ORDER BY a.id LIMIT {BATCH}",
            inserted = millis("a.inserted_at")
        );
        let rows = sqlx::query(&sql)
            .bind(kind)
            .bind(after)
            .fetch_all(&self.source)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ActivityRow {
                    id: r.try_get("id")?,
                    data: json(r.try_get("data")?),
                    inserted: r.try_get("inserted")?,
                    object: json(r.try_get("object")?),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(ImportError::from)
    }

    async fn count_activities(&self, kind: &str) -> Result<u64, ImportError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM activities WHERE data->>'type' = $1")
            .bind(kind)
            .fetch_one(&self.source)
            .await?;
        Ok(n.max(0) as u64)
    }

    /// Runs `each` over every activity of `kind`, with a progress bar named `stage`.
    async fn each_activity(
        &mut self,
        kind: &str,
        stage: &str,
    ) -> Result<Vec<ActivityRow>, ImportError> {
        let total = self.count_activities(kind).await?;
        self.progress.stage(stage, total);
        let mut all = Vec::new();
        let mut after = "00000000-0000-0000-0000-000000000000".to_owned();
        loop {
            let batch = self.activities(kind, &after).await?;
            let Some(last) = batch.last() else { break };
            after = last.id.clone();
            all.extend(batch);
        }
        Ok(all)
    }

    /// A status already here under this ActivityPub id.
    async fn known_status(&self, uri: &str) -> Result<Option<Id>, ImportError> {
        if let Some(id) = self.statuses.get(uri) {
            return Ok(Some(*id));
        }
        match &self.core {
            Some(core) => Ok(core.store.status_by_ap_id(uri).await?.map(|s| s.id)),
            None => Ok(None),
        }
    }

    pub(crate) async fn import_posts(&mut self) -> Result<(), ImportError> {
        // Batches are read ahead of the writes: a post's replies come after it in flake order.
        let creates = self.each_activity("Create", "posts").await?;
        for activity in creates {
            self.progress.advance();
            let kind = activity.object["type"].as_str().unwrap_or("").to_owned();
            if kind == "Answer" {
                self.import_vote(&activity).await?;
            } else if activity.object.is_null() {
                self.skip(POSTS, &activity.id, "its object is not in the database");
            } else if POST_TYPES.contains(&kind.as_str()) {
                self.import_post(&activity).await?;
            } else {
                self.skip(
                    POSTS,
                    &activity.id,
                    format!("objects of type {kind:?} are not posts"),
                );
            }
        }
        self.progress.finish_stage();
        Ok(())
    }

    fn visibility(&self, object: &Value, author_followers: Option<&str>) -> Visibility {
        let to = strings(&object["to"]);
        let cc = strings(&object["cc"]);
        let local_public = format!("{}/#Public", self.urls.base());
        if to.iter().chain(&cc).any(|a| *a == local_public) {
            Visibility::Local
        } else if to.iter().any(|a| is_public(a)) {
            Visibility::Public
        } else if cc.iter().any(|a| is_public(a)) {
            Visibility::Unlisted
        } else if author_followers.is_some_and(|f| to.iter().chain(&cc).any(|a| a == f)) {
            Visibility::Private
        } else {
            Visibility::Direct
        }
    }

    async fn import_post(&mut self, activity: &ActivityRow) -> Result<(), ImportError> {
        let object = &activity.object;
        let Some(uri) = object["id"].as_str().map(str::to_owned) else {
            self.skip(POSTS, &activity.id, "its object has no id");
            return Ok(());
        };
        let author_uri = id_of(&object["attributedTo"])
            .or_else(|| id_of(&object["actor"]))
            .or_else(|| id_of(&activity.data["actor"]))
            .unwrap_or_default();
        let Some(author) = self.account(&author_uri).cloned() else {
            self.skip(POSTS, &uri, "its author was not imported");
            return Ok(());
        };
        if let Some(existing) = self.known_status(&uri).await? {
            // Votes of a later stage find the poll of a post imported by an earlier run.
            if let Some(core) = &self.core
                && let Some(poll) = core.store.poll_of_status(existing).await?
            {
                let titles = poll.options.iter().map(|o| o.title.clone()).collect();
                self.polls.insert(uri.clone(), (poll.id, titles));
            }
            self.statuses.insert(uri, existing);
            self.activity_statuses.insert(activity.id.clone(), existing);
            self.outcome(POSTS, false);
            return Ok(());
        }
        let id = ids::from_flake(&activity.id).unwrap_or_else(|| Id::generate(activity.inserted));
        let published = time(&object["published"]).unwrap_or(activity.inserted);
        let visibility = self.visibility(object, author.followers_url.as_deref());

        // Mentions: Mention tags, and for local posts (whose tags Akkoma fills only when it
        // federates them) the accounts they are addressed to.
        let mut mentions: Vec<Id> = Vec::new();
        let mut addressed: Vec<String> = ["to", "cc", "bto", "bcc"]
            .iter()
            .flat_map(|key| strings(&object[*key]))
            .collect();
        let tags = object["tag"].as_array().cloned().unwrap_or_default();
        for tag in &tags {
            if tag["type"] == "Mention"
                && let Some(href) = tag["href"].as_str()
            {
                addressed.push(href.to_owned());
            }
        }
        for address in &addressed {
            if let Some(account) = self.account(address)
                && account.id != author.id
                && !mentions.contains(&account.id)
            {
                mentions.push(account.id);
            }
        }
        let mut hashtags: Vec<String> = Vec::new();
        let mut emojis: Vec<EmojiRef> = emoji_map(&object["emoji"]);
        for tag in &tags {
            let name = match tag {
                Value::String(name) => Some(name.clone()),
                _ if tag["type"] == "Hashtag" => tag["name"].as_str().map(str::to_owned),
                _ if tag["type"] == "Emoji" => {
                    if let (Some(name), Some(url)) =
                        (tag["name"].as_str(), first_href(&tag["icon"]["url"]))
                    {
                        let shortcode = name.trim_matches(':').to_owned();
                        if !emojis.iter().any(|e| e.shortcode == shortcode) {
                            emojis.push(EmojiRef { shortcode, url });
                        }
                    }
                    None
                }
                _ => None,
            };
            if let Some(name) = name {
                let name: String = name.trim_start_matches('#').chars().take(100).collect();
                if !name.is_empty() && !hashtags.iter().any(|h| h.eq_ignore_ascii_case(&name)) {
                    hashtags.push(name);
                }
            }
        }

        let in_reply_to_uri = id_of(&object["inReplyTo"]);
        let mut parent = None;
        if let Some(reply) = &in_reply_to_uri {
            parent = self.known_status(reply).await?;
        }
        let parent_account = match (parent, &self.core) {
            (Some(parent), Some(core)) => core.store.status(parent).await?.map(|s| s.account_id),
            _ => None,
        };
        let quote_uri = ["quoteUri", "quoteUrl", "_misskey_quote", "quote"]
            .iter()
            .find_map(|key| id_of(&object[*key]));
        let quoted = match &quote_uri {
            Some(quote) => self.known_status(quote).await?,
            None => None,
        };

        let source = &object["source"];
        let (text, content_type) = if author.local {
            let text = source["content"]
                .as_str()
                .or_else(|| source.as_str())
                .unwrap_or("")
                .to_owned();
            let content_type = match source["mediaType"].as_str() {
                Some("text/markdown") => "text/markdown",
                _ => "text/plain",
            };
            (text, content_type.to_owned())
        } else {
            (String::new(), "text/html".to_owned())
        };
        let language = object["contentMap"]
            .as_object()
            .and_then(|map| map.keys().next().cloned())
            .filter(|l| l.len() <= 16);
        let kind = object["type"].as_str().unwrap_or("Note").to_owned();
        let url = if author.local {
            ids::flake_base62(&activity.id).map(|b62| format!("{}/notice/{b62}", self.urls.base()))
        } else {
            first_href(&object["url"]).or_else(|| Some(uri.clone()))
        };
        let edited_at = object
            .get("formerRepresentations")
            .and_then(|_| time(&object["updated"]));
        let status = Status {
            id,
            uri: uri.clone(),
            url,
            account_id: author.id,
            in_reply_to_id: parent,
            in_reply_to_uri: in_reply_to_uri.clone(),
            in_reply_to_account_id: parent_account,
            reblog_of_id: None,
            quote_of_id: quoted,
            quote_state: quoted.map(|_| QuoteState::Accepted),
            quote_authorization: None,
            // Local posts had Rhizome's implicit policy: anyone may quote what is public.
            quote_policy: author.local.then(|| {
                QuotePolicy::from_bits(
                    if matches!(visibility, Visibility::Public | Visibility::Unlisted) {
                        512
                    } else {
                        0
                    },
                )
            }),
            conversation: id_of(&object["context"])
                .or_else(|| id_of(&activity.data["context"]))
                .or_else(|| Some(uri.clone())),
            text,
            content: rhizome_core::text::sanitize_remote_html(
                object["content"].as_str().unwrap_or(""),
                MAX_HTML,
            ),
            content_type,
            spoiler_text: object["summary"]
                .as_str()
                .unwrap_or("")
                .chars()
                .take(1000)
                .collect(),
            sensitive: object["sensitive"].as_bool().unwrap_or(false),
            visibility,
            language,
            local: author.local,
            object_type: kind.chars().take(40).collect(),
            title: object["name"]
                .as_str()
                .filter(|_| !matches!(kind.as_str(), "Note" | "Question"))
                .map(|t| t.chars().take(500).collect()),
            application_id: None,
            created_at: Timestamp(published),
            edited_at: edited_at.map(Timestamp),
            updated_at: Timestamp(edited_at.unwrap_or(published)),
        };

        let mut attachments = Vec::new();
        for (position, a) in object["attachment"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(href) = first_href(&a["url"]) else {
                continue;
            };
            let media_type = a["mediaType"]
                .as_str()
                .or_else(|| a["url"][0]["mediaType"].as_str())
                .map(str::to_owned);
            let (width, height) = (
                a["url"][0]["width"]
                    .as_u64()
                    .or_else(|| a["width"].as_u64()),
                a["url"][0]["height"]
                    .as_u64()
                    .or_else(|| a["height"].as_u64()),
            );
            let copied = if author.local {
                self.copy_upload(&href).await
            } else {
                None
            };
            let (url, remote_url, file_key, stored_bytes) = match (&copied, &self.core) {
                (Some((key, bytes)), Some(core)) => {
                    (core.media_url(key), None, Some(key.clone()), *bytes)
                }
                _ => (href.clone(), Some(href.clone()), None, 0),
            };
            attachments.push(Attachment {
                id: Id::generate(published),
                status_id: Some(id),
                account_id: author.id,
                kind: media_type
                    .as_deref()
                    .map(AttachmentKind::from_media_type)
                    .unwrap_or(AttachmentKind::Unknown),
                media_type,
                url,
                remote_url,
                preview_url: None,
                description: a["name"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .map(|n| n.chars().take(1500).collect()),
                blurhash: a["blurhash"]
                    .as_str()
                    .filter(|b| b.len() <= 100)
                    .map(str::to_owned),
                meta: serde_json::json!({"original": {"width": width, "height": height}})
                    .to_string(),
                position: position as i32,
                created_at: Timestamp(published),
                file_key,
                preview_key: None,
                stored_bytes,
                processing: false,
            });
        }

        let poll = self.poll_of(object, id);
        let edits = self.former_versions(object, id, author.local);
        let imported = ImportedStatus {
            new: NewStatus {
                status: status.clone(),
                mentions: mentions.clone(),
                tags: hashtags,
                attachments,
            },
            edits,
            poll: poll.clone(),
            emojis,
        };
        let written = match self.core.clone() {
            Some(core) => {
                let written = core.store.import_status(&imported).await?;
                if !written {
                    self.skip(POSTS, &uri, "its id is taken by another post");
                    return Ok(());
                }
                core.store.link_orphan_replies(&status).await?;
                core.index_for_search(&status).await?;
                let readers = self.home_readers(author.id, author.local, visibility, &mentions);
                core.store.add_to_home_feeds(id, &readers).await?;
                true
            }
            None => true,
        };
        if let Some(poll) = poll {
            let titles = poll.options.iter().map(|o| o.title.clone()).collect();
            self.polls.insert(uri.clone(), (poll.id, titles));
        }
        self.statuses.insert(uri, id);
        self.activity_statuses.insert(activity.id.clone(), id);
        self.outcome(POSTS, written);
        Ok(())
    }

    /// Whose home timelines show a post: its local author, local followers of its author
    /// (unless direct), and the local accounts a direct post is for.
    fn home_readers(
        &self,
        author: Id,
        local: bool,
        visibility: Visibility,
        mentions: &[Id],
    ) -> Vec<Id> {
        let mut readers: HashSet<Id> = HashSet::new();
        if local {
            readers.insert(author);
        }
        if visibility != Visibility::Direct
            && let Some(followers) = self.local_followers.get(&author)
        {
            readers.extend(followers);
        }
        if visibility == Visibility::Direct {
            let locals: HashSet<Id> = self
                .accounts
                .values()
                .filter(|a| a.local)
                .map(|a| a.id)
                .collect();
            readers.extend(mentions.iter().filter(|m| locals.contains(m)));
        }
        readers.into_iter().collect()
    }

    fn poll_of(&self, object: &Value, status_id: Id) -> Option<Poll> {
        let (options, multiple) = match (object["oneOf"].as_array(), object["anyOf"].as_array()) {
            (Some(options), _) => (options, false),
            (None, Some(options)) => (options, true),
            _ => return None,
        };
        let closes = time(&object["closed"]).or_else(|| time(&object["endTime"]));
        Some(Poll {
            id: status_id,
            status_id,
            options: options
                .iter()
                .map(|o| PollOption {
                    title: o["name"].as_str().unwrap_or("").chars().take(200).collect(),
                    votes_count: o["replies"]["totalItems"].as_i64().unwrap_or(0),
                })
                .collect(),
            multiple,
            hide_totals: false,
            expires_at: closes.map(Timestamp),
            voters_count: object["voters"]
                .as_array()
                .map(|v| v.len() as i64)
                .or_else(|| object["votersCount"].as_i64())
                .unwrap_or(0),
            closed: closes.is_some_and(|t| t <= self.now.0),
            updated_at: self.now,
        })
    }

    /// Earlier versions, oldest first (Akkoma lists them newest first).
    fn former_versions(&self, object: &Value, status_id: Id, local: bool) -> Vec<StatusEdit> {
        let items = object["formerRepresentations"]["orderedItems"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        items
            .iter()
            .rev()
            .map(|version| {
                let at = time(&version["updated"])
                    .or_else(|| time(&version["published"]))
                    .unwrap_or(status_id.unix_millis());
                StatusEdit {
                    id: Id::generate(at),
                    status_id,
                    text: if local {
                        version["source"]["content"]
                            .as_str()
                            .unwrap_or("")
                            .to_owned()
                    } else {
                        String::new()
                    },
                    content: rhizome_core::text::sanitize_remote_html(
                        version["content"].as_str().unwrap_or(""),
                        MAX_HTML,
                    ),
                    spoiler_text: version["summary"].as_str().unwrap_or("").to_owned(),
                    sensitive: version["sensitive"].as_bool().unwrap_or(false),
                    created_at: Timestamp(at),
                }
            })
            .collect()
    }

    async fn import_vote(&mut self, activity: &ActivityRow) -> Result<(), ImportError> {
        let object = &activity.object;
        let source = object["id"].as_str().unwrap_or(&activity.id).to_owned();
        let question = id_of(&object["inReplyTo"]).unwrap_or_default();
        let voter = id_of(&object["attributedTo"])
            .or_else(|| id_of(&object["actor"]))
            .unwrap_or_default();
        let (Some((poll_id, titles)), Some(account)) = (
            self.polls.get(&question).cloned(),
            self.account(&voter).cloned(),
        ) else {
            self.skip(VOTES, source, "its poll or its voter was not imported");
            return Ok(());
        };
        let name = object["name"].as_str().unwrap_or("");
        let Some(choice) = titles.iter().position(|t| t == name) else {
            self.skip(VOTES, source, "it names no option of the poll");
            return Ok(());
        };
        let id = ids::from_flake(&activity.id).unwrap_or_else(|| Id::generate(activity.inserted));
        let written = match &self.core {
            Some(core) => {
                core.store
                    .import_poll_vote(
                        id,
                        poll_id,
                        account.id,
                        choice as i64,
                        Some(&source),
                        Timestamp(activity.inserted),
                    )
                    .await?
            }
            None => true,
        };
        self.outcome(VOTES, written);
        Ok(())
    }

    pub(crate) async fn import_boosts(&mut self) -> Result<(), ImportError> {
        let announces = self.each_activity("Announce", "boosts").await?;
        for activity in announces {
            self.progress.advance();
            let data = &activity.data;
            let Some(uri) = data["id"].as_str().map(str::to_owned) else {
                continue;
            };
            let actor = id_of(&data["actor"]).unwrap_or_default();
            let target = id_of(&data["object"]).unwrap_or_default();
            let (Some(booster), Some(boosted)) = (
                self.account(&actor).cloned(),
                self.known_status(&target).await?,
            ) else {
                self.skip(BOOSTS, &uri, "the booster or the post was not imported");
                continue;
            };
            if let Some(existing) = self.known_status(&uri).await? {
                self.statuses.insert(uri, existing);
                self.outcome(BOOSTS, false);
                continue;
            }
            let id =
                ids::from_flake(&activity.id).unwrap_or_else(|| Id::generate(activity.inserted));
            let visibility = match self.visibility(data, booster.followers_url.as_deref()) {
                Visibility::Direct => Visibility::Private,
                other => other,
            };
            let at = time(&data["published"]).unwrap_or(activity.inserted);
            let status = Status {
                id,
                uri: uri.clone(),
                url: None,
                account_id: booster.id,
                in_reply_to_id: None,
                in_reply_to_uri: None,
                in_reply_to_account_id: None,
                reblog_of_id: Some(boosted),
                quote_of_id: None,
                quote_state: None,
                quote_authorization: None,
                quote_policy: None,
                conversation: None,
                text: String::new(),
                content: String::new(),
                content_type: "text/plain".into(),
                spoiler_text: String::new(),
                sensitive: false,
                visibility,
                language: None,
                local: booster.local,
                object_type: "Note".into(),
                title: None,
                application_id: None,
                created_at: Timestamp(at),
                edited_at: None,
                updated_at: Timestamp(at),
            };
            let imported = ImportedStatus {
                new: NewStatus {
                    status,
                    mentions: Vec::new(),
                    tags: Vec::new(),
                    attachments: Vec::new(),
                },
                edits: Vec::new(),
                poll: None,
                emojis: Vec::new(),
            };
            let written = match self.core.clone() {
                Some(core) => {
                    if !core.store.import_status(&imported).await? {
                        self.skip(BOOSTS, &uri, "its id is taken by another post");
                        continue;
                    }
                    let readers = self.home_readers(booster.id, booster.local, visibility, &[]);
                    core.store.add_to_home_feeds(id, &readers).await?;
                    true
                }
                None => true,
            };
            self.statuses.insert(uri, id);
            self.activity_statuses.insert(activity.id.clone(), id);
            self.outcome(BOOSTS, written);
        }
        self.progress.finish_stage();
        Ok(())
    }

    pub(crate) async fn import_interactions(&mut self) -> Result<(), ImportError> {
        let likes = self.each_activity("Like", "favourites").await?;
        for activity in likes {
            self.progress.advance();
            let data = &activity.data;
            let uri = data["id"].as_str().map(str::to_owned);
            let actor = id_of(&data["actor"]).unwrap_or_default();
            let target = id_of(&data["object"]).unwrap_or_default();
            let (Some(account), Some(status)) = (
                self.account(&actor).cloned(),
                self.known_status(&target).await?,
            ) else {
                self.skip(
                    FAVOURITES,
                    &activity.id,
                    "the account or the post was not imported",
                );
                continue;
            };
            let id =
                ids::from_flake(&activity.id).unwrap_or_else(|| Id::generate(activity.inserted));
            let written = match &self.core {
                Some(core) => {
                    core.store
                        .add_mark(
                            Mark::Favourite,
                            id,
                            account.id,
                            status,
                            uri.as_deref(),
                            Timestamp(activity.inserted),
                        )
                        .await?
                }
                None => true,
            };
            self.outcome(FAVOURITES, written);
        }
        self.progress.finish_stage();

        let reactions = self.each_activity("EmojiReact", "reactions").await?;
        for activity in reactions {
            self.progress.advance();
            let data = &activity.data;
            let actor = id_of(&data["actor"]).unwrap_or_default();
            let target = id_of(&data["object"]).unwrap_or_default();
            let (Some(account), Some(status)) = (
                self.account(&actor).cloned(),
                self.known_status(&target).await?,
            ) else {
                self.skip(
                    REACTIONS,
                    &activity.id,
                    "the account or the post was not imported",
                );
                continue;
            };
            let content = data["content"].as_str().unwrap_or("").to_owned();
            let custom = data["tag"].as_array().and_then(|tags| {
                tags.iter()
                    .find_map(|t| (t["type"] == "Emoji").then(|| first_href(&t["icon"]["url"]))?)
            });
            let (emoji, emoji_url) = match custom {
                Some(url) => (content.trim_matches(':').to_owned(), Some(url)),
                None => (content, None),
            };
            if emoji.is_empty() {
                self.skip(REACTIONS, &activity.id, "no emoji");
                continue;
            }
            let reaction = Reaction {
                id: ids::from_flake(&activity.id)
                    .unwrap_or_else(|| Id::generate(activity.inserted)),
                account_id: account.id,
                status_id: status,
                emoji,
                emoji_url,
                uri: data["id"].as_str().map(str::to_owned),
                created_at: Timestamp(activity.inserted),
            };
            let written = match &self.core {
                Some(core) => core.store.add_reaction(&reaction).await?,
                None => true,
            };
            self.outcome(REACTIONS, written);
        }
        self.progress.finish_stage();

        let bookmarks = sqlx::query(&format!(
            "SELECT b.id, u.ap_id, b.activity_id::text AS activity, {at} AS at FROM bookmarks b \
             JOIN users u ON u.id = b.user_id ORDER BY b.id",
            at = millis("b.inserted_at")
        ))
        .fetch_all(&self.source)
        .await?;
        let pins = sqlx::query("SELECT ap_id, pinned_objects::text AS pins FROM users WHERE local")
            .fetch_all(&self.source)
            .await?;
        let tag_follows = sqlx::query(&format!(
            "SELECT u.ap_id, h.name, {at} AS at FROM user_follows_hashtag f \
             JOIN users u ON u.id = f.user_id JOIN hashtags h ON h.id = f.hashtag_id ORDER BY f.id",
            at = millis("h.inserted_at")
        ))
        .fetch_all(&self.source)
        .await?;
        self.progress.stage(
            "bookmarks, pins, hashtags",
            (bookmarks.len() + pins.len() + tag_follows.len()) as u64,
        );
        for row in &bookmarks {
            self.progress.advance();
            let serial: i64 = row.try_get("id")?;
            let ap_id: String = row.try_get("ap_id")?;
            let activity: String = row.try_get("activity")?;
            let at: i64 = row.try_get("at")?;
            let (Some(account), Some(status)) = (
                self.account(&ap_id).cloned(),
                self.activity_statuses.get(&activity).copied(),
            ) else {
                self.skip(
                    BOOKMARKS,
                    serial.to_string(),
                    "the account or the post was not imported",
                );
                continue;
            };
            let written = match &self.core {
                Some(core) => {
                    core.store
                        .add_mark(
                            Mark::Bookmark,
                            ids::from_serial(at, serial),
                            account.id,
                            status,
                            None,
                            Timestamp(at),
                        )
                        .await?
                }
                None => true,
            };
            self.outcome(BOOKMARKS, written);
        }
        for row in &pins {
            self.progress.advance();
            let ap_id: String = row.try_get("ap_id")?;
            let Some(account) = self.account(&ap_id).cloned() else {
                continue;
            };
            let pins = json(row.try_get("pins")?);
            for (object, pinned_at) in pins.as_object().cloned().unwrap_or_default() {
                let Some(status) = self.known_status(&object).await? else {
                    self.skip(PINS, object, "the post was not imported");
                    continue;
                };
                let at = time(&pinned_at).unwrap_or(self.now.0);
                let written = match &self.core {
                    Some(core) => {
                        core.store
                            .add_mark(Mark::Pin, Id(0), account.id, status, None, Timestamp(at))
                            .await?
                    }
                    None => true,
                };
                self.outcome(PINS, written);
            }
        }
        for row in &tag_follows {
            self.progress.advance();
            let ap_id: String = row.try_get("ap_id")?;
            let name: String = row.try_get("name")?;
            let at: i64 = row.try_get("at")?;
            let Some(account) = self.account(&ap_id).cloned() else {
                continue;
            };
            let written = match &self.core {
                Some(core) => {
                    let followed = core.store.followed_tags(account.id).await?;
                    if followed.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
                        false
                    } else {
                        let tag = core
                            .store
                            .ensure_tag(Id::generate(at), &name, Timestamp(at))
                            .await?;
                        core.store
                            .follow_tag(account.id, tag, true, Timestamp(at))
                            .await?;
                        true
                    }
                }
                None => true,
            };
            self.outcome(TAG_FOLLOWS, written);
        }
        self.progress.finish_stage();
        Ok(())
    }

    /// Copies a local upload (`…/media/<file>`) from Akkoma's uploads folder into media
    /// storage, once; returns its key and size. `None` when there is no folder, no such file,
    /// or with `--dry-run` (which only counts the files it finds).
    pub(crate) async fn copy_upload(&mut self, href: &str) -> Option<(String, i64)> {
        let folder = self.options.uploads.clone()?;
        let path = url::Url::parse(href).ok()?.path().to_owned();
        let relative = path
            .strip_prefix("/media/")
            .unwrap_or(path.trim_start_matches('/'))
            .to_owned();
        let key = format!("akkoma/{relative}");
        if !valid_key(&key) {
            return None;
        }
        let file = folder.join(&relative);
        let Ok(bytes) = tokio::fs::read(&file).await else {
            self.skip(
                MEDIA,
                href,
                format!("not in the uploads folder ({})", file.display()),
            );
            return None;
        };
        let size = bytes.len() as i64;
        let Some(core) = self.core.clone() else {
            self.outcome(MEDIA, true);
            return None;
        };
        let written = match core.media.exists(&key).await {
            Ok(true) => false,
            Ok(false) => match core.media.put(&key, bytes).await {
                Ok(()) => true,
                Err(err) => {
                    self.skip(MEDIA, href, format!("storing it failed: {err}"));
                    return None;
                }
            },
            Err(err) => {
                self.skip(MEDIA, href, format!("media storage: {err}"));
                return None;
            }
        };
        self.outcome(MEDIA, written);
        Some((key, size))
    }
}

fn emoji_map(value: &Value) -> Vec<EmojiRef> {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .filter_map(|(shortcode, url)| {
                    Some(EmojiRef {
                        shortcode: shortcode.clone(),
                        url: url.as_str()?.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}
