//! Keyset pagination parameters and the `Link` header, as the Mastodon API has them.

use axum::http::{HeaderMap, HeaderValue, header::LINK};
use rhizome_model::Id;
use rhizome_store::{Page, PageRequest};
use serde::Deserialize;

use crate::ApiError;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub max_id: Option<String>,
    pub since_id: Option<String>,
    pub min_id: Option<String>,
    pub limit: Option<String>,
}

fn id(value: &Option<String>) -> Result<Option<i64>, ApiError> {
    match value.as_deref() {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse::<Id>()
            .map(|id| Some(id.0))
            .map_err(|_| ApiError::bad_request(format!("invalid id {text:?}"))),
    }
}

impl PageQuery {
    /// The page asked for; `limit` defaults to `default` and is capped at `max`.
    pub fn request(&self, default: u32, max: u32) -> Result<PageRequest, ApiError> {
        let limit = match self.limit.as_deref() {
            None | Some("") => default,
            Some(text) => text
                .parse::<u32>()
                .map_err(|_| ApiError::bad_request("invalid limit"))?,
        };
        Ok(PageRequest {
            max_id: id(&self.max_id)?,
            since_id: id(&self.since_id)?,
            min_id: id(&self.min_id)?,
            limit: limit.clamp(1, max),
        })
    }
}

/// `Link: <…?max_id=…>; rel="next", <…?min_id=…>; rel="prev"` for a page served at `url`
/// (absolute, with its query), keeping the other query parameters.
pub fn link_header<T>(url: &str, page: &Page<T>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if page.newest_id.is_none() {
        return headers;
    }
    let Ok(base) = url::Url::parse(url) else {
        return headers;
    };
    let with = |key: &str, value: i64| {
        let mut target = base.clone();
        let kept: Vec<(String, String)> = base
            .query_pairs()
            .filter(|(k, _)| !matches!(k.as_ref(), "max_id" | "min_id" | "since_id"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        {
            let mut query = target.query_pairs_mut();
            query.clear();
            for (k, v) in &kept {
                query.append_pair(k, v);
            }
            query.append_pair(key, &value.to_string());
        }
        target.to_string()
    };
    let mut links = Vec::new();
    if let Some(oldest) = page.oldest_id {
        links.push(format!("<{}>; rel=\"next\"", with("max_id", oldest)));
    }
    if let Some(newest) = page.newest_id {
        links.push(format!("<{}>; rel=\"prev\"", with("min_id", newest)));
    }
    if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
        headers.insert(LINK, value);
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_bounded_and_ids_checked() {
        let query = PageQuery {
            limit: Some("500".into()),
            max_id: Some("42".into()),
            ..Default::default()
        };
        let request = query.request(20, 40).unwrap();
        assert_eq!((request.limit, request.max_id), (40, Some(42)));
        assert_eq!(PageQuery::default().request(20, 40).unwrap().limit, 20);
        assert!(
            PageQuery {
                max_id: Some("x".into()),
                ..Default::default()
            }
            .request(20, 40)
            .is_err()
        );
    }

    #[test]
    fn link_headers_keep_other_parameters() {
        let page = Page {
            items: vec![1, 2],
            newest_id: Some(9),
            oldest_id: Some(5),
        };
        let headers = link_header(
            "https://s.example/api/v1/timelines/public?local=true&max_id=10",
            &page,
        );
        let link = headers[LINK].to_str().unwrap();
        assert_eq!(
            link,
            "<https://s.example/api/v1/timelines/public?local=true&max_id=5>; rel=\"next\", \
             <https://s.example/api/v1/timelines/public?local=true&min_id=9>; rel=\"prev\""
        );
        let empty: Page<i32> = Page {
            items: vec![],
            newest_id: None,
            oldest_id: None,
        };
        assert!(link_header("https://s.example/x", &empty).is_empty());
    }
}
