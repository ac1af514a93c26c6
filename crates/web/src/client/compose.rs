//! Composing (`/compose`, `POST /statuses`) and editing one's own posts.
//!
//! Files come with the post in one multipart form. Each is uploaded through core's media
//! actions first, then the post names them: so when something is missing (a description, by
//! default required) the form comes back with the uploads kept, and only the missing part
//! has to be filled in.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use rhizome_core::media::MediaRequest;
use rhizome_core::polls::PollRequest;
use rhizome_core::statuses::PostRequest;
use rhizome_core::{Core, CoreError};
use rhizome_model::{Attachment, Id, Visibility};

use super::{back_to, fragment_response, see_other, status_fragment, wants_fragment, with_status};
use crate::error::parse_id;
use crate::error::{WebError, html};
use crate::session::Ctx;
use crate::views::{StatusCard, status_card};

/// Files one post may carry (the form's slots).
pub(super) const MEDIA_SLOTS: usize = 4;
/// A text field of a form is at most this long (a post is far shorter).
const MAX_FIELD_BYTES: usize = 64 * 1024;
/// A form without files is at most this long.
const MAX_FORM_BYTES: usize = 256 * 1024;
/// More fields than any of our forms has is not a form of ours.
const MAX_FIELDS: usize = 100;

/// Poll durations offered, in seconds, with their catalogue ids.
const POLL_EXPIRIES: [(u64, &str); 7] = [
    (300, "client-poll-expiry-5m"),
    (1800, "client-poll-expiry-30m"),
    (3600, "client-poll-expiry-1h"),
    (21600, "client-poll-expiry-6h"),
    (86400, "client-poll-expiry-1d"),
    (259200, "client-poll-expiry-3d"),
    (604800, "client-poll-expiry-7d"),
];
const DEFAULT_POLL_EXPIRY: u64 = 86400;

/// Languages a post may be marked with, by their own names (no translation needed).
const LANGUAGES: [(&str, &str); 12] = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("pt", "Português"),
    ("nl", "Nederlands"),
    ("ca", "Català"),
    ("br", "Brezhoneg"),
    ("oc", "Occitan"),
    ("ar", "العربية"),
    ("ja", "日本語"),
];

const VISIBILITIES: [Visibility; 5] = [
    Visibility::Public,
    Visibility::Unlisted,
    Visibility::Private,
    Visibility::Direct,
    Visibility::Local,
];

/// One option of a `<select>`.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// An upload already made, waiting in the form for its post.
pub(super) struct Uploaded {
    pub id: Id,
    pub preview: String,
    pub kind: &'static str,
}

/// One of the form's file slots: empty (a file input) or holding an upload.
pub(super) struct MediaSlot {
    pub index: usize,
    pub uploaded: Option<Uploaded>,
    pub description: String,
    /// The prompt asks for this one's description.
    pub missing: bool,
}

/// What the compose form shows: empty, prefilled, or as sent (when it comes back).
pub(super) struct ComposeForm {
    pub text: String,
    pub spoiler: String,
    pub visibility: String,
    pub sensitive: bool,
    pub language: String,
    pub in_reply_to: Option<Id>,
    pub quote: Option<Id>,
    /// Where the form goes after posting; empty: the new post's thread.
    pub return_to: String,
    pub poll_options: Vec<String>,
    pub poll_expires_in: u64,
    pub poll_multiple: bool,
    pub slots: Vec<MediaSlot>,
    /// Why the post was not made (core's words).
    pub error: Option<String>,
    /// Some files lack a description: the form explains why they matter.
    pub alt_prompt: bool,
}

impl ComposeForm {
    /// A blank form with the user's posting defaults chosen (visibility, sensitive, language).
    pub(super) async fn blank(
        core: &Core,
        ctx: &Ctx,
        viewer: Id,
        return_to: &str,
    ) -> Result<ComposeForm, WebError> {
        let defaults = core.posting_defaults(viewer).await?;
        let mut form = ComposeForm::new(ctx, return_to);
        form.visibility = defaults.visibility.as_str().to_owned();
        form.sensitive = defaults.sensitive;
        if let Some(language) = defaults.language {
            form.language = language;
        }
        Ok(form)
    }

