//! Local posts meet the policy chain before they are stored, as Akkoma's do: a rejection is
//! the author's error, a rewrite (keywords replaced, marked sensitive, media stripped,
//! narrower addressing) changes the post itself, so local and remote readers see the same.

use rhizome_federation::vocab::is_public;
use rhizome_model::{Account, Id, Visibility};
use serde_json::{Value, json};

use super::chain::addresses;
use super::{Direction, Verdict};
use crate::federation::ap::addressing;
use crate::{Core, CoreError};

/// What the policies judge of a local post, and what they may change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LocalPost {
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub tags: Vec<String>,
    pub mentions: Vec<Id>,
    pub has_media: bool,
    /// Judged with the text (a rejected keyword in an option rejects the post), not rewritten.
    pub poll_options: Vec<String>,
}

impl Core {
    /// Runs a local post (a new one, or an edit: `kind` is `Create` or `Update`) through the
    /// policies that judge local activities. Returns the post as they left it; a rejection is
    /// `Invalid` with the policy and its reason.
    pub(crate) async fn judge_local_post(
        &self,
        author: &Account,
        kind: &str,
        post: LocalPost,
    ) -> Result<LocalPost, CoreError> {
        let chain = self.policy_chain().await?;
        if !chain
            .names()
            .into_iter()
            .any(|n| Direction::Local.applies(n))
        {
            return Ok(post);
        }
        let followers = author
            .followers_url
            .clone()
            .unwrap_or_else(|| self.urls.followers(&author.username));
        let mentioned = self.store.accounts_by_ids(&post.mentions).await?;
        // A local-only post is judged as a public one: it is public here.
        let judged_as = match post.visibility {
            Visibility::Local => Visibility::Public,
            other => other,
        };
        let (to, cc) = addressing(judged_as, &followers, &mentioned)?;
        let (to, cc): (Vec<String>, Vec<String>) = (
            to.iter().map(ToString::to_string).collect(),
            cc.iter().map(ToString::to_string).collect(),
        );
        let mut tag: Vec<Value> = post
            .tags
            .iter()
            .map(|t| json!({"type": "Hashtag", "name": format!("#{t}")}))
            .collect();
        tag.extend(
            mentioned
                .iter()
                .map(|account| json!({"type": "Mention", "href": account.uri})),
        );
        let attachment: Vec<Value> = if post.has_media {
            vec![json!({"type": "Document"})]
        } else {
            Vec::new()
        };
        let activity = json!({
            "type": kind,
            "actor": author.uri,
            "to": to,
            "cc": cc,
            "object": {
                "type": "Note",
                "attributedTo": author.uri,
                "content": post.content,
                "summary": post.spoiler_text,
                "sensitive": post.sensitive,
                "to": to,
                "cc": cc,
                "tag": tag,
                "attachment": attachment,
                "oneOf": post
                    .poll_options
                    .iter()
                    .map(|option| json!({"type": "Note", "name": option}))
                    .collect::<Vec<_>>(),
            },
        });
        let (activity, rewrites) = match self
            .filter_with(&chain, Direction::Local, Some(author), activity)
            .await?
        {
            Verdict::Accept { activity, rewrites } => (activity, rewrites),
            Verdict::Reject { policy, reason } => {
                return Err(CoreError::invalid(format!(
                    "This post is refused by the instance's {policy} policy: {reason}"
                )));
            }
        };
        if rewrites.is_empty() {
            return Ok(post);
        }
        let object = activity.get("object").cloned().unwrap_or(Value::Null);
        let text = |key: &str, before: &str| {
            object
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or(before)
                .to_owned()
        };
        let has_media = post.has_media
            && object
                .get("attachment")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
        let now_addressed = visibility_of(&object, &followers);
        Ok(LocalPost {
            content: text("content", &post.content),
            spoiler_text: text("summary", &post.spoiler_text),
            sensitive: post.sensitive || object.get("sensitive") == Some(&Value::Bool(true)),
            visibility: narrower(post.visibility, now_addressed),
            has_media,
            ..post
        })
    }
}

/// The visibility an object's addressing amounts to.
fn visibility_of(object: &Value, followers: &str) -> Visibility {
    let (to, cc) = (addresses(object.get("to")), addresses(object.get("cc")));
    if to.iter().any(|a| is_public(a)) {
        Visibility::Public
    } else if cc.iter().any(|a| is_public(a)) {
        Visibility::Unlisted
    } else if to.iter().chain(&cc).any(|a| a == followers) {
        Visibility::Private
    } else {
        Visibility::Direct
    }
}

/// Policies only ever narrow who sees a post; a local-only post stays local-only unless it
/// became followers-only or narrower.
fn narrower(before: Visibility, after: Visibility) -> Visibility {
    let rank = |v: Visibility| match v {
        Visibility::Public | Visibility::Local => 0,
        Visibility::Unlisted => 1,
        Visibility::Private => 2,
        Visibility::Direct => 3,
    };
    if rank(after) <= rank(before) {
        return before;
    }
    match (before, after) {
        (Visibility::Local, Visibility::Unlisted) => Visibility::Local,
        (_, after) => after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_only_narrow_visibility() {
        assert_eq!(
            narrower(Visibility::Public, Visibility::Unlisted),
            Visibility::Unlisted
        );
        assert_eq!(
            narrower(Visibility::Private, Visibility::Public),
            Visibility::Private
        );
        assert_eq!(
            narrower(Visibility::Local, Visibility::Unlisted),
            Visibility::Local
        );
        assert_eq!(
            narrower(Visibility::Local, Visibility::Private),
            Visibility::Private
        );
    }

    #[test]
    fn addressing_reads_back_as_the_same_visibility() {
        let followers = "https://here.test/users/a/followers";
        for visibility in [
            Visibility::Public,
            Visibility::Unlisted,
            Visibility::Private,
            Visibility::Direct,
        ] {
            let (to, cc) = addressing(visibility, followers, &[]).expect("valid addresses");
            let object = json!({"to": to, "cc": cc});
            assert_eq!(visibility_of(&object, followers), visibility);
        }
    }
}
