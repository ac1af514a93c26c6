//! Custom emoji: this instance's own (added by admins, used as `:shortcode:` in posts and
//! federated as `Emoji` tags), and those of remote posts, kept per post.

use rhizome_model::{EmojiRef, Id};
use rhizome_store::CustomEmoji;

use crate::media::process;
use crate::{Core, CoreError};

/// Mastodon's limit for a custom emoji image.
pub const MAX_EMOJI_BYTES: usize = 256 * 1024;
/// Emoji are shown small: the image is fitted in this square.
const EMOJI_SIDE: u32 = 128;
/// The most custom emoji kept for one remote post.
const MAX_EMOJIS_PER_POST: usize = 50;

fn valid_shortcode(shortcode: &str) -> bool {
    (2..=64).contains(&shortcode.len())
        && shortcode
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The `:shortcode:`s in a text, each once. As Mastodon reads them, the colons must not
/// touch a letter, a digit or another colon (`12:30:00` and `a:b:c` hold none).
pub fn shortcodes_in(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let blocks = |i: usize| {
        bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b':')
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' && (i == 0 || !blocks(i - 1)) {
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            if end < bytes.len() && bytes[end] == b':' && !blocks(end + 1) {
                let candidate = &text[start..end];
                if valid_shortcode(candidate) {
                    found.push(candidate);
                }
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    found.sort_unstable();
    found.dedup();
    found
}

impl Core {
    /// Adds a custom emoji from an image file (PNG, GIF or WebP; checked, stripped and fitted
    /// in 128 px).
    pub async fn add_custom_emoji(
        &self,
        shortcode: &str,
        bytes: Vec<u8>,
        category: Option<String>,
    ) -> Result<CustomEmoji, CoreError> {
        if !valid_shortcode(shortcode) {
            return Err(CoreError::invalid(
                "a shortcode has 2 to 64 letters, digits or underscores",
            ));
        }
        if bytes.len() > MAX_EMOJI_BYTES {
            return Err(CoreError::invalid(format!(
                "emoji images must be smaller than {}",
                process::human_size(MAX_EMOJI_BYTES as u64)
            )));
        }
        let detected = infer::get(&bytes).map(|t| t.mime_type()).unwrap_or("");
        if !matches!(detected, "image/png" | "image/gif" | "image/webp") {
            return Err(CoreError::invalid(
                "an emoji must be a PNG, GIF or WebP image",
            ));
        }
        let limits = self.config.media.limits();
        let picture = tokio::task::spawn_blocking(move || {
            process::process_profile_image(
                &bytes,
                &limits,
                EMOJI_SIDE,
                EMOJI_SIDE,
                process::Fit::Emoji,
            )
        })
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))??;
        let now = self.clock.now();
        let key = format!("emoji/{shortcode}-{}.{}", now.0, picture.extension);
        let stored_bytes = picture.file.len() as i64;
        self.media.put(&key, picture.file).await?;
        let emoji = CustomEmoji {
            id: Id::generate(now.0),
            shortcode: shortcode.to_owned(),
            domain: None,
            url: self.media_url(&key),
            file_key: Some(key.clone()),
            media_type: picture.media_type.to_owned(),
            stored_bytes,
            category: category.filter(|c| !c.trim().is_empty()),
            visible_in_picker: true,
            created_at: now,
        };
        if let Err(err) = self.store.insert_custom_emoji(&emoji).await {
            let _ = self.media.delete(&key).await;
            return Err(err.into());
        }
        Ok(emoji)
    }

    /// This instance's custom emoji, their URLs made from their storage keys (so that they
    /// follow `storage.media_base_url` and the back end).
    pub async fn custom_emojis(&self) -> Result<Vec<CustomEmoji>, CoreError> {
        let mut emojis = self.store.local_custom_emojis().await?;
        for emoji in &mut emojis {
            if let Some(key) = &emoji.file_key {
                emoji.url = self.media_url(key);
            }
        }
        Ok(emojis)
    }

    /// Removes a custom emoji; posts that used it keep their link until the file goes.
    pub async fn remove_custom_emoji(&self, shortcode: &str) -> Result<(), CoreError> {
        let emoji = self
            .store
            .delete_local_custom_emoji(shortcode)
            .await?
            .ok_or(CoreError::NotFound)?;
        if let Some(key) = emoji.file_key {
            self.delete_files_later(vec![key], crate::media::DELETED_MEDIA_DELAY)
                .await?;
        }
        Ok(())
    }

    /// Our custom emoji used in a local post's text and content warning.
    pub(crate) async fn local_emojis_in(&self, texts: &[&str]) -> Result<Vec<EmojiRef>, CoreError> {
        let mut wanted: Vec<&str> = texts.iter().flat_map(|t| shortcodes_in(t)).collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        wanted.sort_unstable();
        wanted.dedup();
        Ok(self
            .custom_emojis()
            .await?
            .into_iter()
            .filter(|e| wanted.contains(&e.shortcode.as_str()))
            .map(|e| EmojiRef {
                shortcode: e.shortcode,
                url: e.url,
            })
            .collect())
    }

    /// The custom emoji of a remote post, from its tags: http(s) images only, bounded.
    pub(crate) fn remote_emojis(
        emojis: &[rhizome_federation::vocab::incoming::Emoji],
    ) -> Vec<EmojiRef> {
        emojis
            .iter()
            .filter(|e| valid_shortcode(e.shortcode()))
            .filter(|e| matches!(e.icon_url.scheme(), "http" | "https"))
            .take(MAX_EMOJIS_PER_POST)
            .map(|e| EmojiRef {
                shortcode: e.shortcode().to_owned(),
                url: e.icon_url.to_string(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::shortcodes_in;

    #[test]
    fn shortcodes_are_found_between_colons() {
        assert_eq!(
            shortcodes_in("hi :blobcat: and :blobcat:! :x: a:b"),
            ["blobcat"]
        );
        assert_eq!(shortcodes_in(":one: :two_2:"), ["one", "two_2"]);
        assert!(shortcodes_in("time 12:30:00, ratio a:bc:d, ::").is_empty());
        assert_eq!(shortcodes_in("(:party:)"), ["party"]);
    }
}