    pub(super) fn new(ctx: &Ctx, return_to: &str) -> ComposeForm {
        ComposeForm {
            text: String::new(),
            spoiler: String::new(),
            visibility: "public".to_owned(),
            sensitive: false,
            language: ctx.lang().tag().to_owned(),
            in_reply_to: None,
            quote: None,
            return_to: return_to.to_owned(),
            poll_options: vec![String::new(); rhizome_core::polls::MAX_OPTIONS],
            poll_expires_in: DEFAULT_POLL_EXPIRY,
            poll_multiple: false,
            slots: (0..MEDIA_SLOTS)
                .map(|index| MediaSlot {
                    index,
                    uploaded: None,
                    description: String::new(),
                    missing: false,
                })
                .collect(),
            error: None,
            alt_prompt: false,
        }
    }

    /// The form as it was sent (files aside: they are uploaded separately).
    fn from_submission(ctx: &Ctx, data: &Submitted) -> ComposeForm {
        let mut form = ComposeForm::new(ctx, data.get("return_to"));
        form.text = data.get("status").to_owned();
        form.spoiler = data.get("spoiler_text").to_owned();
        form.visibility = data.get("visibility").to_owned();
        form.sensitive = data.checked("sensitive");
        form.language = data.get("language").to_owned();
        form.in_reply_to = data.get("in_reply_to_id").parse().ok();
        form.quote = data.get("quote_id").parse().ok();
        let options = data.all("poll_option");
        for (slot, text) in form.poll_options.iter_mut().zip(options) {
            *slot = text.to_owned();
        }
        form.poll_expires_in = data
            .get("poll_expires_in")
            .parse()
            .unwrap_or(DEFAULT_POLL_EXPIRY);
        form.poll_multiple = data.checked("poll_multiple");
        for slot in &mut form.slots {
            slot.description = data
                .get(&format!("media_description_{}", slot.index))
                .to_owned();
        }
        form
    }

    pub(super) fn visibility_choices(&self, ctx: &Ctx) -> Vec<Choice> {
        VISIBILITIES
            .iter()
            .map(|v| Choice {
                value: v.as_str().to_owned(),
                label: ctx.tr.t(&format!("visibility-{}", v.as_str())),
                selected: self.visibility == v.as_str(),
            })
            .collect()
    }

    pub(super) fn language_choices(&self) -> Vec<Choice> {
        LANGUAGES
            .iter()
            .map(|(tag, name)| Choice {
                value: (*tag).to_owned(),
                label: (*name).to_owned(),
                selected: self.language == *tag,
            })
            .collect()
    }

    pub(super) fn expiry_choices(&self, ctx: &Ctx) -> Vec<Choice> {
        POLL_EXPIRIES
            .iter()
            .map(|(seconds, id)| Choice {
                value: seconds.to_string(),
                label: ctx.tr.t(id),
                selected: self.poll_expires_in == *seconds,
            })
            .collect()
    }

    /// Whether the media part starts open (it holds something).
    pub(super) fn has_media(&self) -> bool {
        self.slots
            .iter()
            .any(|s| s.uploaded.is_some() || !s.description.is_empty())
    }

    pub(super) fn has_poll(&self) -> bool {
        self.poll_options.iter().any(|o| !o.trim().is_empty())
    }

