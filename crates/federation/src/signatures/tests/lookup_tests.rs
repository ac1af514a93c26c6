//! Verifying with a key lookup that may be retried once with a refreshed key.

use std::cell::RefCell;

use http::{Method, Uri};

use super::super::{
    KeyLookup, KeyLookupError, ParsedSignature, PublicKey, SignatureError, sign_request,
};
use super::{header_map, now, other_rsa_key, rsa_key};

const KEY_ID: &str = "https://remote.example/users/bob#main-key";

fn parsed() -> ParsedSignature {
    let uri: Uri = "https://local.example/users/alice".parse().unwrap();
    let mut headers = header_map(&[]);
    sign_request(
        &Method::GET,
        &uri,
        &mut headers,
        None,
        KEY_ID,
        &rsa_key().private,
        now(),
    )
    .unwrap();
    ParsedSignature::from_request(&Method::GET, &uri, &headers).unwrap()
}

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("gone")]
struct Gone;

/// Answers each lookup from `keys` in turn and records what was asked.
async fn run(
    keys: Vec<Result<PublicKey, Gone>>,
) -> (
    Result<PublicKey, KeyLookupError<Gone>>,
    Vec<(String, KeyLookup)>,
) {
    let calls = RefCell::new(Vec::new());
    let answers = RefCell::new(keys.into_iter());
    let result = parsed()
        .verify_with_key_lookup(|key_id, lookup| {
            calls.borrow_mut().push((key_id, lookup));
            let answer = answers.borrow_mut().next().unwrap();
            async move { answer }
        })
        .await;
    (result, calls.into_inner())
}

#[tokio::test]
async fn cached_key_that_verifies_is_used_once() {
    let (result, calls) = run(vec![Ok(rsa_key().public.clone())]).await;
    result.unwrap();
    assert_eq!(calls, [(KEY_ID.to_owned(), KeyLookup::Cached)]);
}

#[tokio::test]
async fn stale_key_is_refreshed_once() {
    let (result, calls) = run(vec![
        Ok(other_rsa_key().public.clone()),
        Ok(rsa_key().public.clone()),
    ])
    .await;
    result.unwrap();
    assert_eq!(
        calls,
        [
            (KEY_ID.to_owned(), KeyLookup::Cached),
            (KEY_ID.to_owned(), KeyLookup::Refresh)
        ]
    );
}

#[tokio::test]
async fn a_wrong_refreshed_key_is_the_end() {
    let (result, calls) = run(vec![
        Ok(other_rsa_key().public.clone()),
        Ok(other_rsa_key().public.clone()),
    ])
    .await;
    assert!(matches!(
        result,
        Err(KeyLookupError::Signature(SignatureError::BadSignature))
    ));
    assert_eq!(calls.len(), 2);
}

#[tokio::test]
async fn lookup_failures_are_passed_through() {
    let (result, calls) = run(vec![Err(Gone)]).await;
    assert!(matches!(result, Err(KeyLookupError::Lookup(Gone))));
    assert_eq!(calls.len(), 1);
    let (result, _) = run(vec![Ok(other_rsa_key().public.clone()), Err(Gone)]).await;
    assert!(matches!(result, Err(KeyLookupError::Lookup(Gone))));
}
