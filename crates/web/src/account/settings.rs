//! The signed-in user's settings: profile (with pictures), password, preferences. The pages
//! share a sub-navigation (`templates/account/settings_nav.html`).

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use rhizome_core::profile::ProfileUpdate;
use rhizome_core::{Core, CoreError};
use serde::Deserialize;

use super::{html_with, refusal, refusal_status};
use crate::error::{WebError, html};
use crate::i18n::Lang;
use crate::session::{self, Ctx};

pub fn routes() -> Router<Core> {
    Router::new()
        .route(
            "/settings",
            get(|| async { Redirect::to("/settings/profile") }),
        )
        .route("/settings/profile", get(profile_page).post(save_profile))
        .route(
            "/settings/password",
            get(password_page).post(change_password),
        )
        .route(
            "/settings/preferences",
            get(preferences_page).post(save_preferences),
        )
}

/// How many profile fields the form offers (core's limit).
const FIELDS: usize = 4;
/// A text field of the profile form is never longer than this (the bio is 500 characters).
const MAX_TEXT_BYTES: usize = 16 * 1024;

// ---------------------------------------------------------------------------------------
// Profile.

pub struct FieldInput {
    pub index: usize,
    pub name: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "account/profile.html")]
struct ProfilePage<'a> {
    ctx: &'a Ctx,
    section: &'static str,
    error: Option<String>,
    display_name: String,
    note: String,
    fields: Vec<FieldInput>,
    locked: bool,
    bot: bool,
    discoverable: bool,
    avatar: String,
    header: String,
}

/// What the profile form sent: its text fields and its non-empty files.
#[derive(Default)]
struct ProfileForm {
    text: Vec<(String, String)>,
    avatar: Option<Vec<u8>>,
    header: Option<Vec<u8>>,
}

impl ProfileForm {
    fn get(&self, name: &str) -> Option<&str> {
        self.text
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_owned()
    }

    fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn fields(&self) -> Vec<FieldInput> {
        (0..FIELDS)
            .map(|index| FieldInput {
                index,
                name: self.text(&format!("field_name_{index}")),
                value: self.text(&format!("field_value_{index}")),
            })
            .collect()
    }
}

/// Reads the profile form, as `multipart/form-data` (with pictures) or as a plain form.
/// Files are bounded by the instance's image size, text fields by [`MAX_TEXT_BYTES`]; the
/// whole body by the server's body limit.
async fn read_profile_form(core: &Core, request: Request) -> Result<ProfileForm, WebError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let invalid = |e: &dyn std::fmt::Display| WebError::Invalid(e.to_string());
    if !content_type.starts_with("multipart/form-data") {
        let Form(text) = Form::<Vec<(String, String)>>::from_request(request, core)
            .await
            .map_err(|e| invalid(&e))?;
        return Ok(ProfileForm {
            text,
            ..Default::default()
        });
    }
    let file_limit = usize::try_from(core.config.media.max_image_bytes).unwrap_or(usize::MAX);
    let mut multipart = Multipart::from_request(request, core)
        .await
        .map_err(|e| invalid(&e))?;
    let mut form = ProfileForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(|e| invalid(&e))? {
        let name = field.name().unwrap_or("").to_owned();
        let is_file = field.file_name().is_some();
        let limit = if is_file { file_limit } else { MAX_TEXT_BYTES };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| invalid(&e))? {
            if bytes.len() + chunk.len() > limit {
                return Err(WebError::Invalid(format!("{name}: too large")));
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            // A file input left empty still sends an empty part.
            if bytes.is_empty() {
                continue;
            }
            match name.as_str() {
                "avatar" => form.avatar = Some(bytes),
                "header" => form.header = Some(bytes),
                _ => {}
            }
        } else {
            let text = String::from_utf8(bytes).map_err(|e| invalid(&e))?;
            form.text.push((name, text));
        }
    }
    Ok(form)
}