    /// The poll the form asks for, if any option was filled in.
    fn poll(&self) -> Option<PollRequest> {
        let options: Vec<String> = self
            .poll_options
            .iter()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        (!options.is_empty()).then_some(PollRequest {
            options,
            expires_in: self.poll_expires_in,
            multiple: self.poll_multiple,
            hide_totals: false,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Reading a form with files.

/// A submitted form: its text fields in order, and its files by field name. Reads
/// `multipart/form-data` (the compose form) and `application/x-www-form-urlencoded`, and
/// bounds what it reads, as routes taking files lift the server's body limit.
pub(super) struct Submitted {
    fields: Vec<(String, String)>,
    files: Vec<(String, Vec<u8>)>,
    /// Why the form could not be read; told once the handler knows the viewer.
    problem: Option<FormProblem>,
}

/// A form we could not read whole.
enum FormProblem {
    /// A file over this many bytes.
    FileTooLarge(u64),
    TooLarge,
    Unreadable,
}

impl Submitted {
    /// The first value of `name`, or "".
    pub(super) fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    }

    pub(super) fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// A ticked checkbox.
    pub(super) fn checked(&self, name: &str) -> bool {
        self.fields.iter().any(|(key, _)| key == name)
    }

    fn take_file(&mut self, name: &str) -> Option<Vec<u8>> {
        let index = self.files.iter().position(|(key, _)| key == name)?;
        Some(self.files.swap_remove(index).1)
    }

    /// Refuses a form that could not be read, in the viewer's language.
    pub(super) fn readable(&self, ctx: &Ctx) -> Result<(), WebError> {
        let message = match &self.problem {
            None => return Ok(()),
            Some(FormProblem::FileTooLarge(limit)) => ctx.tr.t1(
                "client-form-file-too-large",
                "size",
                rhizome_core::media::process::human_size(*limit),
            ),
            Some(FormProblem::TooLarge) => ctx.tr.t("client-form-too-large"),
            Some(FormProblem::Unreadable) => ctx.tr.t("client-form-unreadable"),
        };
        Err(WebError::Invalid(message))
    }

    async fn read(request: Request, core: &Core) -> Result<Submitted, FormProblem> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
        let mut submitted = Submitted {
            fields: Vec::new(),
            files: Vec::new(),
            problem: None,
        };
        if !multipart {
            let body = axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES)
                .await
                .map_err(|_| FormProblem::TooLarge)?;
            submitted.fields = url::form_urlencoded::parse(&body)
                .take(MAX_FIELDS)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            return Ok(submitted);
        }
        let file_limit = core.config.media.max_upload_bytes();
        let mut form = Multipart::from_request(request, core)
            .await
            .map_err(|_| FormProblem::Unreadable)?;
        let mut count = 0;
        while let Some(mut field) = form
            .next_field()
            .await
            .map_err(|_| FormProblem::Unreadable)?
        {
            count += 1;
            if count > MAX_FIELDS {
                return Err(FormProblem::TooLarge);
            }
            let name = field.name().unwrap_or("").to_owned();
            let is_file = field.file_name().is_some();
            let limit = if is_file {
                file_limit
            } else {
                MAX_FIELD_BYTES as u64
            };
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| FormProblem::Unreadable)? {
                if (bytes.len() + chunk.len()) as u64 > limit {
                    return Err(if is_file {
                        FormProblem::FileTooLarge(limit)
                    } else {
                        FormProblem::TooLarge
                    });
                }
                bytes.extend_from_slice(&chunk);
            }
            if is_file {
                // An empty file input still sends a part, without bytes.
                if !bytes.is_empty() && submitted.files.len() < MEDIA_SLOTS {
                    submitted.files.push((name, bytes));
                }
            } else {
                let text = String::from_utf8(bytes).map_err(|_| FormProblem::Unreadable)?;
                submitted.fields.push((name, text));
            }
        }
        Ok(submitted)
    }
}

impl FromRequest<Core> for Submitted {
    type Rejection = std::convert::Infallible;

    async fn from_request(request: Request, core: &Core) -> Result<Self, Self::Rejection> {
        Ok(Submitted::read(request, core)
            .await
            .unwrap_or_else(|problem| Submitted {
                fields: Vec::new(),
                files: Vec::new(),
                problem: Some(problem),
            }))
    }
}

// ---------------------------------------------------------------------------------------
// Pages.

#[derive(Template)]
#[template(path = "client/compose.html")]
struct ComposePage<'a> {
    ctx: &'a Ctx,
    form: ComposeForm,
    parent: Option<StatusCard>,
    quoted: Option<StatusCard>,
}

