//! Quote posts with consent (FEP-044f, Mastodon 4.5): who may quote a post, asking the
//! quoted author, answering such requests for local posts, approval stamps and revocation.

use rhizome_federation::http::host_of;
use rhizome_federation::vocab::incoming::{
    Activity, ActivityKind, Embedded, ObjectOrLink, PostView, QuoteAuthorization,
};
use rhizome_federation::vocab::outgoing::ActivityType;
use rhizome_federation::vocab::{self, is_public};
use rhizome_model::{
    Account, Id, LocalUser, NotificationKind, QuoteDecision, QuotePolicy, QuoteState, Status,
    Visibility,
};
use rhizome_store::FollowTable;
use serde_json::{Value, json};
use url::Url;

use crate::federation::ap::{activity, inner_activity, to_json, url};
use crate::federation::resolve::fetch_failed;
use crate::{Core, CoreError};

/// The suffix of the id of the QuoteRequest we send for one of our posts.
const QUOTE_REQUEST_SUFFIX: &str = "#quote-request";

/// Whether a post can be passed on at all: only these may be quoted by others.
fn distributable(visibility: Visibility) -> bool {
    matches!(
        visibility,
        Visibility::Public | Visibility::Unlisted | Visibility::Local
    )
}

/// A local post's policy, as asked for (Mastodon's default: anyone), narrowed to nobody for
/// posts that cannot be passed on (as Mastodon does).
pub fn local_policy(visibility: Visibility, asked: Option<QuotePolicy>) -> QuotePolicy {
    if distributable(visibility) {
        asked.unwrap_or(QuotePolicy {
            automatic: QuotePolicy::PUBLIC,
            manual: 0,
        })
    } else {
        QuotePolicy::NOBODY
    }
}

impl Core {
    /// What `quoter` may do about quoting `quoted` (Mastodon's `current_user`).
    pub async fn quote_decision(
        &self,
        quoted: &Status,
        quoter: Option<Id>,
    ) -> Result<QuoteDecision, CoreError> {
        let Some(quoter) = quoter else {
            return Ok(QuoteDecision::Denied);
        };
        if quoted.is_reblog() || quoted.visibility == Visibility::Direct {
            return Ok(QuoteDecision::Denied);
        }
        if quoted.account_id == quoter {
            return Ok(QuoteDecision::Automatic);
        }
        if !distributable(quoted.visibility) {
            return Ok(QuoteDecision::Denied);
        }
        // A server that states no policy has no way to approve: its posts are quoted as
        // before consent existed (Akkoma, Misskey), and Mastodon apps are told "unknown".
        let Some(policy) = quoted.quote_policy else {
            return Ok(QuoteDecision::Unknown);
        };
        let bits = policy.automatic | policy.manual;
        let follows_author = bits & QuotePolicy::FOLLOWERS != 0
            && self
                .store
                .follow_between(FollowTable::Follows, quoter, quoted.account_id)
                .await?
                .is_some();
        let followed_by_author = bits & QuotePolicy::FOLLOWING != 0
            && self
                .store
                .follow_between(FollowTable::Follows, quoted.account_id, quoter)
                .await?
                .is_some();
        Ok(policy.decide(|| follows_author, || followed_by_author))
    }

    /// How a new local quote of `quoted` by `author` starts: refused when the policy denies
    /// it, else accepted at once (with our stamp, for a local post approved automatically,
    /// or for a remote post whose server knows no consent) or pending an answer.
    pub(crate) async fn new_quote_state(
        &self,
        author: &LocalUser,
        quoted: &Status,
        quoting_id: Id,
    ) -> Result<(QuoteState, Option<String>), CoreError> {
        let decision = self.quote_decision(quoted, Some(author.account.id)).await?;
        let blocked = quoted.account_id != author.account.id
            && self
                .store
                .blocked_either_way(author.account.id, quoted.account_id)
                .await?;
        if decision == QuoteDecision::Denied || blocked {
            return Err(CoreError::Forbidden("This action is not allowed".into()));
        }
        Ok(match (quoted.local, decision) {
            (true, QuoteDecision::Automatic) => (
                QuoteState::Accepted,
                Some(self.urls.quote_authorization(quoting_id)),
            ),
            (true, _) => (QuoteState::Pending, None),
            (false, _) if quoted.quote_policy.is_none() => (QuoteState::Accepted, None),
            (false, _) => (QuoteState::Pending, None),
        })
    }

