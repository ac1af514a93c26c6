//! Full-text search of statuses: accents, elision, visibility, edits, deletes, reindexing.

mod support;

use std::time::{Duration, Instant};

use rhizome_testkit::TestDatabase;
use serde_json::{Value, json};
use support::Setup;
use support::api::{Api, User};

async fn found(api: &Api, user: Option<&User>, q: &str) -> Vec<String> {
    let mut request = api.get(&format!(
        "/api/v2/search?type=statuses&q={}",
        support::api::enc(q)
    ));
    if let Some(user) = user {
        request = request.auth(user);
    }
    let body: Value = request.ok().await;
    body["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits for the index (it is updated by the distribution job).
async fn until_found(api: &Api, user: &User, q: &str, expected: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ids = found(api, Some(user), q).await;
        if ids.len() == expected || Instant::now() > deadline {
            return ids;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn statuses_are_found_by_their_words() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(db.url(), dir.path()).with("RHIZOME_JOBS_POLL_MILLIS", "50");
    let server = setup.serve();
    let api = Api::http(&server.base());
    let (alice, bob, carol) = (
        api.register("alice").await,
        api.register("bob").await,
        api.register("carol").await,
    );

    let tree = api
        .post_status(&alice, "L'arbre est très grand", "public")
        .await;
    let elan = api
        .post_status(&alice, "Un élan vital #Écologie", "unlisted")
        .await;
    let bobs = api.post_status(&bob, "Un arbre aussi", "public").await;
    let private = api.post_status(&carol, "Mon arbre secret", "private").await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();

    let trees = until_found(&api, &alice, "ARBRE", 2).await;
    assert_eq!(
        trees,
        vec![id(&bobs), id(&tree)],
        "newest first; carol's followers-only post stays hidden"
    );
    assert_eq!(
        found(&api, Some(&alice), "elan").await,
        vec![id(&elan)],
        "accents are ignored"
    );
    assert_eq!(
        found(&api, Some(&alice), "#ecologie").await,
        vec![id(&elan)]
    );
    assert_eq!(
        found(&api, Some(&alice), "arbre grand").await,
        vec![id(&tree)],
        "every word must match"
    );
    assert!(
        found(&api, None, "arbre").await.is_empty(),
        "search needs a signed-in user"
    );
    assert_eq!(
        until_found(&api, &carol, "secret", 1).await,
        vec![id(&private)],
        "one's own posts"
    );
    let by_bob = api
        .get(&format!(
            "/api/v2/search?type=statuses&q=arbre&account_id={}",
            bob.id
        ))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(by_bob["statuses"].as_array().map(Vec::len), Some(1));

    // Edits and deletions keep the index true.
    api.put(&format!("/api/v1/statuses/{}", id(&tree)))
        .auth(&alice)
        .json(json!({ "status": "Une forêt" }))
        .ok()
        .await;
    assert_eq!(until_found(&api, &alice, "foret", 1).await, vec![id(&tree)]);
    assert_eq!(
        found(&api, Some(&alice), "grand").await,
        Vec::<String>::new()
    );
    api.delete(&format!("/api/v1/statuses/{}", id(&bobs)))
        .auth(&bob)
        .ok()
        .await;
    assert!(found(&api, Some(&alice), "aussi").await.is_empty());

    // A rebuild gives the same answers.
    let output = setup.ok(&["admin", "search", "reindex", "--json"], "");
    let report: Value = serde_json::from_str(&output).unwrap();
    assert_eq!(report["indexed"], 3);
    assert_eq!(found(&api, Some(&alice), "foret").await, vec![id(&tree)]);
    assert_eq!(found(&api, Some(&alice), "elan").await, vec![id(&elan)]);
}