/// The form alone, for the script to put back in place of the one it sent.
#[derive(Template)]
#[template(path = "client/compose_fragment.html")]
struct ComposeFragment<'a> {
    ctx: &'a Ctx,
    form: ComposeForm,
}

#[derive(serde::Deserialize, Default)]
pub struct ComposeQuery {
    #[serde(default)]
    in_reply_to: String,
    #[serde(default)]
    quote: String,
}

/// A post shown beside the form (the one replied to or quoted), if the viewer may see it.
async fn card_of(core: &Core, ctx: &Ctx, id: Option<Id>) -> Option<StatusCard> {
    let view = core.visible_status_view(id?, ctx.viewer_id()).await.ok()?;
    Some(status_card(core, &view, ctx.viewer_id()))
}

/// `GET /compose`, `?in_reply_to=ID` (the mentions written in, the post shown) or
/// `?quote=ID`.
pub async fn show(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<ComposeQuery>,
) -> Result<Response, WebError> {
    let viewer = ctx.require_viewer()?;
    let me = viewer.account_id();
    let mut form = ComposeForm::blank(&core, &ctx, me, "").await?;
    let mut parent = None;
    if !query.in_reply_to.is_empty() {
        let id = parse_id(&query.in_reply_to)?;
        let view = core.visible_status_view(id, Some(me)).await?;
        // A boost stands for its post: the reply goes to the post.
        let view = view.reblog.as_deref().unwrap_or(&view);
        form.in_reply_to = Some(view.status.id);
        let mut mentions = Vec::new();
        for account in
            std::iter::once(&view.account.account).chain(view.mentions.iter().map(|a| &**a))
        {
            let mention = format!("@{}", account.acct());
            if account.id != me && !mentions.contains(&mention) {
                mentions.push(mention);
            }
        }
        if !mentions.is_empty() {
            form.text = format!("{} ", mentions.join(" "));
        }
        // A reply is no more public than what it answers, and keeps its warning.
        if view.status.visibility != Visibility::Public {
            form.visibility = view.status.visibility.as_str().to_owned();
        }
        form.spoiler = view.status.spoiler_text.clone();
        parent = Some(status_card(&core, view, Some(me)));
    }
    let mut quoted = None;
    if !query.quote.is_empty() {
        let id = parse_id(&query.quote)?;
        let view = core.visible_status_view(id, Some(me)).await?;
        let view = view.reblog.as_deref().unwrap_or(&view);
        form.quote = Some(view.status.id);
        quoted = Some(status_card(&core, view, Some(me)));
    }
    html(&ComposePage {
        ctx: &ctx,
        form,
        parent,
        quoted,
    })
}

/// The form again, with what was sent, its uploads and why it was not posted: the whole
/// page, or the form alone for the script.
async fn form_again(
    core: &Core,
    ctx: &Ctx,
    form: ComposeForm,
    fragment: bool,
) -> Result<Response, WebError> {
    let response = if fragment {
        let html = ComposeFragment { ctx, form }.render()?;
        fragment_response(html)
    } else {
        let parent = card_of(core, ctx, form.in_reply_to).await;
        let quoted = card_of(core, ctx, form.quote).await;
        html(&ComposePage {
            ctx,
            form,
            parent,
            quoted,
        })?
    };
    Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, response))
}

fn uploaded(core: &Core, media: &Attachment) -> Uploaded {
    let (url, preview) = core.attachment_urls(media);
    Uploaded {
        id: media.id,
        preview: preview.unwrap_or(url),
        kind: match media.kind {
            rhizome_model::AttachmentKind::Image => "image",
            rhizome_model::AttachmentKind::Gifv => "gifv",
            rhizome_model::AttachmentKind::Video => "video",
            rhizome_model::AttachmentKind::Audio => "audio",
            rhizome_model::AttachmentKind::Unknown => "unknown",
        },
    }
}