    /// Asks the remote author of the post `status` quotes for approval (a QuoteRequest
    /// with the quote post embedded), when the quote is pending.
    pub(crate) async fn request_quote_approval(
        &self,
        author: &LocalUser,
        status: &Status,
    ) -> Result<(), CoreError> {
        if status.quote_state != Some(QuoteState::Pending) {
            return Ok(());
        }
        let Some(quoted) = self.quoted_status_of(status).await? else {
            return Ok(());
        };
        let Some(quoted_author) = self.store.account(quoted.account_id).await? else {
            return Ok(());
        };
        if quoted_author.is_local() {
            return Ok(());
        }
        let id = format!("{}{QUOTE_REQUEST_SUFFIX}", status.uri);
        let mut payload = activity(
            ActivityType::QuoteRequest,
            &id,
            &author.account.uri,
            url(&quoted.uri)?,
            vec![url(&quoted_author.uri)?],
            vec![],
        )?;
        payload["instrument"] = self.status_document(status).await?;
        let inbox = quoted_author
            .inbox_url
            .clone()
            .or_else(|| quoted_author.shared_inbox_url.clone());
        self.send_activity(
            Some(author),
            "QuoteRequest",
            &id,
            payload,
            inbox.into_iter().collect(),
        )
        .await
    }

    async fn quoted_status_of(&self, status: &Status) -> Result<Option<Status>, CoreError> {
        Ok(match status.quote_of_id {
            Some(id) => self.store.status(id).await?,
            None => None,
        })
    }

    /// A remote server asks us to approve a quote of a local post: answered at once by the
    /// post's policy (Accept with our stamp, or Reject). Requests the policy leaves to the
    /// author's judgement stay pending: Mastodon 4.5 has no API to answer them by hand (nor a
    /// notification), and local policies, set through its API, never ask for one.
    pub(crate) async fn incoming_quote_request(
        &self,
        actor: &Account,
        request: &Activity,
    ) -> Result<(), CoreError> {
        let quoted_uri = request.object_id().ok_or(CoreError::NotFound)?;
        let quoted = self
            .store
            .status_by_ap_id(quoted_uri.as_str())
            .await?
            .filter(|s| s.local)
            .ok_or(CoreError::NotFound)?;
        let quoting_uri = request
            .instrument
            .as_ref()
            .and_then(ObjectOrLink::id)
            .ok_or_else(|| CoreError::invalid("a QuoteRequest without its quote post"))?;
        // The quote post is taken from its origin, never from the request.
        let quoting = match self.store.status_by_ap_id(quoting_uri.as_str()).await? {
            Some(found) => found,
            None => self.resolve_status(quoting_uri.as_str()).await?,
        };
        if quoting.account_id != actor.id || quoting.quote_of_id != Some(quoted.id) {
            return Err(CoreError::Forbidden(
                "the quote post is not the requester's quote of this post".into(),
            ));
        }
        let Some(author) = self.store.local_user(quoted.account_id).await? else {
            return Err(CoreError::NotFound);
        };
        let mut decision = self.quote_decision(&quoted, Some(actor.id)).await?;
        if self
            .store
            .blocked_either_way(actor.id, quoted.account_id)
            .await?
        {
            decision = QuoteDecision::Denied;
        }
        let answer = match decision {
            QuoteDecision::Automatic => ActivityType::Accept,
            QuoteDecision::Manual => return Ok(()),
            QuoteDecision::Denied | QuoteDecision::Unknown => ActivityType::Reject,
        };
        let stamp = self.urls.quote_authorization(quoting.id);
        let (state, authorization) = if answer == ActivityType::Accept {
            (QuoteState::Accepted, Some(stamp.as_str()))
        } else {
            (QuoteState::Rejected, None)
        };
        self.store
            .set_quote_state(quoting.id, state, authorization)
            .await?;
        if answer == ActivityType::Accept {
            self.notify(
                quoted.account_id,
                actor.id,
                NotificationKind::Quote,
                Some(quoting.id),
                None,
            )
            .await?;
        }
        let request_id = request
            .id
            .as_ref()
            .map(Url::to_string)
            .unwrap_or_else(|| self.new_activity_id());
        let mut inner = inner_activity(
            ActivityType::QuoteRequest,
            &request_id,
            &actor.uri,
            url(&quoted.uri)?,
        )?;
        inner["instrument"] = json!(quoting.uri);
        let id = self.new_activity_id();
        let mut payload = activity(
            answer,
            &id,
            &author.account.uri,
            inner,
            vec![url(&actor.uri)?],
            vec![],
        )?;
        if answer == ActivityType::Accept {
            payload["result"] = json!(stamp);
        }
        let inbox = actor
            .inbox_url
            .clone()
            .or_else(|| actor.shared_inbox_url.clone());
        let name = if answer == ActivityType::Accept {
            "Accept"
        } else {
            "Reject"
        };
        self.send_activity(
            Some(&author),
            name,
            &id,
            payload,
            inbox.into_iter().collect(),
        )
        .await
    }

