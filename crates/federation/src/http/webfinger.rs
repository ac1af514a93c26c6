//! WebFinger (RFC 7033) client: from `user@domain` to the actor's URL, the way every
//! Fediverse server resolves a mention or a remote follow.

use serde_json::Value;
use url::Url;

use super::fetch::DocumentKind;
use super::{FetchError, HttpClient, host_of};

/// `rel` of the link to the ActivityPub actor.
const REL_SELF: &str = "self";
/// `rel` of the link to the account's HTML profile page.
const REL_PROFILE_PAGE: &str = "http://webfinger.net/rel/profile-page";
/// `rel` of the OStatus remote-follow template (`…?uri={uri}`), which Mastodon still serves.
const REL_SUBSCRIBE: &str = "http://ostatus.org/schema/1.0/subscribe";

/// Longest user part accepted in an account address.
const MAX_USER_LEN: usize = 256;

/// RFC 7033 says `application/jrd+json`; many servers answer `application/json`.
const JRD: DocumentKind = DocumentKind {
    accept: "application/jrd+json, application/json",
    media_types: &["application/jrd+json", "application/json"],
};

/// What a WebFinger lookup found.
///
/// The actor URL may be on another host than the account's domain (servers whose accounts are
/// `@user@example.com` but which run on `social.example.com`). Before trusting the mapping, the
/// caller fetches the actor and checks that its `preferredUsername` and host WebFinger back to
/// this `subject`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebfingerResult {
    /// The JRD's subject, normally `acct:user@domain`, possibly the canonical form of what
    /// was asked.
    pub subject: String,
    /// The ActivityPub actor: the `self` link typed `application/activity+json` or
    /// `application/ld+json`.
    pub actor_url: Option<Url>,
    /// The HTML profile page.
    pub profile_url: Option<Url>,
    /// The remote-follow template, with a `{uri}` placeholder.
    pub subscribe_template: Option<String>,
}

/// Splits an account address, `user@domain`, `@user@domain` or `acct:user@domain`, into the user
/// and the domain. The domain may carry a port; it is returned lower-case, with international
/// names in punycode, and without a default port.
pub fn parse_acct(input: &str) -> Result<(String, String), FetchError> {
    let invalid = |reason: &str| FetchError::InvalidAccount(format!("{input:?}: {reason}"));
    let trimmed = input.trim();
    let address = match trimmed.get(..5) {
        Some(prefix) if prefix.eq_ignore_ascii_case("acct:") => &trimmed[5..],
        _ => trimmed.strip_prefix('@').unwrap_or(trimmed),
    };
    let (user, domain) = address
        .split_once('@')
        .ok_or_else(|| invalid("not user@domain"))?;
    if user.is_empty() || user.len() > MAX_USER_LEN {
        return Err(invalid("empty or overlong user"));
    }
    let bad_user_char =
        |c: char| c.is_control() || c.is_whitespace() || "@/\\?#%:\"<>[]".contains(c);
    if user.chars().any(bad_user_char) {
        return Err(invalid(
            "the user contains a character not allowed in an account",
        ));
    }
    if domain.is_empty() || domain.contains(|c: char| c.is_whitespace() || "@/\\?#".contains(c)) {
        return Err(invalid("not a domain"));
    }
    // The URL parser does what a domain needs: IDNA to punycode, lower case, port check.
    let url = Url::parse(&format!("https://{domain}/")).map_err(|e| invalid(&e.to_string()))?;
    if url.host().is_none() || url.path() != "/" || url.query().is_some() {
        return Err(invalid("not a domain"));
    }
    Ok((user.to_owned(), host_of(&url)))
}

