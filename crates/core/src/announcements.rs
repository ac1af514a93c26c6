//! Announcements: written by admins (from the CLI), shown to every user until they end, each
//! user dismissing (reading) them and reacting with emoji on their own.

use rhizome_model::{Account, EmojiRef, Id, LocalUser, Timestamp};
use rhizome_store::{Announcement, AnnouncementReaction};

use crate::events::Event;
use crate::text::ContentType;
use crate::{Core, CoreError};

/// A job that tells streaming clients of a new or removed announcement. Admins act from the
/// CLI, another process: a worker of the server publishes the event where clients listen.
pub const ANNOUNCEMENT_EVENT: &str = "announcement_event";

/// What an admin sets on a new announcement.
#[derive(Debug, Clone, Default)]
pub struct NewAnnouncement {
    pub text: String,
    pub starts_at: Option<Timestamp>,
    pub ends_at: Option<Timestamp>,
    pub all_day: bool,
}

/// What an admin changes in an announcement; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct AnnouncementEdit {
    pub text: Option<String>,
    pub starts_at: Option<Option<Timestamp>>,
    pub ends_at: Option<Option<Timestamp>>,
    pub all_day: Option<bool>,
}

/// An announcement as one user sees it.
#[derive(Debug, Clone)]
pub struct AnnouncementView {
    pub announcement: Announcement,
    /// Whether the user dismissed it.
    pub read: bool,
    pub mentions: Vec<Account>,
    /// Our custom emoji used in its text.
    pub emojis: Vec<EmojiRef>,
    pub reactions: Vec<AnnouncementReaction>,
    /// Our public and unlisted posts its text links, in order (Mastodon's `statuses`).
    pub statuses: Vec<rhizome_model::Status>,
}

/// Links of an announcement looked at for posts, at most.
const MAX_STATUS_LINKS: usize = 20;

/// Whether `name` looks like one Unicode emoji (a pictograph, possibly with modifiers, joiners,
/// variation selectors, a keycap or a flag's regional indicators), not text.
fn is_unicode_emoji(name: &str) -> bool {
    let pictograph = |c: char| {
        matches!(c as u32,
            0x00A9 | 0x00AE | 0x203C | 0x2049 | 0x2122 | 0x2139 | 0x2194..=0x21AA
            | 0x231A..=0x23FF | 0x24C2 | 0x25AA..=0x27BF | 0x2934 | 0x2935 | 0x2B05..=0x2B55
            | 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x1F000..=0x1FAFF)
    };
    let joiner = |c: char| {
        matches!(
            c as u32,
            0x200D | 0xFE0E | 0xFE0F | 0x20E3 | 0xE0020..=0xE007F
        )
    };
    let keycap_base = |c: char| c.is_ascii_digit() || c == '#' || c == '*';
    let chars: Vec<char> = name.chars().collect();
    !chars.is_empty()
        && chars.len() <= 16
        && chars
            .iter()
            .all(|c| pictograph(*c) || joiner(*c) || keycap_base(*c))
        && (chars.iter().any(|c| pictograph(*c)) || chars.contains(&'\u{20E3}'))
}

impl Core {
    /// Publishes an announcement; its text is rendered like a post's (mentions, hashtags,
    /// links).
    pub async fn create_announcement(
        &self,
        new: NewAnnouncement,
    ) -> Result<Announcement, CoreError> {
        let text = new.text.trim();
        if text.is_empty() {
            return Err(CoreError::invalid("Text can't be blank"));
        }
        if let (Some(starts), Some(ends)) = (new.starts_at, new.ends_at)
            && ends <= starts
        {
            return Err(CoreError::invalid("ends_at must be after starts_at"));
        }
        let rendered = self.render_post(text, ContentType::Plain).await?;
        let now = self.clock.now();
        let announcement = Announcement {
            id: Id::generate(now.0),
            text: text.to_owned(),
            content: rendered.content,
            mention_ids: rendered.mentions,
            tags: rendered.tags,
            starts_at: new.starts_at,
            ends_at: new.ends_at,
            all_day: new.all_day,
            published_at: now,
            updated_at: now,
        };
        self.store.insert_announcement(&announcement).await?;
        self.enqueue(
            ANNOUNCEMENT_EVENT,
            &Event::Announcement {
                announcement_id: announcement.id,
            },
            None,
        )
        .await?;
        Ok(announcement)
    }