/// `POST /statuses`: text, content warning, visibility, sensitivity, language, up to four
/// files with their descriptions, a poll, and the post replied to or quoted.
pub async fn submit(
    State(core): State<Core>,
    mut ctx: Ctx,
    headers: HeaderMap,
    mut data: Submitted,
) -> Result<Response, WebError> {
    let fragment = wants_fragment(&headers);
    ctx.path = back_to(data.get("return_to"), "/compose");
    let user = ctx.require_viewer()?.user.clone();
    data.readable(&ctx)?;
    ctx.check_csrf(&core, data.get("csrf_token"))?;
    let mut form = ComposeForm::from_submission(&ctx, &data);

    // Files first: kept uploads (from a form that came back) and new ones.
    for slot in &mut form.slots {
        let description = Some(slot.description.trim().to_owned()).filter(|d| !d.is_empty());
        let kept = data
            .get(&format!("media_id_{}", slot.index))
            .parse::<Id>()
            .ok();
        let result = if let Some(id) = kept {
            match core.own_media(&user, id).await {
                Ok(media) if description.is_some() && media.description != description => {
                    core.update_media(
                        &user,
                        id,
                        MediaRequest {
                            description,
                            ..MediaRequest::default()
                        },
                    )
                    .await
                }
                other => other,
            }
        } else if let Some(bytes) = data.take_file(&format!("media_file_{}", slot.index)) {
            // Processed now rather than by a worker: the post names it in a moment.
            core.upload_media(
                &user,
                bytes,
                MediaRequest {
                    description,
                    ..MediaRequest::default()
                },
                false,
            )
            .await
        } else {
            continue;
        };
        match result {
            Ok(media) => slot.uploaded = Some(uploaded(&core, &media)),
            Err(CoreError::Invalid(message) | CoreError::Conflict(message)) => {
                form.error.get_or_insert(message);
            }
            Err(CoreError::NotFound) => {}
            Err(err) => return Err(err.into()),
        }
    }
    if form.error.is_some() {
        return form_again(&core, &ctx, form, fragment).await;
    }
    // Descriptions are asked for unless the author says they post without one.
    if !data.checked("no_description") {
        let mut missing = false;
        for slot in &mut form.slots {
            if slot.uploaded.is_some() && slot.description.trim().is_empty() {
                slot.missing = true;
                missing = true;
            }
        }
        if missing {
            form.alt_prompt = true;
            return form_again(&core, &ctx, form, fragment).await;
        }
    }

    let request = PostRequest {
        text: form.text.clone(),
        spoiler_text: form.spoiler.trim().to_owned(),
        sensitive: Some(form.sensitive),
        visibility: form.visibility.parse().ok(),
        in_reply_to_id: form.in_reply_to,
        language: Some(form.language.clone()).filter(|l| !l.is_empty()),
        quote_id: form.quote,
        poll: form.poll(),
        media_ids: Some(
            form.slots
                .iter()
                .filter_map(|s| s.uploaded.as_ref().map(|u| u.id))
                .collect(),
        ),
        ..PostRequest::default()
    };
    let view = match core.post_status(&user, request).await {
        Ok(view) => view,
        Err(CoreError::Invalid(message) | CoreError::Conflict(message)) => {
            form.error = Some(message);
            return form_again(&core, &ctx, form, fragment).await;
        }
        Err(err) => return Err(err.into()),
    };
    tracing::debug!(status = %view.status.id, "posted from the web client");
    if fragment {
        let page = back_to(&form.return_to, "/home");
        return status_fragment(&core, &mut ctx, &view, &page);
    }
    let card = status_card(&core, &view, Some(user.account.id));
    Ok(see_other(&back_to(&form.return_to, &card.path)))
}

// ---------------------------------------------------------------------------------------
// Editing.

pub(super) struct MediaDescription {
    pub id: Id,
    pub preview: String,
    pub kind: &'static str,
    pub description: String,
}

#[derive(Template)]
#[template(path = "client/edit.html")]
struct EditPage<'a> {
    ctx: &'a Ctx,
    id: Id,
    /// The post as it is (always set: an `Option` lets the template bind it locally).
    current: Option<StatusCard>,
    text: String,
    spoiler: String,
    sensitive: bool,
    media: Vec<MediaDescription>,
    return_to: String,
    error: Option<String>,
}

