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
    assert_eq!(h["status"], "ok");
    assert_eq!(
        h["engine"],
        if engine == Engine::Sqlite {
            "sqlite"
        } else {
            "postgres"
        }
    );
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
