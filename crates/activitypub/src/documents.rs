//! Actors, inboxes, objects, activities and collections.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use rhizome_core::federation::ap::to_json;
use rhizome_core::federation::collections::LocalObject;
use rhizome_core::federation::inbox::MAX_INBOX_BYTES;
use rhizome_core::{Core, CoreError};
use rhizome_federation::vocab::outgoing::{OrderedCollection, OrderedCollectionPage, Tombstone};
use rhizome_store::PageRequest;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::{ApError, activity_json, wants_activity_json};

/// A collection's items per page.
const PAGE_SIZE: u32 = 20;

fn parse_url(text: &str) -> Result<Url, CoreError> {
    Url::parse(text).map_err(|e| CoreError::Internal(e.to_string()))
}

/// In authorized-fetch mode, a GET must be signed by a server that is not blocked.
async fn check_fetch(core: &Core, uri: &Uri, headers: &HeaderMap) -> Result<(), ApError> {
    if !core.config.fetch.authorized_fetch {
        return Ok(());
    }
    let absolute: Uri = format!(
        "{}{}",
        core.urls.base(),
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    )
    .parse()
    .map_err(|_| CoreError::invalid("bad URI"))?;
    let signer = core
        .verify_request_signature(&Method::GET, &absolute, headers)
        .await?;
    if let Some(domain) = &signer.domain
        && core.domain_refused(domain).await?
    {
        return Err(CoreError::Forbidden("blocked".into()).into());
    }
    Ok(())
}