    /// Whether an Accept or Reject answers one of our QuoteRequests: its object is that
    /// request, by our id or embedded.
    pub(crate) fn is_quote_answer(&self, object: &ObjectOrLink) -> bool {
        let ours = object.id().is_some_and(|id| {
            id.as_str().starts_with(self.urls.base()) && id.as_str().ends_with(QUOTE_REQUEST_SUFFIX)
        });
        let embedded = matches!(
            object.embedded(),
            Some(Embedded::Activity(inner)) if inner.kind == ActivityKind::QuoteRequest
        );
        ours || embedded
    }

    /// The quoted author answered our QuoteRequest: the quote is accepted (with their stamp,
    /// and the quote post updated to carry it) or rejected.
    pub(crate) async fn incoming_quote_answer(
        &self,
        actor: &Account,
        answer: &Activity,
        accepted: bool,
    ) -> Result<(), CoreError> {
        let object = answer.object.as_ref().ok_or(CoreError::NotFound)?;
        let quoting_uri = match object.id().map(Url::as_str) {
            Some(id) if id.ends_with(QUOTE_REQUEST_SUFFIX) => {
                id.trim_end_matches(QUOTE_REQUEST_SUFFIX).to_owned()
            }
            _ => match object.embedded() {
                Some(Embedded::Activity(inner)) => inner
                    .instrument
                    .as_ref()
                    .and_then(ObjectOrLink::id)
                    .ok_or(CoreError::NotFound)?
                    .to_string(),
                _ => return Err(CoreError::NotFound),
            },
        };
        let status = self
            .store
            .status_by_ap_id(&quoting_uri)
            .await?
            .filter(|s| s.local)
            .ok_or(CoreError::NotFound)?;
        let quoted = self
            .quoted_status_of(&status)
            .await?
            .ok_or(CoreError::NotFound)?;
        if quoted.account_id != actor.id {
            return Err(CoreError::Forbidden(
                "only the quoted author answers a quote request".into(),
            ));
        }
        if accepted {
            // The stamp must be the quoted author's: on their server.
            let stamp = answer
                .result
                .as_ref()
                .filter(|stamp| Some(host_of(stamp)) == actor.domain)
                .ok_or_else(|| CoreError::invalid("an Accept without a usable stamp"))?;
            self.store
                .set_quote_state(status.id, QuoteState::Accepted, Some(stamp.as_str()))
                .await?;
        } else {
            let state = match status.quote_state {
                Some(QuoteState::Accepted) => QuoteState::Revoked,
                _ => QuoteState::Rejected,
            };
            self.store.set_quote_state(status.id, state, None).await?;
        }
        // Readers learn of the stamp (or that the quote is gone) from the updated post.
        let updated = self
            .store
            .status(status.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        self.federate_status(&updated, None, true).await
    }

    /// Changes who may quote one's post; servers that have it hear of the new policy.
    pub async fn set_status_quote_policy(
        &self,
        user: &LocalUser,
        id: Id,
        policy: QuotePolicy,
    ) -> Result<crate::views::StatusView, CoreError> {
        let mut status = self
            .store
            .status(id)
            .await?
            .filter(|s| s.account_id == user.account.id && !s.is_reblog())
            .ok_or(CoreError::NotFound)?;
        let policy = local_policy(status.visibility, Some(policy));
        self.store.set_quote_policy(id, policy).await?;
        status.quote_policy = Some(policy);
        if status.visibility != Visibility::Local {
            self.federate_status(&status, None, true).await?;
        }
        self.status_view(status, Some(user.account.id)).await
    }

    /// `GET /api/v1/statuses/:id/quotes` (Mastodon 4.5): the accepted quotes of one's own
    /// post, newest first, without those the author hides. Another viewer is refused.
    pub async fn status_quotes(
        &self,
        user: &LocalUser,
        id: Id,
        page: &rhizome_store::PageRequest,
    ) -> Result<rhizome_store::Page<crate::views::StatusView>, CoreError> {
        let viewer = Some(user.account.id);
        let quoted = self
            .store
            .visible_status(id, viewer)
            .await?
            .filter(|s| !s.is_reblog())
            .ok_or(CoreError::NotFound)?;
        if quoted.account_id != user.account.id {
            return Err(CoreError::Forbidden("This action is not allowed".into()));
        }
        let found = self
            .store
            .quotes_of(quoted.id, viewer, self.clock.now(), page)
            .await?;
        let views = self.status_views(found.items, viewer).await?;
        Ok(rhizome_store::Page {
            items: views,
            newest_id: found.newest_id,
            oldest_id: found.oldest_id,
        })
    }

    /// `POST /api/v1/statuses/:id/quotes/:quoting_id/revoke`: the author of `quoted_id`
    /// withdraws their approval of one quote; its server and our followers are told
    /// (Delete of the stamp). Returns the quote post.
    pub async fn revoke_quote(
        &self,
        user: &LocalUser,
        quoted_id: Id,
        quoting_id: Id,
    ) -> Result<Status, CoreError> {
        let quoted = self
            .store
            .status(quoted_id)
            .await?
            .filter(|s| s.account_id == user.account.id)
            .ok_or(CoreError::NotFound)?;
        let quoting = self
            .store
            .status(quoting_id)
            .await?
            .filter(|s| s.quote_of_id == Some(quoted.id))
            .ok_or(CoreError::NotFound)?;
        if quoting.quote_state != Some(QuoteState::Accepted) {
            return Err(CoreError::invalid("This quote is not accepted"));
        }
        let stamp = quoting
            .quote_authorization
            .clone()
            .unwrap_or_else(|| self.urls.quote_authorization(quoting.id));
        self.store
            .set_quote_state(quoting.id, QuoteState::Revoked, Some(&stamp))
            .await?;
        let mut inboxes = self.store.follower_inboxes(user.account.id).await?;
        if let Some(quoting_author) = self.store.account(quoting.account_id).await?
            && !quoting_author.is_local()
        {
            inboxes.extend(
                quoting_author
                    .inbox_url
                    .clone()
                    .or_else(|| quoting_author.shared_inbox_url.clone()),
            );
        }
        let id = self.new_activity_id();
        let payload = activity(
            ActivityType::Delete,
            &id,
            &user.account.uri,
            url(&stamp)?,
            vec![url(vocab::PUBLIC)?],
            vec![],
        )?;
        self.send_activity(Some(user), "Delete", &id, payload, inboxes)
            .await?;
        self.store
            .status(quoting.id)
            .await?
            .ok_or(CoreError::NotFound)
    }

    /// A Delete of an approval stamp from the author who gave it: the quotes it approved are
    /// revoked. Returns whether the object was such a stamp.
    pub(crate) async fn incoming_stamp_delete(
        &self,
        actor: &Account,
        object_id: &str,
    ) -> Result<bool, CoreError> {
        let quotes = self
            .store
            .statuses_by_quote_authorization(object_id)
            .await?;
        if quotes.is_empty() {
            return Ok(false);
        }
        for quote in quotes {
            let Some(quoted) = self.quoted_status_of(&quote).await? else {
                continue;
            };
            if quoted.account_id != actor.id {
                continue;
            }
            self.store
                .set_quote_state(quote.id, QuoteState::Revoked, Some(object_id))
                .await?;
            // Our own quote post loses its quote for its readers too.
            if quote.local
                && let Some(updated) = self.store.status(quote.id).await?
            {
                self.federate_status(&updated, None, true).await?;
            }
        }
        Ok(true)
    }

    /// `GET /quote_authorizations/:id`: the stamp we gave the quote `quoting_id` of a local
    /// post, while it stands.
    pub async fn quote_authorization_document(&self, quoting_id: Id) -> Result<Value, CoreError> {
        let quoting = self
            .store
            .status(quoting_id)
            .await?
            .filter(|s| s.quote_state == Some(QuoteState::Accepted))
            .ok_or(CoreError::NotFound)?;
        let stamp = self.urls.quote_authorization(quoting.id);
        if quoting.quote_authorization.as_deref() != Some(stamp.as_str()) {
            return Err(CoreError::NotFound);
        }
        let quoted = self
            .quoted_status_of(&quoting)
            .await?
            .filter(|s| s.local)
            .ok_or(CoreError::NotFound)?;
        let author = self
            .store
            .account(quoted.account_id)
            .await?
            .ok_or(CoreError::NotFound)?;
        to_json(vocab::outgoing::QuoteAuthorization {
            id: url(&stamp)?,
            attributed_to: url(&author.uri)?,
            interacting_object: url(&quoting.uri)?,
            interaction_target: url(&quoted.uri)?,
        })
    }

    /// A remote post's quote policy in our terms: Public, the author's followers or
    /// following collections; the author themselves goes without saying; anyone else is an
    /// audience we cannot check.
    pub(crate) fn remote_quote_policy(post: &PostView, author: &Account) -> Option<QuotePolicy> {
        let policy = post.quote_policy.as_ref()?;
        let bits = |urls: &[Url]| -> u8 {
            urls.iter()
                .map(|u| {
                    let u = u.as_str();
                    if is_public(u) {
                        QuotePolicy::PUBLIC
                    } else if Some(u) == author.followers_url.as_deref() {
                        QuotePolicy::FOLLOWERS
                    } else if Some(u) == author.following_url.as_deref() {
                        QuotePolicy::FOLLOWING
                    } else if u == author.uri {
                        0
                    } else {
                        QuotePolicy::UNSUPPORTED
                    }
                })
                .fold(0, |all, bit| all | bit)
        };
        Some(QuotePolicy {
            automatic: bits(&policy.automatic),
            manual: bits(&policy.manual),
        })
    }

    /// Where the quote of a remote post stands, as FEP-044f has third parties judge it:
    /// approved when the author quotes themselves, when the quoted post mentions them, when
    /// the quoted post's server knows no consent (and so gives no stamps), or when a stamp
    /// is shown that its author's server confirms. Pending otherwise.
    pub(crate) async fn remote_quote_state(
        &self,
        post: &PostView,
        author: &Account,
        quoted: &Status,
        existing: Option<&Status>,
    ) -> Result<(QuoteState, Option<String>), CoreError> {
        let stamp = post.quote_authorization.as_ref().map(Url::to_string);
        // What we decided ourselves (a request we answered, a revocation) stands.
        if let Some(existing) = existing
            && existing.quote_of_id == Some(quoted.id)
            && let Some(state) = existing.quote_state
            && (state != QuoteState::Accepted || existing.quote_authorization == stamp)
            && (state != QuoteState::Pending || stamp.is_none())
        {
            return Ok((state, existing.quote_authorization.clone()));
        }
        if quoted.account_id == author.id {
            return Ok((QuoteState::Accepted, None));
        }
        let mentioned = self
            .store
            .mentions_of(&[quoted.id])
            .await?
            .remove(&quoted.id)
            .unwrap_or_default()
            .contains(&author.id);
        if mentioned {
            return Ok((QuoteState::Accepted, None));
        }
        let Some(stamp) = post.quote_authorization.as_ref() else {
            let state = if quoted.quote_policy.is_none() {
                QuoteState::Accepted
            } else {
                QuoteState::Pending
            };
            return Ok((state, None));
        };
        if self.stamp_is_valid(stamp, post, quoted).await? {
            Ok((QuoteState::Accepted, Some(stamp.to_string())))
        } else {
            Ok((QuoteState::Pending, None))
        }
    }

    /// Whether `stamp` approves `post` quoting `quoted`: one of ours is looked up (we only
    /// hand out stamps for rows we keep), another server's is fetched from it and must name
    /// both posts and be the quoted author's.
    async fn stamp_is_valid(
        &self,
        stamp: &Url,
        post: &PostView,
        quoted: &Status,
    ) -> Result<bool, CoreError> {
        if stamp.as_str().starts_with(self.urls.base()) {
            let Some(existing) = self.store.status_by_ap_id(post.id.as_str()).await? else {
                return Ok(false);
            };
            return Ok(existing.quote_of_id == Some(quoted.id)
                && existing.quote_state == Some(QuoteState::Accepted)
                && self.urls.quote_authorization(existing.id) == stamp.as_str());
        }
        let Some(quoted_author) = self.store.account(quoted.account_id).await? else {
            return Ok(false);
        };
        if quoted_author.domain.as_deref() != Some(host_of(stamp).as_str()) {
            return Ok(false);
        }
        let Some(http) = self.http.as_ref() else {
            return Ok(false);
        };
        let signer = self.instance_signer()?;
        let fetched = match http.fetch_object(stamp, Some(&signer)).await {
            Ok(fetched) => fetched,
            Err(err) => {
                tracing::info!(%stamp, error = %fetch_failed(err), "quote stamp not confirmed");
                return Ok(false);
            }
        };
        let Ok(document) = QuoteAuthorization::from_json(&fetched.json) else {
            return Ok(false);
        };
        Ok(document.id == *stamp
            && document.attributed_to.as_str() == quoted_author.uri
            && document.interacting_object == post.id
            && document.interaction_target.as_str() == quoted.uri)
    }
}
