//! `/admin/domain_blocks`: the instance's domain blocks (Mastodon's severities and options,
//! which the Simple policy's lists follow) and domain allows, to add, change and remove.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rhizome_core::federation::policy::DomainBlockRequest;
use rhizome_core::{Core, CoreError};
use rhizome_model::{Id, LocalUser};
use rhizome_store::DomainAllow;
use serde::Deserialize;

use super::{Nav, TokenForm, done, staff};
use crate::error::{WebError, html};
use crate::session::Ctx;
use crate::views::{DomainBlockCard, display_time, domain_block_card};

/// Mastodon's severities: `noop` blocks nothing but the options ticked.
pub const SEVERITIES: &[&str] = &["suspend", "silence", "noop"];

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/admin/domain_blocks", get(list).post(create))
        .route("/admin/domain_blocks/{id}", get(edit).post(update))
        .route("/admin/domain_blocks/{id}/delete", post(remove))
        .route("/admin/domain_allows", post(create_allow))
        .route("/admin/domain_allows/{id}/delete", post(remove_allow))
}

/// The add and edit forms' fields (check boxes are absent when not ticked).
#[derive(Deserialize, Default, Clone)]
struct BlockForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    severity: String,
    reject_media: Option<String>,
    reject_reports: Option<String>,
    obfuscate: Option<String>,
    #[serde(default)]
    public_comment: String,
    #[serde(default)]
    private_comment: String,
}

/// What the add form shows: empty, or what was sent when it was refused.
pub struct BlockDraft {
    pub domain: String,
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub obfuscate: bool,
    pub public_comment: String,
    pub private_comment: String,
}

impl BlockDraft {
    pub fn is_severity(&self, severity: &str) -> bool {
        self.severity == severity
    }

    fn empty() -> BlockDraft {
        BlockDraft {
            domain: String::new(),
            severity: "silence".to_owned(),
            reject_media: false,
            reject_reports: false,
            obfuscate: false,
            public_comment: String::new(),
            private_comment: String::new(),
        }
    }

    fn from(form: &BlockForm) -> BlockDraft {
        BlockDraft {
            domain: form.domain.trim().to_owned(),
            severity: form.severity.clone(),
            reject_media: form.reject_media.is_some(),
            reject_reports: form.reject_reports.is_some(),
            obfuscate: form.obfuscate.is_some(),
            public_comment: form.public_comment.trim().to_owned(),
            private_comment: form.private_comment.trim().to_owned(),
        }
    }

    fn of(block: &DomainBlockCard) -> BlockDraft {
        BlockDraft {
            domain: block.domain.clone(),
            severity: block.severity.clone(),
            reject_media: block.reject_media,
            reject_reports: block.reject_reports,
            obfuscate: block.obfuscate,
            public_comment: block.public_comment.clone(),
            private_comment: block.private_comment.clone(),
        }
    }
}

pub struct AllowCard {
    pub id: Id,
    pub domain: String,
    pub created: String,
}

fn allow_card(allow: &DomainAllow) -> AllowCard {
    AllowCard {
        id: allow.id,
        domain: allow.domain.clone(),
        created: display_time(allow.created_at),
    }
}

#[derive(Template)]
#[template(path = "admin/domain_blocks.html")]
struct BlocksPage<'a> {
    ctx: &'a Ctx,
    nav: Nav,
    title: String,
    blocks: Vec<DomainBlockCard>,
    allows: Vec<AllowCard>,
    draft: BlockDraft,
    severities: &'static [&'static str],
    /// Why the add form was refused.
    error: Option<String>,
    /// The domain the allow form was refused for, and why.
    allow_error: Option<String>,
    allow_domain: String,
}

async fn blocks_page(
    core: &Core,
    ctx: &Ctx,
    nav: Nav,
    draft: BlockDraft,
    error: Option<String>,
    allow: Option<(String, String)>,
) -> Result<Response, WebError> {
    let mut blocks = core.instance_domain_blocks().await?;
    blocks.sort_by(|a, b| a.domain.cmp(&b.domain));
    let mut allows = core.instance_domain_allows().await?;
    allows.sort_by(|a, b| a.domain.cmp(&b.domain));
    let (allow_domain, allow_error) = match allow {
        Some((domain, error)) => (domain, Some(error)),
        None => (String::new(), None),
    };
    let refused = error.is_some() || allow_error.is_some();
    let page = html(&BlocksPage {
        title: ctx.tr.t("admin-domains-title"),
        nav,
        blocks: blocks.iter().map(domain_block_card).collect(),
        allows: allows.iter().map(allow_card).collect(),
        draft,
        severities: SEVERITIES,
        error,
        allow_error,
        allow_domain,
        ctx,
    })?;
    Ok(if refused {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page
    })
}

async fn list(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    let (_, nav) = staff(&ctx, "domains")?;
    blocks_page(&core, &ctx, nav, BlockDraft::empty(), None, None).await
}

/// The text of a refusal the admin can fix; other errors end the request.
fn refusal(err: CoreError) -> Result<String, WebError> {
    match err {
        CoreError::Invalid(message) | CoreError::Conflict(message) => Ok(message),
        other => Err(other.into()),
    }
}

/// Domain-block changes go into the moderation log too, as on Mastodon (and named as the
/// sign-up blocks name theirs: `create`, `update`, `destroy`).
async fn log(
    core: &Core,
    me: &LocalUser,
    action: &str,
    target_type: &str,
    id: Id,
    domain: &str,
) -> Result<(), WebError> {
    core.log_moderation(Some(me.account.id), action, target_type, id, domain)
        .await?;
    Ok(())
}

