//! FEP-044f approval stamps: `QuoteAuthorization` documents.

use serde_json::Value;
use url::Url;

use crate::vocab::VocabError;
use crate::vocab::json::Node;

/// A quoted author's statement that one post may quote one of theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteAuthorization {
    pub id: Url,
    /// Who approved: the author of `interaction_target`.
    pub attributed_to: Url,
    /// The quote post.
    pub interacting_object: Url,
    /// The quoted post.
    pub interaction_target: Url,
}

impl QuoteAuthorization {
    /// Reads a stamp; a document of another type, or missing any of the four references,
    /// is refused (a stamp that does not say what it approves approves nothing).
    pub fn from_json(value: &Value) -> Result<Self, VocabError> {
        let node = Node::of(value).ok_or(VocabError::NotAnObject)?;
        if !node.has_type("QuoteAuthorization") {
            return Err(VocabError::WrongType {
                expected: "a QuoteAuthorization",
                found: node
                    .type_names()
                    .first()
                    .copied()
                    .unwrap_or("")
                    .chars()
                    .take(64)
                    .collect(),
            });
        }
        Ok(QuoteAuthorization {
            id: node.id().ok_or(VocabError::MissingField("id"))?,
            attributed_to: node
                .reference("attributedTo")
                .ok_or(VocabError::MissingField("attributedTo"))?,
            interacting_object: node
                .reference("interactingObject")
                .ok_or(VocabError::MissingField("interactingObject"))?,
            interaction_target: node
                .reference("interactionTarget")
                .ok_or(VocabError::MissingField("interactionTarget"))?,
        })
    }
}
