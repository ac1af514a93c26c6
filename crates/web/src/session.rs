//! Who is looking at a page, in which language, and the form token that proves a form was
//! sent from one of our pages.
//!
//! A web session is an access token of the signed-in user (no app, the usual scopes), kept
//! in an `HttpOnly` cookie: every process checks it against the database, as the API checks
//! bearer tokens, so sessions need no state of their own. Form tokens are HMACs of the
//! session (or, before sign-in, of a random per-browser cookie), so any process checks them.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rhizome_core::Core;
use rhizome_core::config::Scheme;
use rhizome_core::oauth::Authenticated;
use rhizome_core::secrets::{csrf, random_token};
use rhizome_model::{Id, LocalUser, Role};

use crate::assets;
use crate::error::WebError;
use crate::i18n::{Lang, Tr};

pub const SESSION_COOKIE: &str = "rhizome_session";
/// The interface language a visitor chose (signed-in users' own setting wins).
pub const LANG_COOKIE: &str = "rhizome_lang";
/// A random value per browser that anonymous forms' tokens are bound to.
const BROWSER_COOKIE: &str = "rhizome_browser";
/// A catalogue message id to show once on the next page (never user text).
const FLASH_COOKIE: &str = "rhizome_flash";

/// A session lasts a year unless the user signs out.
pub const SESSION_MAX_AGE: i64 = 365 * 24 * 3600;

/// The value of cookie `name` in the request, if present.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
}

/// A `Set-Cookie` value: never readable by scripts, sent on top-level navigations only, and
/// only over https when the instance is served over https.
pub fn set_cookie(core: &Core, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if core.config.scheme == Scheme::Https {
        "; Secure"
    } else {
        ""
    };
    let text = format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Adds a one-time message (a catalogue id) to show on the next page.
pub fn with_flash(core: &Core, mut response: Response, message_id: &'static str) -> Response {
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(core, FLASH_COOKIE, message_id, 60),
    );
    response
}

/// What the web middleware learnt from the request before any handler ran.
#[derive(Clone)]
struct RequestFacts {
    /// From the language cookie or `Accept-Language`.
    lang: Lang,
    browser_id: String,
    flash: Option<String>,
}

/// The language a request asks for: the switcher's cookie, else `Accept-Language`.
pub fn header_lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|tag| Lang::from_tag(&tag))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::En)
}

/// Web-page middleware: the browser cookie, the one-time message, the page language for
/// error pages, and the security headers every page carries.
pub async fn middleware(
    axum::extract::State(core): axum::extract::State<Core>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let existing_browser = cookie(headers, BROWSER_COOKIE).filter(|v| v.len() >= 16);
    let flash = cookie(headers, FLASH_COOKIE).filter(|v| !v.is_empty());
    let facts = RequestFacts {
        lang: header_lang(headers),
        browser_id: existing_browser.clone().unwrap_or_else(|| random_token(18)),
        flash: flash.clone(),
    };
    let lang = facts.lang;
    request.extensions_mut().insert(facts.clone());
    let mut response = next.run(request).await;
    if let Some(error) = response
        .extensions_mut()
        .remove::<crate::error::ErrorPage>()
    {
        let (parts, _) = response.into_parts();
        let mut page = error.render(&core, lang).await;
        for value in parts.headers.get_all(header::SET_COOKIE) {
            page.headers_mut().append(header::SET_COOKIE, value.clone());
        }
        response = page;
    }
    let headers = response.headers_mut();
    if existing_browser.is_none() {
        headers.append(
            header::SET_COOKIE,
            set_cookie(&core, BROWSER_COOKIE, &facts.browser_id, SESSION_MAX_AGE),
        );
    }
    let sets_flash = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(FLASH_COOKIE.as_bytes()));
    if flash.is_some() && !sets_flash {
        headers.append(header::SET_COOKIE, set_cookie(&core, FLASH_COOKIE, "", 0));
    }
    // Pages run our own script only; uploaded and remote pictures come from here or from
    // the media host. `form-action` is left out: the OAuth page redirects to the app.
    let media_origin = core.config.media.base_url.as_deref().unwrap_or("");
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: {media_origin}; \
         media-src 'self' {media_origin}; connect-src 'self'; font-src 'self'; \
         manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&policy)
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The signed-in user behind a page.
#[derive(Clone)]
pub struct Viewer {
    pub user: LocalUser,
    pub auth: Authenticated,
    session: String,
}

impl Viewer {
    pub fn account_id(&self) -> Id {
        self.user.account.id
    }

    pub fn username(&self) -> &str {
        &self.user.account.username
    }

    pub fn display_name(&self) -> &str {
        if self.user.account.display_name.is_empty() {
            &self.user.account.username
        } else {
            &self.user.account.display_name
        }
    }

    /// Admins and moderators.
    pub fn is_staff(&self) -> bool {
        matches!(self.user.role, Role::Admin | Role::Moderator)
    }

    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }

    /// The session's access token (to sign out).
    pub fn session(&self) -> &str {
        &self.session
    }
}

/// Everything a page template needs besides its own content.
pub struct Ctx {
    /// The page's language and its messages.
    pub tr: Tr,
    pub viewer: Option<Viewer>,
    /// For every form's hidden `csrf_token` field.
    pub csrf_token: String,
    /// What the form token is bound to: the session, or the browser before sign-in.
    binding: String,
    pub instance_name: String,
    /// Whether the navigation offers the sign-up page (registrations are not closed).
    pub registrations_open: bool,
    /// The path and query of this page (sign-in comes back to it; the language switcher too).
    pub path: String,
    /// A one-time message id from the previous page.
    pub flash: Option<String>,
    pub css_url: &'static str,
    pub js_url: &'static str,
}

