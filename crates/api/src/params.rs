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

/// A file sent in a multipart form.
#[derive(Debug)]
pub struct UploadedFile {
    /// The form field's name (`file`, `thumbnail`, `avatar`…).
    pub field: String,
    /// The name the client gave the file.
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

/// Parameters as [`Params`], plus the files of a multipart form. Routes that take files
/// lift the server's body limit; this bounds what it reads instead (the whole body to the
/// largest upload allowed, and each text field to 64 KiB).
pub struct ParamsWithFiles<T> {
    pub params: T,
    pub files: Vec<UploadedFile>,
}

impl<T> ParamsWithFiles<T> {
    /// The file sent as `field`, if any.
    pub fn take_file(&mut self, field: &str) -> Option<Vec<u8>> {
        let index = self.files.iter().position(|f| f.field == field)?;
        Some(self.files.swap_remove(index).bytes)
    }

    /// The file sent as `field`, with its name, if any.
    pub fn take_upload(&mut self, field: &str) -> Option<UploadedFile> {
        let index = self.files.iter().position(|f| f.field == field)?;
        Some(self.files.swap_remove(index))
    }
}

impl<T: DeserializeOwned> ParamsWithFiles<T> {
    /// As the extractor, with one bound for everything: files, each text field, and a
    /// form body (for uploads of text, such as CSV imports, which are not media).
    pub async fn read_bounded(
        request: Request,
        core: &rhizome_core::Core,
        bytes: usize,
    ) -> Result<Self, ApiError> {
        read_params(request, core, Some(bytes as u64), bytes)
            .await
            .map(|(params, files)| ParamsWithFiles { params, files })
    }
}

const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;

impl<T, S> FromRequest<S> for Params<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_params(request, state, None, MAX_TEXT_FIELD_BYTES)
            .await
            .map(|(params, _)| Params(params))
    }
}

impl<T> FromRequest<rhizome_core::Core> for ParamsWithFiles<T>
where
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(
        request: Request,
        core: &rhizome_core::Core,
    ) -> Result<Self, Self::Rejection> {
        let limit = core.config.media.max_upload_bytes();
        read_params(request, core, Some(limit), MAX_TEXT_FIELD_BYTES)
            .await
            .map(|(params, files)| ParamsWithFiles { params, files })
    }
}

/// Reads parameters; with `files_limit`, keeps multipart files up to that many bytes in
/// all (more is 413), otherwise skips them. Each text field, and a form body where files
/// are allowed, may have up to `text_limit` bytes.
async fn read_params<T: DeserializeOwned, S: Send + Sync>(
    request: Request,
    state: &S,
    files_limit: Option<u64>,
    text_limit: usize,
) -> Result<(T, Vec<UploadedFile>), ApiError> {
    let query = request.uri().query().unwrap_or("").to_owned();
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut files = Vec::new();
        let mut file_bytes: u64 = 0;
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?
        {
            let name = field.name().unwrap_or("").to_owned();
            let file_name = field.file_name().map(str::to_owned);
            if file_name.is_some() {
                let Some(limit) = files_limit else {
                    // Files are for the media endpoints, which read them themselves.
                    continue;
                };
                let mut bytes = Vec::new();
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| ApiError::bad_request(e.body_text()))?
                {
                    file_bytes += chunk.len() as u64;
                    if file_bytes > limit {
                        return Err(ApiError::new(
                            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                            format!(
                                "Validation failed: files must be smaller than {}",
                                rhizome_core::media::process::human_size(limit)
                            ),
                        ));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                files.push(UploadedFile {
                    field: name,
                    file_name,
                    bytes,
                });
                continue;
            }
            let mut text = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| ApiError::bad_request(e.body_text()))?
            {
                if text.len() + chunk.len() > text_limit {
                    return Err(ApiError::new(
                        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                        format!("the field {name} is too long"),
                    ));
                }
                text.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(text)
                .map_err(|_| ApiError::bad_request(format!("the field {name} is not UTF-8")))?;
            pairs.push((name, text));
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        return from_form(&join(&query, &body)).map(|params| (params, files));
    }
    // Other bodies are small: the server's body limit applies, unless lifted for a
    // route that takes files, where it is enforced here.
    let body = match files_limit {
        None => axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?,
        Some(_) => axum::body::to_bytes(request.into_body(), text_limit)
            .await
            .map_err(|_| {
                ApiError::new(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "the request body is too large",
                )
            })?,
    };
    if content_type.starts_with("application/json") {
        if body.iter().all(u8::is_ascii_whitespace) {
            return from_form(&query).map(|params| (params, Vec::new()));
        }
        // JSON parameters win; the query string fills in what the body lacks.
        let mut value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
        if let (Some(object), false) = (value.as_object_mut(), query.is_empty()) {
            for (key, item) in form_urlencoded_pairs(&query) {
                object.entry(key).or_insert(serde_json::Value::String(item));
            }
        }
        return serde_json::from_value(value)
            .map(|params| (params, Vec::new()))
            .map_err(invalid);
    }
    let body =
        std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("the body is not UTF-8"))?;
    from_form(&join(&query, body)).map(|params| (params, Vec::new()))
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

/// As [`flexible_list`], but telling a list that was sent (even empty) from none at all.
pub fn flexible_list_opt<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    flexible_list(deserializer).map(Some)
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
