//! The instance's own pages: the landing page, the local timeline, `/about` and
//! `/about/more` (the moderated servers, as NodeInfo publishes them).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use rhizome_core::timelines::PublicFilter;
use rhizome_core::{Core, PageRequest, RegistrationMode};

use super::{Meta, PAGE_SIZE, PageQuery, Pagination, cards, path_only};
use crate::error::{WebError, html};
use crate::session::Ctx;
use crate::views::StatusCard;

/// How many posts the landing page previews.
const PREVIEW_SIZE: u32 = 10;

/// How people may join, for the landing and about pages.
pub struct Registration {
    /// A catalogue id saying how.
    pub message_id: &'static str,
    /// Whether the sign-up page can be used as it is (not with an invite link only).
    pub sign_up: bool,
}

impl Registration {
    fn of(mode: RegistrationMode) -> Registration {
        let (message_id, sign_up) = match mode {
            RegistrationMode::Open => ("public-registrations-open", true),
            RegistrationMode::Approval => ("public-registrations-approval", true),
            RegistrationMode::Invite => ("public-registrations-invite", false),
            RegistrationMode::Closed => ("public-registrations-closed", false),
        };
        Registration {
            message_id,
            sign_up,
        }
    }
}

#[derive(Template)]
#[template(path = "public/landing.html")]
struct LandingPage<'a> {
    ctx: &'a Ctx,
    meta: Meta,
    name: String,
    description: String,
    rules: Vec<String>,
    registration: Registration,
    statuses: Vec<StatusCard>,
}

/// `/`: what this instance is, its rules, how to join, and its latest public posts.
pub async fn landing(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    let settings = core.settings().await?;
    let viewer = ctx.viewer_id();
    // Instances that keep their timelines for their users show visitors no preview.
    let preview = if core.may_read_public_timelines(viewer).await? {
        core.public_timeline(
            viewer,
            PublicFilter {
                local_only: true,
                ..Default::default()
            },
            &PageRequest::first(PREVIEW_SIZE),
        )
        .await?
        .items
    } else {
        Vec::new()
    };
    let meta = Meta::website(&core, &ctx, settings.name.clone(), &settings.description);
    html(&LandingPage {
        meta,
        statuses: cards(&core, &preview, viewer),
        name: settings.name,
        description: settings.description,
        rules: settings.rules,
        registration: Registration::of(settings.registrations),
        ctx: &ctx,
    })
}

#[derive(Template)]
#[template(path = "public/explore.html")]
struct ExplorePage<'a> {
    ctx: &'a Ctx,
    meta: Meta,
    statuses: Vec<StatusCard>,
    pagination: Pagination,
}

/// `/explore`: the local public timeline, page by page.
pub async fn explore(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let viewer = ctx.viewer_id();
    if !core.may_read_public_timelines(viewer).await? {
        return Err(WebError::SignInNeeded {
            next: ctx.path.clone(),
        });
    }
    let page = core
        .public_timeline(
            viewer,
            PublicFilter {
                local_only: true,
                ..Default::default()
            },
            &query.request(PAGE_SIZE)?,
        )
        .await?;
    let title = ctx
        .tr
        .t1("public-explore-title", "name", &ctx.instance_name);
    let meta = Meta::website(&core, &ctx, title, "");
    html(&ExplorePage {
        meta,
        statuses: cards(&core, &page.items, viewer),
        pagination: Pagination::of(path_only(&ctx.path), &query, &page, PAGE_SIZE),
        ctx: &ctx,
    })
}

#[derive(Template)]
#[template(path = "public/about.html")]
struct AboutPage<'a> {
    ctx: &'a Ctx,
    meta: Meta,
    name: String,
    description: String,
    contact_email: String,
    rules: Vec<String>,
    registration: Registration,
    users: i64,
    posts: i64,
}

/// `/about`: the instance, who runs it, its rules, how to join, and its size.
pub async fn about(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    let settings = core.settings().await?;
    let users = core.local_user_count().await?;
    let posts = core.local_status_count().await?;
    let title = ctx.tr.t1("public-about-title", "name", &settings.name);
    let meta = Meta::website(&core, &ctx, title, &settings.description);
    html(&AboutPage {
        meta,
        name: settings.name,
        description: settings.description,
        contact_email: settings.contact_email,
        rules: settings.rules,
        registration: Registration::of(settings.registrations),
        users,
        posts,
        ctx: &ctx,
    })
}

/// Simple policy lists in the order the page shows them, with what each means for people.
const SIMPLE_LISTS: &[(&str, &str)] = &[
    ("reject", "public-mrf-reject"),
    ("accept", "public-mrf-accept"),
    (
        "federated_timeline_removal",
        "public-mrf-federated-timeline-removal",
    ),
    ("followers_only", "public-mrf-followers-only"),
    ("media_removal", "public-mrf-media-removal"),
    ("media_nsfw", "public-mrf-media-nsfw"),
    ("report_removal", "public-mrf-report-removal"),
    ("avatar_removal", "public-mrf-avatar-removal"),
    ("banner_removal", "public-mrf-banner-removal"),
    ("reject_deletes", "public-mrf-reject-deletes"),
];

/// One Simple list with its servers and the reasons given.
struct ModeratedList {
    meaning_id: &'static str,
    servers: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "public/about_more.html")]
struct AboutMorePage<'a> {
    ctx: &'a Ctx,
    meta: Meta,
    name: String,
    description: String,
    rules: Vec<String>,
    /// `None` when the instance does not publish its moderation decisions.
    lists: Option<Vec<ModeratedList>>,
    policies: Vec<String>,
}

/// `/about/more`: the instance, its rules and its moderated servers, as published in
/// NodeInfo (the same transparency settings, exclusions and obfuscation).
pub async fn about_more(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    let settings = core.settings().await?;
    let federation = core.federation_metadata().await?;
    let lists = federation
        .get("mrf_simple")
        .and_then(|v| v.as_object())
        .map(|lists| {
            let info = federation.get("mrf_simple_info");
            SIMPLE_LISTS
                .iter()
                .filter_map(|(list, meaning_id)| {
                    let servers: Vec<(String, String)> = lists
                        .get(*list)
                        .and_then(|v| v.as_array())
                        .into_iter()
                        .flatten()
                        .filter_map(|d| d.as_str())
                        .map(|domain| {
                            let reason = info
                                .and_then(|i| i.get(*list))
                                .and_then(|l| l.get(domain))
                                .and_then(|d| d.get("reason"))
                                .and_then(|r| r.as_str())
                                .unwrap_or("");
                            (domain.to_owned(), reason.to_owned())
                        })
                        .collect();
                    (!servers.is_empty()).then_some(ModeratedList {
                        meaning_id,
                        servers,
                    })
                })
                .collect::<Vec<_>>()
        });
    let policies = federation
        .get("mrf_policies")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    let title = ctx.tr.t1("public-about-more-title", "name", &settings.name);
    let meta = Meta::website(&core, &ctx, title, &settings.description);
    html(&AboutMorePage {
        meta,
        name: settings.name,
        description: settings.description,
        rules: settings.rules,
        lists,
        policies,
        ctx: &ctx,
    })
}
