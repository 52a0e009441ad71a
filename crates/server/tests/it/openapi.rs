use crate::both;
use crate::helpers::*;

/// The API contract is reviewed like code: any change to it shows up as a diff of this snapshot.
/// Regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p zhifa-server openapi`.
#[test]
fn openapi_snapshot() {
    let current = zhifa_server::api::openapi_json();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(&path, &current).unwrap();
    }
    let saved =
        std::fs::read_to_string(&path).expect("snapshot exists: run with UPDATE_SNAPSHOTS=1 once");
    assert_eq!(
        saved, current,
        "OpenAPI changed: review and regenerate the snapshot"
    );
}

async fn docs_and_health_are_served(engine: Engine) {
    let app = spawn_app(engine).await;
    let c = app.anonymous();
    let h: serde_json::Value = c
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Only that it is up: no engine, no event count for anonymous callers.
    assert_eq!(h, serde_json::json!({"status": "ok"}));
    let doc: serde_json::Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/officers"]["get"].is_object());
    assert!(doc["paths"].as_object().unwrap().len() >= 20);
    let page = c.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("swagger"),
        "Swagger UI is served from the binary"
    );
}
both!(docs_and_health_are_served);

/// An unknown address answers a browser with the console's Chinese 404 page and an API client
/// with the JSON error shape (issue: raw JSON reached browsers).
async fn unknown_pages_answer_browsers_in_html(engine: Engine) {
    let app = spawn_app(engine).await;
    let c = app.anonymous();
    let page = c
        .get(app.url("/no-such-page"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = page.text().await.unwrap();
    assert!(
        body.contains("未找到") && body.contains("地址不存在"),
        "{body}"
    );
    assert!(body.contains("<html"), "{body}");
    // The same address asked for by an API client, and an unknown API path asked for by a
    // browser, stay JSON.
    for (path, accept) in [
        ("/no-such-page", "application/json"),
        ("/api/v1/no-such", "text/html"),
    ] {
        let r = c
            .get(app.url(path))
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["code"], "not_found", "{path}: {v}");
    }
}
both!(unknown_pages_answer_browsers_in_html);