fn profile_page_of<'a>(core: &Core, ctx: &'a Ctx, error: Option<String>) -> ProfilePage<'a> {
    // Pages that call this have checked that someone is signed in.
    let account = ctx.viewer.as_ref().map(|v| &v.user.account);
    let mut fields: Vec<FieldInput> = account
        .map(|a| a.fields.as_slice())
        .unwrap_or_default()
        .iter()
        .take(FIELDS)
        .enumerate()
        .map(|(index, f)| FieldInput {
            index,
            name: f.name.clone(),
            value: f.value.clone(),
        })
        .collect();
    while fields.len() < FIELDS {
        fields.push(FieldInput {
            index: fields.len(),
            name: String::new(),
            value: String::new(),
        });
    }
    ProfilePage {
        ctx,
        section: "profile",
        error,
        display_name: account.map(|a| a.display_name.clone()).unwrap_or_default(),
        note: account
            .map(|a| rhizome_core::text::stored_html_to_text(&a.note))
            .unwrap_or_default(),
        fields,
        locked: account.is_some_and(|a| a.locked),
        bot: account.is_some_and(|a| a.bot),
        discoverable: account.is_some_and(|a| a.discoverable),
        avatar: account
            .and_then(|a| a.avatar_url.as_deref())
            .map(|url| core.proxied_url(url))
            .unwrap_or_else(|| core.urls.default_avatar()),
        header: account
            .and_then(|a| a.header_url.as_deref())
            .map(|url| core.proxied_url(url))
            .unwrap_or_else(|| core.urls.default_header()),
    }
}

async fn profile_page(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.require_viewer()?;
    html(&profile_page_of(&core, &ctx, None))
}

async fn save_profile(
    State(core): State<Core>,
    ctx: Ctx,
    request: Request,
) -> Result<Response, WebError> {
    let form = read_profile_form(&core, request).await?;
    ctx.check_csrf(&core, form.get("csrf_token").unwrap_or(""))?;
    let viewer = ctx.require_viewer()?;
    let fields = form
        .fields()
        .into_iter()
        .map(|f| (f.name.trim().to_owned(), f.value.trim().to_owned()))
        .collect();
    let update = ProfileUpdate {
        display_name: Some(form.text("display_name").trim().to_owned()),
        note: Some(form.text("note").trim().to_owned()),
        locked: Some(form.checked("locked")),
        bot: Some(form.checked("bot")),
        discoverable: Some(form.checked("discoverable")),
        fields: Some(fields),
        avatar: form.avatar.clone(),
        header: form.header.clone(),
    };
    match core.update_profile(&viewer.user, update).await {
        Ok(_) => Ok(session::with_flash(
            &core,
            Redirect::to("/settings/profile").into_response(),
            "account-profile-saved",
        )),
        Err(err @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            // The form comes back as it was sent, pictures aside.
            let mut page = profile_page_of(&core, &ctx, Some(refusal(&ctx.tr, &err)));
            page.display_name = form.text("display_name");
            page.note = form.text("note");
            page.fields = form.fields();
            page.locked = form.checked("locked");
            page.bot = form.checked("bot");
            page.discoverable = form.checked("discoverable");
            html_with(refusal_status(&err), &page)
        }
        Err(err) => Err(err.into()),
    }
}

// ---------------------------------------------------------------------------------------
// Password.

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage<'a> {
    ctx: &'a Ctx,
    section: &'static str,
    error: Option<String>,
}