/// One's own post (not a boost), or `NotFound`: others learn nothing.
async fn own_post(
    core: &Core,
    ctx: &Ctx,
    id: &str,
) -> Result<rhizome_core::views::StatusView, WebError> {
    let me = ctx.require_viewer()?.account_id();
    let view = core.visible_status_view(parse_id(id)?, Some(me)).await?;
    if view.status.account_id != me || view.reblog.is_some() {
        return Err(WebError::NotFound);
    }
    Ok(view)
}

/// The post's files with their descriptions: as stored, or as just sent.
fn media_descriptions(
    core: &Core,
    view: &rhizome_core::views::StatusView,
    sent: Option<&Submitted>,
) -> Vec<MediaDescription> {
    view.attachments
        .iter()
        .map(|a| {
            let shown = uploaded(core, a);
            MediaDescription {
                id: a.id,
                preview: shown.preview,
                kind: shown.kind,
                description: match sent {
                    Some(data) => data.get(&format!("description_{}", a.id)).to_owned(),
                    None => a.description.clone().unwrap_or_default(),
                },
            }
        })
        .collect()
}

/// `GET /statuses/{id}/edit`: text, content warning, sensitivity and media descriptions.
pub async fn edit_form(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let view = own_post(&core, &ctx, &id).await?;
    let status = status_card(&core, &view, ctx.viewer_id());
    let media = media_descriptions(&core, &view, None);
    html(&EditPage {
        ctx: &ctx,
        text: view.status.text.clone(),
        spoiler: view.status.spoiler_text.clone(),
        sensitive: view.status.sensitive,
        return_to: status.path.clone(),
        id: view.status.id,
        current: Some(status),
        media,
        error: None,
    })
}

/// `POST /statuses/{id}/edit`.
pub async fn edit_submit(
    State(core): State<Core>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    data: Submitted,
) -> Result<Response, WebError> {
    ctx.path = back_to(data.get("return_to"), "/home");
    let user = ctx.require_viewer()?.user.clone();
    data.readable(&ctx)?;
    ctx.check_csrf(&core, data.get("csrf_token"))?;
    let view = own_post(&core, &ctx, &id).await?;
    let id = view.status.id;
    let text = data.get("status").to_owned();
    let spoiler = data.get("spoiler_text").trim().to_owned();
    let sensitive = data.checked("sensitive");
    let descriptions: Vec<(Id, String)> = view
        .attachments
        .iter()
        .filter(|a| data.checked(&format!("description_{}", a.id)))
        .map(|a| {
            (
                a.id,
                data.get(&format!("description_{}", a.id)).trim().to_owned(),
            )
        })
        .collect();
    let request = PostRequest {
        text: text.clone(),
        spoiler_text: spoiler.clone(),
        sensitive: Some(sensitive),
        // The files stay as they are; their descriptions change below.
        media_ids: None,
        ..PostRequest::default()
    };
    let result = if text.trim().is_empty() && view.attachments.is_empty() {
        Err(CoreError::invalid("Text can't be blank"))
    } else {
        match core.describe_status_media(&user, id, &descriptions).await {
            Ok(()) => core.edit_status(&user, id, request).await,
            Err(err) => Err(err),
        }
    };
    match result {
        Ok(edited) => {
            let card = status_card(&core, &edited, Some(user.account.id));
            let back = back_to(data.get("return_to"), &card.path);
            if wants_fragment(&headers) {
                status_fragment(&core, &mut ctx, &edited, &back)
            } else {
                Ok(see_other(&back))
            }
        }
        Err(CoreError::Invalid(message) | CoreError::Conflict(message)) => {
            let status = status_card(&core, &view, Some(user.account.id));
            let media = media_descriptions(&core, &view, Some(&data));
            let page = html(&EditPage {
                ctx: &ctx,
                text,
                spoiler,
                sensitive,
                return_to: data.get("return_to").to_owned(),
                id,
                current: Some(status),
                media,
                error: Some(message),
            })?;
            Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(err) => Err(err.into()),
    }
}
