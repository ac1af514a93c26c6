//! A user's posting defaults: the visibility, sensitive flag and language a post gets when
//! the client leaves them out (Mastodon's `source[privacy]`, `source[sensitive]`,
//! `source[language]`).

use rhizome_model::{Id, PostingDefaults, Visibility};

use crate::{Core, CoreError};

/// Changes to the posting defaults; `None` keeps a value. `language: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PostingDefaultsUpdate {
    pub visibility: Option<Visibility>,
    pub sensitive: Option<bool>,
    pub language: Option<Option<String>>,
}

/// An ISO 639 code (`en`, `fr`, `ast`), lower case; blank means none.
fn language_code(text: &str) -> Result<Option<String>, CoreError> {
    let code = text.trim().to_ascii_lowercase();
    if code.is_empty() {
        return Ok(None);
    }
    if (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(Some(code))
    } else {
        Err(CoreError::invalid(format!(
            "language {text:?} is not an ISO 639 code"
        )))
    }
}

impl Core {
    /// What the user's posts get by default (public, not sensitive, no language until they
    /// choose). The web client's compose form preselects these.
    pub async fn posting_defaults(&self, account_id: Id) -> Result<PostingDefaults, CoreError> {
        Ok(self
            .store
            .posting_defaults(account_id)
            .await?
            .unwrap_or_default())
    }

    /// Changes the user's posting defaults. A direct default is refused, as Mastodon does:
    /// a post should not become private to its mentions by accident.
    pub async fn set_posting_defaults(
        &self,
        account_id: Id,
        update: PostingDefaultsUpdate,
    ) -> Result<PostingDefaults, CoreError> {
        let mut defaults = self.posting_defaults(account_id).await?;
        if let Some(visibility) = update.visibility {
            if visibility == Visibility::Direct {
                return Err(CoreError::invalid(
                    "the default visibility must be public, unlisted, private or local",
                ));
            }
            defaults.visibility = visibility;
        }
        if let Some(sensitive) = update.sensitive {
            defaults.sensitive = sensitive;
        }
        if let Some(language) = update.language {
            defaults.language = match language {
                Some(text) => language_code(&text)?,
                None => None,
            };
        }
        self.store
            .set_posting_defaults(account_id, &defaults, self.clock.now())
            .await?;
        Ok(defaults)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn languages_are_iso_639_codes() {
        assert_eq!(super::language_code(" FR ").unwrap().as_deref(), Some("fr"));
        assert_eq!(super::language_code("ast").unwrap().as_deref(), Some("ast"));
        assert_eq!(super::language_code("").unwrap(), None);
        for bad in ["f", "fren", "f1", "fr-CA", "é"] {
            assert!(super::language_code(bad).is_err(), "{bad}");
        }
    }
}