pub async fn actor(
    State(core): State<Core>,
    uri: Uri,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, ApError> {
    let account = core.local_account_named(&name).await?;
    if !wants_activity_json(&headers) {
        return Ok(Redirect::to(&core.urls.profile(&account.username)).into_response());
    }
    check_fetch(&core, &uri, &headers).await?;
    Ok(activity_json(to_json(
        core.local_actor_document(&account).await?,
    )?))
}

/// The instance actor stays public even in authorized-fetch mode: others need its key to
/// check our signed fetches.
pub async fn instance_actor(State(core): State<Core>) -> Result<Response, ApError> {
    Ok(activity_json(to_json(core.instance_actor_document()?)?))
}

/// `POST /users/:name/inbox` and `POST /inbox`.
pub async fn inbox(
    State(core): State<Core>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApError> {
    if body.len() > MAX_INBOX_BYTES {
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response());
    }
    let absolute: Uri = format!(
        "{}{}",
        core.urls.base(),
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    )
    .parse()
    .map_err(|_| CoreError::invalid("bad URI"))?;
    core.receive_inbox(&method, &absolute, &headers, &body)
        .await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

#[derive(Deserialize, Default)]
pub struct PageParams {
    page: Option<String>,
    max_id: Option<String>,
    min_id: Option<String>,
}

impl PageParams {
    fn request(&self) -> Option<PageRequest> {
        let wanted = self
            .page
            .as_deref()
            .is_some_and(|p| p == "true" || p == "1")
            || self.max_id.is_some()
            || self.min_id.is_some();
        wanted.then(|| PageRequest {
            max_id: self.max_id.as_deref().and_then(|v| v.parse().ok()),
            since_id: None,
            min_id: self.min_id.as_deref().and_then(|v| v.parse().ok()),
            limit: PAGE_SIZE,
        })
    }
}

/// An OrderedCollection, or one of its pages when `page` is asked for.
fn collection(
    id: &str,
    total: u64,
    page: Option<(Vec<Value>, Option<i64>, Option<i64>)>,
) -> Result<Response, ApError> {
    let id_url = parse_url(id)?;
    match page {
        None => {
            let first = parse_url(&format!("{id}?page=true"))?;
            let collection: OrderedCollection<Value> =
                OrderedCollection::paged(id_url, Some(total), first);
            Ok(activity_json(to_json(collection)?))
        }
        Some((items, newest, oldest)) => {
            let has_items = !items.is_empty();
            let mut page = OrderedCollectionPage::new(
                parse_url(&format!("{id}?page=true{}", "")).unwrap_or(id_url.clone()),
                id_url,
                items,
            );
            page.total_items = Some(total);
            if has_items && let Some(oldest) = oldest {
                page.next = Some(parse_url(&format!("{id}?page=true&max_id={oldest}"))?);
            }
            if has_items && let Some(newest) = newest {
                page.prev = Some(parse_url(&format!("{id}?page=true&min_id={newest}"))?);
            }
            Ok(activity_json(to_json(page)?))
        }
    }
}

pub async fn outbox(
    State(core): State<Core>,
    uri: Uri,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(params): Query<PageParams>,
) -> Result<Response, ApError> {
    check_fetch(&core, &uri, &headers).await?;
    let account = core.local_account_named(&name).await?;
    let total = core.collection_totals(&account).await?.statuses as u64;
    let id = core.urls.outbox(&account.username);
    let page = match params.request() {
        Some(request) => {
            let page = core.outbox_page(&account, &request).await?;
            Some((page.items, page.newest_id, page.oldest_id))
        }
        None => None,
    };
    collection(&id, total, page)
}

async fn follow_collection(
    core: Core,
    uri: Uri,
    headers: HeaderMap,
    name: String,
    params: PageParams,
    followers: bool,
) -> Result<Response, ApError> {
    check_fetch(&core, &uri, &headers).await?;
    let account = core.local_account_named(&name).await?;
    let totals = core.collection_totals(&account).await?;
    let (total, id) = if followers {
        (totals.followers, core.urls.followers(&account.username))
    } else {
        (totals.following, core.urls.following(&account.username))
    };
    let page = match params.request() {
        Some(request) => {
            let page = core
                .follow_collection_page(&account, followers, &request)
                .await?;
            Some((
                page.items.into_iter().map(Value::String).collect(),
                page.newest_id,
                page.oldest_id,
            ))
        }
        None => None,
    };
    collection(&id, total as u64, page)
}

pub async fn followers(
    State(core): State<Core>,
    uri: Uri,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(params): Query<PageParams>,
) -> Result<Response, ApError> {
    follow_collection(core, uri, headers, name, params, true).await
}

pub async fn following(
    State(core): State<Core>,
    uri: Uri,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(params): Query<PageParams>,
) -> Result<Response, ApError> {
    follow_collection(core, uri, headers, name, params, false).await
}

pub async fn featured(
    State(core): State<Core>,
    uri: Uri,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, ApError> {
    check_fetch(&core, &uri, &headers).await?;
    let account = core.local_account_named(&name).await?;
    let notes = core.featured_notes(&account).await?;
    let id = parse_url(&core.urls.featured(&account.username))?;
    Ok(activity_json(to_json(OrderedCollection::inline(
        id, notes,
    ))?))
}

/// `GET /users/:name/collections/tags`: the featured hashtags, inline.
pub async fn featured_tags(
    State(core): State<Core>,
    uri: Uri,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, ApError> {
    check_fetch(&core, &uri, &headers).await?;
    let account = core.local_account_named(&name).await?;
    let tags = core.featured_hashtags(&account).await?;
    let id = parse_url(&core.urls.featured_tags(&account.username))?;
    Ok(activity_json(to_json(OrderedCollection::inline(id, tags))?))
}

/// `GET /objects/:uuid`: the Note, or 410 with a Tombstone once deleted.
pub async fn object(
    State(core): State<Core>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApError> {
    let object_uri = format!("{}/objects/{id}", core.urls.base());
    serve_object(&core, &uri, &headers, &object_uri).await
}

async fn serve_object(
    core: &Core,
    uri: &Uri,
    headers: &HeaderMap,
    object_uri: &str,
) -> Result<Response, ApError> {
    check_fetch(core, uri, headers).await?;
    match core.local_object(object_uri).await? {
        LocalObject::Note(note) => {
            if !wants_activity_json(headers)
                && let Some(page) = note["url"].as_str()
            {
                return Ok(Redirect::to(page).into_response());
            }
            Ok(activity_json(to_json(*note)?))
        }
        LocalObject::Gone(deleted_at) => {
            let mut tombstone = Tombstone::new(parse_url(object_uri)?);
            tombstone.deleted = Some(deleted_at.to_datetime());
            let mut response = activity_json(to_json(tombstone)?);
            *response.status_mut() = StatusCode::GONE;
            Ok(response)
        }
    }
}

pub async fn activity(
    State(core): State<Core>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApError> {
    check_fetch(&core, &uri, &headers).await?;
    let activity_uri = format!("{}/activities/{id}", core.urls.base());
    Ok(activity_json(core.public_activity(&activity_uri).await?))
}

/// `GET /quote_authorizations/:id`: a FEP-044f approval stamp we gave, while it stands
/// (404 once revoked, as the stamp then approves nothing).
pub async fn quote_authorization(
    State(core): State<Core>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApError> {
    check_fetch(&core, &uri, &headers).await?;
    let id = id.parse().map_err(|_| CoreError::NotFound)?;
    Ok(activity_json(core.quote_authorization_document(id).await?))
}

/// `GET /notice/:id` (Akkoma's post URL): the Note for servers, the page for people.
pub async fn notice(
    State(core): State<Core>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApError> {
    let id = core.notice_status_id(&id).await?;
    if !wants_activity_json(&headers) {
        return status_page_redirect(&core, id).await;
    }
    let object_uri = core.local_status_uri(id).await?;
    serve_object(&core, &uri, &headers, &object_uri).await
}

/// People asking for a post are sent to its page in the web interface.
pub async fn status_page_redirect(core: &Core, id: rhizome_model::Id) -> Result<Response, ApError> {
    let view = core.visible_status_view(id, None).await?;
    let path = format!("/@{}/{}", view.account.account.acct(), view.status.id);
    Ok(axum::response::Redirect::to(&path).into_response())
}