    /// Changes an announcement: its text is rendered again, `updated_at` moves and
    /// `published_at` stays, and streaming clients get it anew (as Mastodon sends it).
    pub async fn edit_announcement(
        &self,
        id: Id,
        edit: AnnouncementEdit,
    ) -> Result<Announcement, CoreError> {
        let mut announcement = self
            .store
            .announcement(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        if let Some(text) = edit.text {
            let text = text.trim();
            if text.is_empty() {
                return Err(CoreError::invalid("Text can't be blank"));
            }
            let rendered = self.render_post(text, ContentType::Plain).await?;
            announcement.text = text.to_owned();
            announcement.content = rendered.content;
            announcement.mention_ids = rendered.mentions;
            announcement.tags = rendered.tags;
        }
        if let Some(starts_at) = edit.starts_at {
            announcement.starts_at = starts_at;
        }
        if let Some(ends_at) = edit.ends_at {
            announcement.ends_at = ends_at;
        }
        if let Some(all_day) = edit.all_day {
            announcement.all_day = all_day;
        }
        if let (Some(starts), Some(ends)) = (announcement.starts_at, announcement.ends_at)
            && ends <= starts
        {
            return Err(CoreError::invalid("ends_at must be after starts_at"));
        }
        announcement.updated_at = self.clock.now();
        if !self.store.update_announcement(&announcement).await? {
            return Err(CoreError::NotFound);
        }
        self.enqueue(
            ANNOUNCEMENT_EVENT,
            &Event::Announcement {
                announcement_id: announcement.id,
            },
            None,
        )
        .await?;
        Ok(announcement)
    }

    /// Every announcement, ended or not, in the order users see them (for admins).
    pub async fn all_announcements(&self) -> Result<Vec<Announcement>, CoreError> {
        Ok(self.store.announcements(None).await?)
    }

    pub async fn remove_announcement(&self, id: Id) -> Result<(), CoreError> {
        if !self.store.delete_announcement(id).await? {
            return Err(CoreError::NotFound);
        }
        self.enqueue(
            ANNOUNCEMENT_EVENT,
            &Event::AnnouncementDelete {
                announcement_id: id,
            },
            None,
        )
        .await?;
        Ok(())
    }

    /// The announcements that have not ended, in order of their events; those the user dismissed only
    /// with `with_dismissed`. As on Mastodon, `starts_at` and `ends_at` describe an event: an
    /// announcement of one to come is shown already, and goes once it has ended.
    pub async fn announcements_for(
        &self,
        user: &LocalUser,
        with_dismissed: bool,
    ) -> Result<Vec<AnnouncementView>, CoreError> {
        let active = self.store.announcements(Some(self.clock.now())).await?;
        self.announcement_views(user, active, with_dismissed).await
    }

    async fn announcement_views(
        &self,
        user: &LocalUser,
        announcements: Vec<Announcement>,
        with_dismissed: bool,
    ) -> Result<Vec<AnnouncementView>, CoreError> {
        let me = user.account.id;
        let ids: Vec<Id> = announcements.iter().map(|a| a.id).collect();
        let dismissed = self.store.dismissed_announcements(me, &ids).await?;
        let mut reactions = self.store.announcement_reactions(&ids, me).await?;
        let mut views = Vec::new();
        for announcement in announcements {
            let read = dismissed.contains(&announcement.id);
            if read && !with_dismissed {
                continue;
            }
            let mentions = self
                .store
                .accounts_by_ids(&announcement.mention_ids)
                .await?
                .into_iter()
                .filter(|a| a.suspended_at.is_none())
                .collect();
            let emojis = self.local_emojis_in(&[&announcement.text]).await?;
            let statuses = self.linked_statuses(&announcement.content).await?;
            views.push(AnnouncementView {
                statuses,
                reactions: reactions.remove(&announcement.id).unwrap_or_default(),
                read,
                mentions,
                emojis,
                announcement,
            });
        }
        Ok(views)
    }

    /// The local posts anyone may see that `html` links to, by their page (`/notice/:id`) or
    /// their ActivityPub id, in order and once each.
    async fn linked_statuses(&self, html: &str) -> Result<Vec<rhizome_model::Status>, CoreError> {
        let base = self.urls.base();
        let mut found: Vec<rhizome_model::Status> = Vec::new();
        let links = crate::trends::links_in(html);
        for link in links.iter().take(MAX_STATUS_LINKS) {
            let Some(path) = link.strip_prefix(base).filter(|p| p.starts_with('/')) else {
                continue;
            };
            let path = path.split(['?', '#']).next().unwrap_or_default();
            let status = match path.strip_prefix("/notice/") {
                Some(id) => match id.trim_end_matches('/').parse::<Id>() {
                    Ok(id) => self.store.status(id).await?,
                    Err(_) => None,
                },
                None => self.store.status_by_ap_id(&format!("{base}{path}")).await?,
            };
            if let Some(status) = status
                && status.local
                && !status.is_reblog()
                && matches!(
                    status.visibility,
                    rhizome_model::Visibility::Public | rhizome_model::Visibility::Unlisted
                )
                && !found.iter().any(|s| s.id == status.id)
            {
                found.push(status);
            }
        }
        Ok(found)
    }

    /// One announcement as `user` sees it, if it has not ended.
    pub async fn announcement_view(
        &self,
        user: &LocalUser,
        id: Id,
    ) -> Result<AnnouncementView, CoreError> {
        let announcement = self.active_announcement(id).await?;
        self.announcement_views(user, vec![announcement], true)
            .await?
            .pop()
            .ok_or(CoreError::NotFound)
    }

    /// An announcement users can act on: one that exists and has not ended.
    async fn active_announcement(&self, id: Id) -> Result<Announcement, CoreError> {
        match self.store.announcement(id).await? {
            Some(a) if a.ends_at.is_none_or(|end| end > self.clock.now()) => Ok(a),
            _ => Err(CoreError::NotFound),
        }
    }

    /// Marks an announcement read for the user.
    pub async fn dismiss_announcement(&self, user: &LocalUser, id: Id) -> Result<(), CoreError> {
        let announcement = self.active_announcement(id).await?;
        Ok(self
            .store
            .dismiss_announcement(announcement.id, user.account.id)
            .await?)
    }

    /// Adds (or with `present == false` takes back) the user's reaction: a Unicode emoji, or
    /// the shortcode of one of our custom emoji.
    pub async fn react_to_announcement(
        &self,
        user: &LocalUser,
        id: Id,
        name: &str,
        present: bool,
    ) -> Result<(), CoreError> {
        let announcement = self.active_announcement(id).await?;
        let name = name.trim().trim_matches(':');
        let known = is_unicode_emoji(name)
            || self
                .custom_emojis()
                .await?
                .iter()
                .any(|e| e.shortcode == name);
        // Taking back is allowed whatever the name, so that a removed emoji can be undone.
        if present && !known {
            return Err(CoreError::invalid("Name is not a recognized emoji"));
        }
        let changed = self
            .store
            .set_announcement_reaction(
                announcement.id,
                user.account.id,
                name,
                present,
                self.clock.now(),
            )
            .await?;
        if changed {
            let count = self
                .store
                .announcement_reactions(&[announcement.id], user.account.id)
                .await?
                .remove(&announcement.id)
                .unwrap_or_default()
                .into_iter()
                .find(|r| r.name == name)
                .map_or(0, |r| r.count);
            self.events.publish(Event::AnnouncementReaction {
                announcement_id: announcement.id,
                name: name.to_owned(),
                count,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_unicode_emoji;

    #[test]
    fn unicode_emoji_are_told_from_text() {
        for emoji in ["🍵", "👍🏽", "❤️", "👩‍💻", "🇫🇷", "1️⃣", "☕"] {
            assert!(is_unicode_emoji(emoji), "{emoji}");
        }
        for text in ["", "a", "tea", "é", "日本", "#", "1", "🍵 tea", ":blobcat:"] {
            assert!(!is_unicode_emoji(text), "{text}");
        }
    }
}
