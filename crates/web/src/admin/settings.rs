//! `/admin/settings` (admins only): the instance's name, description, contact address, rules
//! and registration mode, as core's run-time settings. A setting pinned by the environment
//! is shown but cannot be changed here.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use rhizome_core::settings::{
    CONTACT_EMAIL, EffectiveSettings, INSTANCE_DESCRIPTION, INSTANCE_NAME, PUBLIC_TIMELINES,
    REGISTRATIONS_MODE, RULES, Source,
};
use rhizome_core::{Core, CoreError, RegistrationMode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Nav, admin, done};
use crate::error::{WebError, html};
use crate::session::Ctx;

pub const MODES: &[&str] = &["open", "approval", "invite", "closed"];

pub fn routes() -> Router<Core> {
    Router::new().route("/admin/settings", get(show).post(save))
}

/// The form's values, and which of them the environment pins.
pub struct SettingsForm {
    pub name: String,
    pub description: String,
    pub contact_email: String,
    /// One rule per line.
    pub rules: String,
    pub registrations: String,
    /// Visitors may read the public timelines.
    pub public_timelines: bool,
    pub name_pinned: bool,
    pub description_pinned: bool,
    pub contact_email_pinned: bool,
    pub rules_pinned: bool,
    pub registrations_pinned: bool,
    pub public_timelines_pinned: bool,
}

impl SettingsForm {
    pub fn is_mode(&self, mode: &str) -> bool {
        self.registrations == mode
    }

    fn of(settings: &EffectiveSettings) -> SettingsForm {
        let pinned = |key: &str| {
            settings
                .sources
                .iter()
                .any(|(k, source)| *k == key && *source == Source::Environment)
        };
        SettingsForm {
            name: settings.name.clone(),
            description: settings.description.clone(),
            contact_email: settings.contact_email.clone(),
            rules: settings.rules.join("\n"),
            registrations: settings.registrations.as_str().to_owned(),
            public_timelines: settings.public_timelines,
            name_pinned: pinned(INSTANCE_NAME),
            description_pinned: pinned(INSTANCE_DESCRIPTION),
            contact_email_pinned: pinned(CONTACT_EMAIL),
            rules_pinned: pinned(RULES),
            registrations_pinned: pinned(REGISTRATIONS_MODE),
            public_timelines_pinned: pinned(PUBLIC_TIMELINES),
        }
    }

    fn any_pinned(&self) -> bool {
        self.name_pinned
            || self.description_pinned
            || self.contact_email_pinned
            || self.rules_pinned
            || self.registrations_pinned
            || self.public_timelines_pinned
    }
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage<'a> {
    ctx: &'a Ctx,
    nav: Nav,
    title: String,
    form: SettingsForm,
    any_pinned: bool,
    modes: &'static [&'static str],
    error: Option<String>,
}

fn page(
    ctx: &Ctx,
    nav: Nav,
    form: SettingsForm,
    error: Option<String>,
) -> Result<Response, WebError> {
    let refused = error.is_some();
    let page = html(&SettingsPage {
        title: ctx.tr.t("admin-settings-title"),
        nav,
        any_pinned: form.any_pinned(),
        form,
        modes: MODES,
        error,
        ctx,
    })?;
    Ok(if refused {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page
    })
}

async fn show(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    let (_, nav) = admin(&ctx, "settings")?;
    let form = SettingsForm::of(&core.settings().await?);
    page(&ctx, nav, form, None)
}

/// Pinned fields are disabled in the form, so browsers leave them out.
#[derive(Deserialize, Default)]
struct SaveForm {
    #[serde(default)]
    csrf_token: String,
    name: Option<String>,
    description: Option<String>,
    contact_email: Option<String>,
    rules: Option<String>,
    registrations: Option<String>,
    /// The checkbox: present when ticked.
    public_timelines: Option<String>,
    /// Sent beside the checkbox, so that an unticked box is told from a pinned one.
    public_timelines_shown: Option<String>,
}

async fn save(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<SaveForm>,
) -> Result<Response, WebError> {
    let (_, nav) = admin(&ctx, "settings")?;
    ctx.check_csrf(&core, &form.csrf_token)?;
    let current = core.settings().await?;
    let shown = SettingsForm::of(&current);
    let rules = form.rules.as_deref().map(|text| {
        text.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    // Only what changed is written: an unchanged value keeps following the configuration.
    let mut changes: Vec<(&str, Value)> = Vec::new();
    let mut text = |key: &'static str, sent: &Option<String>, now: &str, pinned: bool| {
        if let Some(value) = sent.as_deref().map(str::trim)
            && !pinned
            && value != now
        {
            changes.push((key, json!(value)));
        }
    };
    text(INSTANCE_NAME, &form.name, &current.name, shown.name_pinned);
    text(
        INSTANCE_DESCRIPTION,
        &form.description,
        &current.description,
        shown.description_pinned,
    );
    text(
        CONTACT_EMAIL,
        &form.contact_email,
        &current.contact_email,
        shown.contact_email_pinned,
    );
    text(
        REGISTRATIONS_MODE,
        &form.registrations,
        current.registrations.as_str(),
        shown.registrations_pinned,
    );
    if let Some(rules) = rules
        && !shown.rules_pinned
        && rules != current.rules
    {
        changes.push((RULES, json!(rules)));
    }
    let public_timelines = form.public_timelines.is_some();
    if form.public_timelines_shown.is_some()
        && !shown.public_timelines_pinned
        && public_timelines != current.public_timelines
    {
        changes.push((PUBLIC_TIMELINES, json!(public_timelines)));
    }
    // Show what was sent on a refusal, so nothing typed is lost.
    let refused = |message: String| {
        let mut sent = shown;
        sent.name = form.name.clone().unwrap_or(sent.name);
        sent.description = form.description.clone().unwrap_or(sent.description);
        sent.contact_email = form.contact_email.clone().unwrap_or(sent.contact_email);
        sent.rules = form.rules.clone().unwrap_or(sent.rules);
        sent.registrations = form.registrations.clone().unwrap_or(sent.registrations);
        if form.public_timelines_shown.is_some() {
            sent.public_timelines = public_timelines;
        }
        page(&ctx, nav, sent, Some(message))
    };
    // The mode is checked before anything is written, so a refused form changes nothing.
    if let Some(mode) = changes.iter().find(|(key, _)| *key == REGISTRATIONS_MODE)
        && mode
            .1
            .as_str()
            .is_none_or(|m| m.parse::<RegistrationMode>().is_err())
    {
        return refused(ctx.tr.t("admin-settings-error-mode"));
    }
    for (key, value) in changes {
        if let Err(err) = core.change_setting(key, value).await {
            return match err {
                CoreError::Invalid(message) => refused(message),
                other => Err(other.into()),
            };
        }
    }
    Ok(done(&core, "/admin/settings", "admin-flash-settings-saved"))
}
