//! `/media/{key}`: files from media storage, served so that none of them can act as a page
//! of this origin (an uploaded file claiming to be HTML, a script in an image's clothing).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rhizome_core::{Core, CoreError};

/// Nothing in a served file may run or load anything, even when opened on its own.
const MEDIA_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

pub async fn serve(State(core): State<Core>, Path(key): Path<String>) -> Response {
    file_response(core.media_file(&key).await, &key)
}

/// `/proxy/{tag}/{encoded}`: a remote file through the cache, for URLs this instance made.
pub async fn proxy(
    State(core): State<Core>,
    Path((tag, encoded)): Path<(String, String)>,
) -> Response {
    let Some(url) = core.unproxy(&tag, &encoded) else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    file_response(core.remote_file(&url).await, &url)
}

type FileStream = futures::stream::BoxStream<'static, Result<bytes::Bytes, std::io::Error>>;

fn file_response(found: Result<(&'static str, u64, FileStream), CoreError>, key: &str) -> Response {
    match found {
        Ok((media_type, size, stream)) => (
            [
                (header::CONTENT_TYPE, media_type.to_owned()),
                (header::CONTENT_LENGTH, size.to_string()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                (header::CONTENT_SECURITY_POLICY, MEDIA_CSP.to_owned()),
                (header::CONTENT_DISPOSITION, "inline".to_owned()),
                // A key is never reused for other content: new pictures get new keys.
                (
                    header::CACHE_CONTROL,
                    "public, max-age=31536000, immutable".to_owned(),
                ),
            ],
            Body::from_stream(stream),
        )
            .into_response(),
        Err(CoreError::NotFound) => (StatusCode::NOT_FOUND, "Not found").into_response(),
        Err(err) => {
            tracing::error!(key, error = %err, "cannot serve a media file");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Media storage is unavailable",
            )
                .into_response()
        }
    }
}