impl Ctx {
    fn build(core: &Core, lang: Lang, viewer: Option<Viewer>, browser_id: &str) -> Ctx {
        let binding = match &viewer {
            Some(viewer) => viewer.session.clone(),
            None => format!("browser:{browser_id}"),
        };
        Ctx {
            tr: Tr::new(lang),
            csrf_token: csrf::for_session(&core.secrets.csrf_key, &binding),
            binding,
            viewer,
            instance_name: core.config.instance_name.clone(),
            registrations_open: core.config.registrations
                != rhizome_core::config::RegistrationMode::Closed,
            path: "/".to_owned(),
            flash: None,
            css_url: assets::css_url(),
            js_url: assets::js_url(),
        }
    }

    /// The language the page is served in.
    pub fn lang(&self) -> Lang {
        self.tr.lang
    }

    /// A context for a page rendered outside a handler (error pages).
    pub fn anonymous(core: &Core, lang: Lang) -> Ctx {
        Ctx::build(core, lang, None, "")
    }

    /// Refuses a form whose token was not issued for this session or browser.
    pub fn check_csrf(&self, core: &Core, token: &str) -> Result<(), WebError> {
        if csrf::verify_for_session(&core.secrets.csrf_key, &self.binding, token) {
            Ok(())
        } else {
            Err(WebError::ExpiredForm)
        }
    }

    /// The signed-in user, or a redirect to the sign-in page.
    pub fn require_viewer(&self) -> Result<&Viewer, WebError> {
        self.viewer.as_ref().ok_or_else(|| WebError::SignInNeeded {
            next: self.path.clone(),
        })
    }

    /// Admins and moderators only.
    pub fn require_staff(&self) -> Result<&Viewer, WebError> {
        let viewer = self.require_viewer()?;
        if viewer.is_staff() {
            Ok(viewer)
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// The viewer's account id, if signed in.
    pub fn viewer_id(&self) -> Option<Id> {
        self.viewer.as_ref().map(Viewer::account_id)
    }

    /// The current path with `lang` set, for the language switcher.
    pub fn path_in(&self, lang: &Lang) -> String {
        format!(
            "/settings/language?lang={}&next={}",
            lang.tag(),
            urlencode(&self.path)
        )
    }
}

/// Percent-encodes a query value.
pub fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

impl FromRequestParts<Core> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, core: &Core) -> Result<Self, Self::Rejection> {
        let facts = parts
            .extensions
            .get::<RequestFacts>()
            .cloned()
            .unwrap_or_else(|| RequestFacts {
                lang: header_lang(&parts.headers),
                browser_id: String::new(),
                flash: None,
            });
        let mut viewer = None;
        if let Some(session) = cookie(&parts.headers, SESSION_COOKIE).filter(|s| !s.is_empty()) {
            match core.authenticate_token(&session).await {
                Ok(auth) => {
                    if let Some(user) = auth.user.clone() {
                        viewer = Some(Viewer {
                            user,
                            auth,
                            session,
                        });
                    }
                }
                // A revoked or unknown session is an anonymous visit.
                Err(err) => tracing::debug!(error = %err, "web session not accepted"),
            }
        }
        // The user's own setting wins over what the browser asks for.
        let lang = viewer
            .as_ref()
            .and_then(|v| Lang::from_tag(&v.user.locale))
            .filter(|_| cookie(&parts.headers, LANG_COOKIE).is_none())
            .unwrap_or(facts.lang);
        let mut ctx = Ctx::build(core, lang, viewer, &facts.browser_id);
        ctx.path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned());
        ctx.flash = facts.flash;
        if let Ok(settings) = core.settings().await {
            ctx.instance_name = settings.name;
            ctx.registrations_open =
                settings.registrations != rhizome_core::config::RegistrationMode::Closed;
        }
        Ok(ctx)
    }
}

/// Signs `user` in: a new session token in the cookie, then on to `next`.
pub async fn start_session(
    core: &Core,
    user: &LocalUser,
    next: &str,
) -> Result<Response, WebError> {
    let scopes = rhizome_model::Scopes::parse("read write follow push")
        .map_err(|_| WebError::Internal("scopes".to_owned()))?;
    let issued = core
        .issue_token(Some(user.account.id), None, scopes, false)
        .await?;
    let mut response = Redirect::to(safe_next(next)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(core, SESSION_COOKIE, &issued.access_token, SESSION_MAX_AGE),
    );
    Ok(response)
}

/// Ends the viewer's session: the token is revoked, so a copied cookie is worthless too.
pub async fn end_session(core: &Core, viewer: &Viewer) -> Result<Response, WebError> {
    core.revoke_token(viewer.session()).await?;
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(core, SESSION_COOKIE, "", 0));
    Ok(response)
}

/// Only paths on this site: `next` comes from the query string.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/home"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; rhizome_session=abc ; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/@alice"), "/@alice");
        assert_eq!(safe_next("//evil.example/"), "/home");
        assert_eq!(safe_next("https://evil.example/"), "/home");
        assert_eq!(safe_next("/\\evil.example"), "/home");
    }
}
