//! Request parameters the way Mastodon accepts them: from the query string, a JSON body, a
//! form (`a[]=1&a[]=2` for lists) or multipart form fields — clients use all four.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::ApiError;

/// Parameters of type `T` from wherever the client put them.
pub struct Params<T>(pub T);

fn invalid(err: impl std::fmt::Display) -> ApiError {
    ApiError::unprocessable(format!("Validation failed: {err}"))
}

impl<T, S> FromRequest<S> for Params<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let query = request.uri().query().unwrap_or("").to_owned();
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("application/json") {
            let body = axum::body::Bytes::from_request(request, state)
                .await
                .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return from_form(&query).map(Params);
            }
            // JSON parameters win; the query string fills in what the body lacks.
            let mut value: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
            if let (Some(object), false) = (value.as_object_mut(), query.is_empty()) {
                for (key, item) in form_urlencoded_pairs(&query) {
                    object.entry(key).or_insert(serde_json::Value::String(item));
                }
            }
            return serde_json::from_value(value).map(Params).map_err(invalid);
        }
        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(request, state)
                .await
                .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
            let mut pairs: Vec<(String, String)> = Vec::new();
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|e| ApiError::bad_request(e.body_text()))?
            {
                // Files are for the media endpoints, which read them themselves.
                if field.file_name().is_some() {
                    continue;
                }
                let name = field.name().unwrap_or("").to_owned();
                let text = field
                    .text()
                    .await
                    .map_err(|e| ApiError::bad_request(e.body_text()))?;
                pairs.push((name, text));
            }
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            return from_form(&join(&query, &body)).map(Params);
        }
        let body = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        let body = std::str::from_utf8(&body)
            .map_err(|_| ApiError::bad_request("the body is not UTF-8"))?;
        from_form(&join(&query, body)).map(Params)
    }
}

fn join(query: &str, body: &str) -> String {
    match (query.is_empty(), body.is_empty()) {
        (true, _) => body.to_owned(),
        (_, true) => query.to_owned(),
        _ => format!("{body}&{query}"),
    }
}

fn form_urlencoded_pairs(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn from_form<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_html_form::from_str(text).map_err(invalid)
}

/// Query-string parameters only (GET requests), with Mastodon's list syntax.
pub struct Query<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        from_form(parts.uri.query().unwrap_or("")).map(Query)
    }
}

/// Booleans as clients send them: `true`, `"true"`, `"1"`, `"on"`…
pub fn flexible_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flexible {
        Bool(bool),
        Number(i64),
        Text(String),
    }
    Ok(match Option::<Flexible>::deserialize(deserializer)? {
        None => None,
        Some(Flexible::Bool(b)) => Some(b),
        Some(Flexible::Number(n)) => Some(n != 0),
        Some(Flexible::Text(text)) => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "on" | "yes" | "t" => Some(true),
            "false" | "0" | "off" | "no" | "f" | "" => Some(false),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "{other:?} is not a boolean"
                )));
            }
        },
    })
}

/// A list given as a JSON array, a repeated form key, or one value.
pub fn flexible_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flexible {
        Many(Vec<serde_json::Value>),
        One(serde_json::Value),
    }
    let text = |value: serde_json::Value| match value {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    Ok(match Option::<Flexible>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(Flexible::Many(items)) => items.into_iter().map(text).collect(),
        Some(Flexible::One(serde_json::Value::Null)) => Vec::new(),
        Some(Flexible::One(item)) => vec![text(item)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Sample {
        #[serde(default, deserialize_with = "flexible_bool")]
        sensitive: Option<bool>,
        #[serde(
            default,
            rename = "media_ids[]",
            alias = "media_ids",
            deserialize_with = "flexible_list"
        )]
        media_ids: Vec<String>,
    }

    #[test]
    fn forms_and_json_agree() {
        let form: Sample = from_form("sensitive=1&media_ids[]=1&media_ids[]=2").unwrap();
        assert_eq!(
            form,
            Sample {
                sensitive: Some(true),
                media_ids: vec!["1".into(), "2".into()]
            }
        );
        let json: Sample =
            serde_json::from_str(r#"{"sensitive":"false","media_ids":["3"]}"#).unwrap();
        assert_eq!(
            json,
            Sample {
                sensitive: Some(false),
                media_ids: vec!["3".into()]
            }
        );
        let json: Sample = serde_json::from_str(r#"{"sensitive":true,"media_ids":[4]}"#).unwrap();
        assert_eq!(
            json,
            Sample {
                sensitive: Some(true),
                media_ids: vec!["4".into()]
            }
        );
        let empty: Sample = from_form("").unwrap();
        assert_eq!(
            empty,
            Sample {
                sensitive: None,
                media_ids: vec![]
            }
        );
        assert!(from_form::<Sample>("sensitive=maybe").is_err());
    }
}