async fn password_page(ctx: Ctx) -> Result<Response, WebError> {
    ctx.require_viewer()?;
    html(&PasswordPage {
        ctx: &ctx,
        section: "password",
        error: None,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

async fn change_password(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    let refused = |error: String| {
        html_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                ctx: &ctx,
                section: "password",
                error: Some(error),
            },
        )
    };
    if form.password != form.password_confirmation {
        return refused(ctx.tr.t("account-password-mismatch"));
    }
    match core
        .change_own_password(
            &viewer.user,
            &form.current_password,
            form.password,
            Some(viewer.session()),
        )
        .await
    {
        Ok(()) => Ok(session::with_flash(
            &core,
            Redirect::to("/settings/password").into_response(),
            "account-password-changed",
        )),
        Err(CoreError::Invalid(message)) if message.contains("current password") => {
            refused(ctx.tr.t("account-current-password-wrong"))
        }
        Err(err @ CoreError::Invalid(_)) => refused(refusal(&ctx.tr, &err)),
        Err(err) => Err(err.into()),
    }
}

// ---------------------------------------------------------------------------------------
// Preferences.

/// The posting languages the preferences offer, by their own names (which need no
/// translation); a stored code outside this list is still offered.
const POSTING_LANGUAGES: &[(&str, &str)] = &[
    ("ar", "العربية"),
    ("ca", "Català"),
    ("cs", "Čeština"),
    ("cy", "Cymraeg"),
    ("da", "Dansk"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("en", "English"),
    ("eo", "Esperanto"),
    ("es", "Español"),
    ("eu", "Euskara"),
    ("fa", "فارسی"),
    ("fi", "Suomi"),
    ("fr", "Français"),
    ("ga", "Gaeilge"),
    ("gl", "Galego"),
    ("he", "עברית"),
    ("hi", "हिन्दी"),
    ("hu", "Magyar"),
    ("id", "Bahasa Indonesia"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("nl", "Nederlands"),
    ("no", "Norsk"),
    ("oc", "Occitan"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("ro", "Română"),
    ("ru", "Русский"),
    ("sv", "Svenska"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("vi", "Tiếng Việt"),
    ("zh", "中文"),
];

/// The visibilities a default may take, with their catalogue ids.
const DEFAULT_VISIBILITIES: &[(&str, &str)] = &[
    ("public", "account-visibility-public"),
    ("unlisted", "account-visibility-unlisted"),
    ("private", "account-visibility-private"),
    ("local", "account-visibility-local"),
];

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "account/preferences.html")]
struct PreferencesPage<'a> {
    ctx: &'a Ctx,
    section: &'static str,
    /// The user's stored interface language.
    locale: String,
    visibilities: Vec<Choice>,
    /// The posting languages, the blank "none" first.
    languages: Vec<Choice>,
    sensitive: bool,
}

async fn preferences_page(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    let viewer = ctx.require_viewer()?;
    let locale = Lang::from_tag(&viewer.user.locale)
        .unwrap_or(ctx.lang())
        .tag()
        .to_owned();
    let defaults = core.posting_defaults(viewer.account_id()).await?;
    let visibilities = DEFAULT_VISIBILITIES
        .iter()
        .map(|(value, id)| Choice {
            value: (*value).to_owned(),
            label: ctx.tr.t(id),
            selected: *value == defaults.visibility.as_str(),
        })
        .collect();
    let current = defaults.language.clone().unwrap_or_default();
    let mut languages = vec![Choice {
        value: String::new(),
        label: ctx.tr.t("account-posting-language-none"),
        selected: current.is_empty(),
    }];
    if !current.is_empty() && !POSTING_LANGUAGES.iter().any(|(code, _)| *code == current) {
        languages.push(Choice {
            value: current.clone(),
            label: current.clone(),
            selected: true,
        });
    }
    languages.extend(POSTING_LANGUAGES.iter().map(|(code, name)| Choice {
        value: (*code).to_owned(),
        label: (*name).to_owned(),
        selected: *code == current,
    }));
    html(&PreferencesPage {
        ctx: &ctx,
        section: "preferences",
        locale,
        visibilities,
        languages,
        sensitive: defaults.sensitive,
    })
}

#[derive(Deserialize)]
struct PreferencesForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    locale: String,
    /// Absent from forms that predate the posting defaults: they are then left alone.
    default_visibility: Option<String>,
    #[serde(default)]
    default_sensitive: Option<String>,
    #[serde(default)]
    default_language: String,
}

async fn save_preferences(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<PreferencesForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    let Some(lang) = Lang::from_tag(&form.locale) else {
        return Err(WebError::Invalid(ctx.tr.t("account-language-unknown")));
    };
    if let Some(visibility) = &form.default_visibility {
        let visibility = visibility
            .parse::<rhizome_model::Visibility>()
            .map_err(|_| WebError::Invalid(ctx.tr.t("account-visibility-unknown")))?;
        core.set_posting_defaults(
            viewer.account_id(),
            rhizome_core::preferences::PostingDefaultsUpdate {
                visibility: Some(visibility),
                sensitive: Some(form.default_sensitive.is_some()),
                language: Some(Some(form.default_language.clone())),
            },
        )
        .await?;
    }
    core.set_locale(&viewer.user, lang.tag()).await?;
    let mut response = session::with_flash(
        &core,
        Redirect::to("/settings/preferences").into_response(),
        "account-preferences-saved",
    );
    // The language cookie would win over the stored choice: it follows the choice instead,
    // which also keeps the language after signing out.
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(
            &core,
            session::LANG_COOKIE,
            lang.tag(),
            session::SESSION_MAX_AGE,
        ),
    );
    Ok(response)
}
