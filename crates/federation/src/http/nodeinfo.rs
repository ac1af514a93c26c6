//! NodeInfo client: which software a remote server runs, so that callers can adapt to its
//! quirks and show it to admins.

use serde_json::Value;
use url::Url;

use super::fetch::DocumentKind;
use super::{FetchError, HttpClient, host_of};

/// NodeInfo schema versions understood, newest first, with their `rel` in the discovery
/// document. 2.1 and 2.2 only add optional fields to 2.0.
const SCHEMAS: &[(&str, &str)] = &[
    ("2.2", "http://nodeinfo.diaspora.software/ns/schema/2.2"),
    ("2.1", "http://nodeinfo.diaspora.software/ns/schema/2.1"),
    ("2.0", "http://nodeinfo.diaspora.software/ns/schema/2.0"),
];

/// Discovery and schema documents are plain JSON, the schema ones with a `profile` parameter.
const NODEINFO_JSON: DocumentKind = DocumentKind {
    accept: "application/json",
    media_types: &["application/json", "application/jrd+json"],
};

/// What a NodeInfo document says about a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// The schema version of the document (`2.0`, `2.1`…).
    pub version: String,
    /// `software.name`, e.g. `mastodon`, `gotosocial`, `akkoma`.
    pub software_name: String,
    /// `software.version`, free-form (`4.3.1`, `0.17.0+git-…`).
    pub software_version: String,
    /// The protocols the server speaks, e.g. `activitypub`.
    pub protocols: Vec<String>,
    /// Whether anyone may sign up, when the server says.
    pub open_registrations: Option<bool>,
}

impl HttpClient {
    /// Reads a server's NodeInfo: `/.well-known/nodeinfo` on `domain` (a host, with a port if
    /// needed), then the newest 2.x schema document it links to. Links and redirects must stay
    /// on `domain`: another host's NodeInfo says nothing about this one.
    pub async fn nodeinfo(&self, domain: &str) -> Result<NodeInfo, FetchError> {
        let scheme = if self.config.allow_http {
            "http"
        } else {
            "https"
        };
        let base = Url::parse(&format!("{scheme}://{domain}/"))
            .map_err(|e| FetchError::InvalidUrl(format!("{domain:?}: {e}")))?;
        if base.path() != "/" || base.query().is_some() || !base.username().is_empty() {
            return Err(FetchError::InvalidUrl(format!(
                "{domain:?} is not a domain"
            )));
        }
        let host = host_of(&base);
        let well_known = base
            .join("/.well-known/nodeinfo")
            .map_err(|e| FetchError::InvalidUrl(e.to_string()))?;
        let discovery = self
            .get_json_document(&well_known, NODEINFO_JSON, None)
            .await?;
        same_host(&discovery.final_url, &host)?;
        let (version, href) = pick_link(&discovery.json, &discovery.final_url, &host)?;
        let document = self.get_json_document(&href, NODEINFO_JSON, None).await?;
        same_host(&document.final_url, &host)?;
        parse_nodeinfo(&document.json, version)
    }
}

fn same_host(url: &Url, host: &str) -> Result<(), FetchError> {
    if host_of(url) == host {
        Ok(())
    } else {
        Err(FetchError::InvalidDocument(format!(
            "NodeInfo of {host} is served from {url}"
        )))
    }
}

/// The newest known schema linked from the discovery document, on `host`. Links to other
/// hosts are skipped.
fn pick_link(discovery: &Value, base: &Url, host: &str) -> Result<(&'static str, Url), FetchError> {
    let links = discovery
        .get("links")
        .and_then(Value::as_array)
        .ok_or_else(|| FetchError::InvalidDocument("the NodeInfo discovery has no links".into()))?;
    let mut best: Option<(usize, Url)> = None;
    for link in links {
        let Some(rel) = link.get("rel").and_then(Value::as_str) else {
            continue;
        };
        // Some servers write the rel with https, or with a trailing '#'.
        let rel = rel.trim_end_matches('#').replacen("https://", "http://", 1);
        let Some(rank) = SCHEMAS.iter().position(|(_, known)| *known == rel) else {
            continue;
        };
        let Some(href) = link
            .get("href")
            .and_then(Value::as_str)
            .and_then(|href| base.join(href).ok())
        else {
            continue;
        };
        if host_of(&href) != host || best.as_ref().is_some_and(|(best, _)| *best <= rank) {
            continue;
        }
        best = Some((rank, href));
    }
    let (rank, href) =
        best.ok_or_else(|| FetchError::InvalidDocument(format!("no NodeInfo 2.x link on {host}")))?;
    Ok((SCHEMAS[rank].0, href))
}

/// Reads the fields callers use; `software.name` is required, the rest is tolerated missing.
fn parse_nodeinfo(json: &Value, linked_version: &str) -> Result<NodeInfo, FetchError> {
    let software = json.get("software");
    let software_text = |key: &str| {
        software
            .and_then(|software| software.get(key))
            .and_then(Value::as_str)
    };
    let software_name = software_text("name")
        .filter(|name| !name.is_empty())
        .ok_or_else(|| FetchError::InvalidDocument("NodeInfo without software.name".into()))?;
    let protocols = json
        .get("protocols")
        .and_then(Value::as_array)
        .map(|protocols| {
            protocols
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(NodeInfo {
        version: json
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or(linked_version)
            .to_owned(),
        software_name: software_name.to_owned(),
        software_version: software_text("version").unwrap_or_default().to_owned(),
        protocols,
        open_registrations: json.get("openRegistrations").and_then(Value::as_bool),
    })
}