async fn create(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<BlockForm>,
) -> Result<Response, WebError> {
    let (me, nav) = staff(&ctx, "domains")?;
    ctx.check_csrf(&core, &form.csrf_token)?;
    let draft = BlockDraft::from(&form);
    let refused = |message: String| blocks_page(&core, &ctx, nav, draft, Some(message), None);
    if form.domain.trim().is_empty() {
        return refused(ctx.tr.t("admin-domains-error-blank")).await;
    }
    // Changing a block goes through its own page, as through PUT on the API.
    if let Some(existing) = core.instance_domain_block_for(&form.domain).await? {
        return refused(
            ctx.tr
                .t1("admin-domains-error-exists", "domain", existing.domain),
        )
        .await;
    }
    let request = DomainBlockRequest {
        domain: form.domain.trim().to_owned(),
        severity: form.severity.clone(),
        reject_media: form.reject_media.is_some(),
        reject_reports: form.reject_reports.is_some(),
        obfuscate: form.obfuscate.is_some(),
        public_comment: form.public_comment.trim().to_owned(),
        private_comment: form.private_comment.trim().to_owned(),
    };
    match core.block_instance_domain(&request).await {
        Ok(block) => {
            log(&core, me, "create", "domain_block", block.id, &block.domain).await?;
            Ok(done(
                &core,
                "/admin/domain_blocks",
                "admin-flash-domain-blocked",
            ))
        }
        Err(err) => refused(refusal(err)?).await,
    }
}

#[derive(Template)]
#[template(path = "admin/domain_block.html")]
struct BlockPage<'a> {
    ctx: &'a Ctx,
    nav: Nav,
    title: String,
    block: DomainBlockCard,
    draft: BlockDraft,
    severities: &'static [&'static str],
    error: Option<String>,
}

async fn edit(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (_, nav) = staff(&ctx, "domains")?;
    let block = domain_block_card(
        &core
            .instance_domain_block(crate::error::parse_id(&id)?)
            .await?,
    );
    html(&BlockPage {
        title: ctx
            .tr
            .t1("admin-domain-edit-title", "domain", block.domain.as_str()),
        nav,
        draft: BlockDraft::of(&block),
        block,
        severities: SEVERITIES,
        error: None,
        ctx: &ctx,
    })
}

async fn update(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<BlockForm>,
) -> Result<Response, WebError> {
    let (me, nav) = staff(&ctx, "domains")?;
    ctx.check_csrf(&core, &form.csrf_token)?;
    let id = crate::error::parse_id(&id)?;
    let draft = BlockDraft::from(&form);
    let changed = core
        .update_instance_domain_block(id, |block| {
            block.severity = draft.severity.clone();
            block.reject_media = draft.reject_media;
            block.reject_reports = draft.reject_reports;
            block.obfuscate = draft.obfuscate;
            block.public_comment = draft.public_comment.clone();
            block.private_comment = draft.private_comment.clone();
        })
        .await;
    match changed {
        Ok(block) => {
            log(&core, me, "update", "domain_block", block.id, &block.domain).await?;
            Ok(done(
                &core,
                "/admin/domain_blocks",
                "admin-flash-domain-updated",
            ))
        }
        Err(err) => {
            let message = refusal(err)?;
            let block = domain_block_card(&core.instance_domain_block(id).await?);
            let page = html(&BlockPage {
                title: ctx
                    .tr
                    .t1("admin-domain-edit-title", "domain", block.domain.as_str()),
                nav,
                draft,
                block,
                severities: SEVERITIES,
                error: Some(message),
                ctx: &ctx,
            })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn remove(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    let (me, _) = staff(&ctx, "domains")?;
    ctx.check_csrf(&core, &form.csrf_token)?;
    let block = core
        .remove_instance_domain_block(crate::error::parse_id(&id)?)
        .await?;
    log(
        &core,
        me,
        "destroy",
        "domain_block",
        block.id,
        &block.domain,
    )
    .await?;
    Ok(done(
        &core,
        "/admin/domain_blocks",
        "admin-flash-domain-unblocked",
    ))
}

#[derive(Deserialize, Default)]
struct AllowForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    domain: String,
}

async fn create_allow(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<AllowForm>,
) -> Result<Response, WebError> {
    let (me, nav) = staff(&ctx, "domains")?;
    ctx.check_csrf(&core, &form.csrf_token)?;
    let domain = form.domain.trim().to_owned();
    let result = if domain.is_empty() {
        Err(CoreError::Invalid(ctx.tr.t("admin-domains-error-blank")))
    } else {
        core.allow_instance_domain(&domain).await
    };
    match result {
        Ok(allow) => {
            log(&core, me, "create", "domain_allow", allow.id, &allow.domain).await?;
            Ok(done(
                &core,
                "/admin/domain_blocks",
                "admin-flash-domain-allowed",
            ))
        }
        Err(err) => {
            let message = refusal(err)?;
            blocks_page(
                &core,
                &ctx,
                nav,
                BlockDraft::empty(),
                None,
                Some((domain, message)),
            )
            .await
        }
    }
}

async fn remove_allow(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    let (me, _) = staff(&ctx, "domains")?;
    ctx.check_csrf(&core, &form.csrf_token)?;
    let allow = core
        .remove_domain_allow(crate::error::parse_id(&id)?)
        .await?;
    log(
        &core,
        me,
        "destroy",
        "domain_allow",
        allow.id,
        &allow.domain,
    )
    .await?;
    Ok(done(
        &core,
        "/admin/domain_blocks",
        "admin-flash-domain-disallowed",
    ))
}
