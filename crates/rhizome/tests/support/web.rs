//! A browser without JavaScript for the web-interface suites (`tests/web_*.rs`): it keeps
//! cookies, reads the `csrf_token` of a page's form and sends forms as a browser would, over
//! the in-process router or a real server.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::api::{Api, PASSWORD, Reply, hidden_inputs};

pub struct Browser<'a> {
    pub api: &'a Api,
    cookies: Mutex<BTreeMap<String, String>>,
    /// Sent as `Accept-Language` with every request, if set.
    pub accept_language: Option<String>,
}

/// A page as the browser got it.
pub struct Page {
    pub reply: Reply,
    pub html: String,
}

impl Page {
    pub fn status(&self) -> u16 {
        self.reply.status.as_u16()
    }

    /// The `csrf_token` of the first form on the page.
    #[track_caller]
    pub fn csrf_token(&self) -> String {
        hidden_inputs(&self.html)
            .into_iter()
            .find(|(name, _)| name == "csrf_token")
            .map(|(_, value)| value)
            .unwrap_or_else(|| {
                panic!(
                    "{}: no csrf_token on the page: {}",
                    self.reply.what, self.html
                )
            })
    }

    /// The hidden fields of the form whose `action` is `action`.
    #[track_caller]
    pub fn form_fields(&self, action: &str) -> Vec<(String, String)> {
        let marker = format!("action=\"{action}\"");
        let start = self
            .html
            .find(&marker)
            .unwrap_or_else(|| panic!("{}: no form for {action}: {}", self.reply.what, self.html));
        let end = self.html[start..]
            .find("</form>")
            .map(|e| start + e)
            .unwrap_or(self.html.len());
        hidden_inputs(&self.html[start..end])
    }

    /// Where a redirect points.
    #[track_caller]
    pub fn location(&self) -> String {
        self.reply.header("location").unwrap_or_else(|| {
            panic!(
                "{} should redirect ({}): {}",
                self.reply.what,
                self.status(),
                self.html
            )
        })
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.html.contains(text),
            "{} should contain {text:?}: {}",
            self.reply.what,
            self.html
        );
    }
}

impl<'a> Browser<'a> {
    pub fn new(api: &'a Api) -> Browser<'a> {
        Browser {
            api,
            cookies: Mutex::new(BTreeMap::new()),
            accept_language: None,
        }
    }

    pub fn with_language(mut self, accept_language: &str) -> Self {
        self.accept_language = Some(accept_language.to_owned());
        self
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("cookies").get(name).cloned()
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .expect("cookies")
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&self, reply: &Reply) {
        let mut jar = self.cookies.lock().expect("cookies");
        for value in reply.headers.get_all("set-cookie") {
            let text = value.to_str().expect("cookie text");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                let expired = text.contains("Max-Age=0");
                if expired || value.is_empty() {
                    jar.remove(name);
                } else {
                    jar.insert(name.to_owned(), value.to_owned());
                }
            }
        }
    }

    async fn finish(&self, request: super::api::Req<'_>) -> Page {
        let mut request = request;
        let cookies = self.cookie_header();
        if !cookies.is_empty() {
            request = request.header("cookie", &cookies);
        }
        if let Some(lang) = &self.accept_language {
            request = request.header("accept-language", lang);
        }
        let reply = request.send().await;
        self.keep_cookies(&reply);
        let html = reply.text();
        Page { reply, html }
    }

    /// `GET path`, without following redirects.
    pub async fn get(&self, path: &str) -> Page {
        self.finish(self.api.get(path)).await
    }

    /// `POST path` with these fields, as a form.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.finish(self.api.post(path).form(fields)).await
    }

    /// `POST path` with a multipart body (`content_type` carries the boundary).
    pub async fn post_multipart(&self, path: &str, content_type: &str, body: Vec<u8>) -> Page {
        self.finish(self.api.post(path).body(content_type, body))
            .await
    }

    /// Opens the page at `page_path`, then sends its form for `action` with its hidden fields
    /// plus `fields` (which win over hidden ones of the same name).
    pub async fn submit(&self, page_path: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(page_path).await;
        assert_eq!(page.status(), 200, "{page_path}: {}", page.html);
        let mut all: Vec<(String, String)> = page
            .form_fields(action)
            .into_iter()
            .filter(|(name, _)| !fields.iter().any(|(n, _)| n == name))
            .collect();
        all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post(action, &pairs).await
    }

    /// Follows a redirect answer (303/302/301) with a GET.
    pub async fn follow(&self, page: Page) -> Page {
        if page.reply.status.is_redirection() {
            let location = page.location();
            let path = location
                .strip_prefix(&self.api.base)
                .map(str::to_owned)
                .unwrap_or(location);
            self.get(&path).await
        } else {
            page
        }
    }

    /// Uses `token` as the web session: a web session is an access token of the user's, so a
    /// token from `Api::register` signs the browser in without the sign-in page.
    pub fn use_token(&self, token: &str) {
        self.cookies
            .lock()
            .expect("cookies")
            .insert("rhizome_session".to_owned(), token.to_owned());
    }

    /// Signs in with the helpers' password; panics unless the session cookie is set.
    pub async fn sign_in(&self, username: &str) -> Page {
        let page = self
            .submit(
                "/auth/sign_in",
                "/auth/sign_in",
                &[("username", username), ("password", PASSWORD)],
            )
            .await;
        assert!(
            self.cookie("rhizome_session").is_some(),
            "signing in as {username} should set the session cookie: {} {}",
            page.status(),
            page.html
        );
        page
    }
}

/// A browser signed in as a new user of an in-process instance.
pub async fn signed_in<'a>(
    app: &'a super::api::Local,
    prefix: &str,
) -> (super::api::User, Browser<'a>) {
    let user = app.register(prefix).await;
    let browser = Browser::new(&app.api);
    browser.use_token(&user.token);
    (user, browser)
}