impl HttpClient {
    /// Looks an account up by WebFinger: `GET /.well-known/webfinger?resource=acct:user@domain`
    /// on the account's domain (`https`, or `http` when `allow_http` is set), unsigned,
    /// following redirects, size-limited like every fetch.
    pub async fn webfinger(&self, acct: &str) -> Result<WebfingerResult, FetchError> {
        let (user, domain) = parse_acct(acct)?;
        let scheme = if self.config.allow_http {
            "http"
        } else {
            "https"
        };
        let mut url = Url::parse(&format!("{scheme}://{domain}/.well-known/webfinger"))
            .map_err(|e| FetchError::InvalidUrl(e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("resource", &format!("acct:{user}@{domain}"));
        let fetched = self.get_json_document(&url, JRD, None).await?;
        parse_jrd(&fetched.json)
    }
}

/// Reads a JRD: the subject is required, `links` must be an array when present, and links
/// that are malformed or not understood are skipped rather than failing the whole document.
pub fn parse_jrd(json: &Value) -> Result<WebfingerResult, FetchError> {
    let subject = json
        .get("subject")
        .and_then(Value::as_str)
        .filter(|subject| !subject.is_empty())
        .ok_or_else(|| FetchError::InvalidDocument("the JRD has no subject".into()))?;
    let links = match json.get("links") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(links)) => links.as_slice(),
        Some(_) => {
            return Err(FetchError::InvalidDocument(
                "the JRD's links are not an array".into(),
            ));
        }
    };
    let mut result = WebfingerResult {
        subject: subject.to_owned(),
        actor_url: None,
        profile_url: None,
        subscribe_template: None,
    };
    for link in links {
        let text = |key: &str| link.get(key).and_then(Value::as_str);
        match text("rel") {
            // Other `self` links (HTML, Atom) name other representations of the account.
            Some(REL_SELF)
                if result.actor_url.is_none() && text("type").is_some_and(is_activitypub_type) =>
            {
                result.actor_url = text("href").and_then(web_url);
            }
            Some(REL_PROFILE_PAGE) if result.profile_url.is_none() => {
                result.profile_url = text("href").and_then(web_url);
            }
            Some(REL_SUBSCRIBE) if result.subscribe_template.is_none() => {
                result.subscribe_template = text("template").map(str::to_owned);
            }
            _ => {}
        }
    }
    Ok(result)
}

/// `application/activity+json`, or `application/ld+json` with any profile.
fn is_activitypub_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/activity+json")
        || essence.eq_ignore_ascii_case("application/ld+json")
}

/// An absolute `http(s)` URL, or nothing.
fn web_url(text: &str) -> Option<Url> {
    Url::parse(text)
        .ok()
        .filter(|url| matches!(url.scheme(), "https" | "http") && url.host().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> (String, String) {
        parse_acct(input).unwrap()
    }

    #[test]
    fn account_forms_are_accepted_and_normalized() {
        let expected = ("alice".to_owned(), "example.com".to_owned());
        assert_eq!(ok("alice@example.com"), expected);
        assert_eq!(ok("@alice@example.com"), expected);
        assert_eq!(ok("acct:alice@example.com"), expected);
        assert_eq!(ok("ACCT:alice@Example.COM"), expected);
        assert_eq!(ok(" alice@example.com "), expected);
        assert_eq!(ok("alice@example.com:443"), expected);
        assert_eq!(
            ok("Bob_1@social.example:8443"),
            ("Bob_1".to_owned(), "social.example:8443".to_owned())
        );
        assert_eq!(
            ok("carol@bücher.example"),
            ("carol".to_owned(), "xn--bcher-kva.example".to_owned())
        );
        assert_eq!(
            ok("dave@127.0.0.1:3000"),
            ("dave".to_owned(), "127.0.0.1:3000".to_owned())
        );
    }

    #[test]
    fn malformed_accounts_are_refused() {
        for input in [
            "",
            "alice",
            "@alice",
            "alice@",
            "@example.com",
            "acct:",
            "al ice@example.com",
            "alice@exa mple.com",
            "a@b@example.com",
            "alice@example.com/path",
            "alice@example.com?x=1",
            "alice@example.com#frag",
            "alice@example.com:99999",
            "ali/ce@example.com",
            "alice@exa\\mple.com",
            "alice@:80",
        ] {
            assert!(
                matches!(parse_acct(input), Err(FetchError::InvalidAccount(_))),
                "{input:?}"
            );
        }
    }
}
