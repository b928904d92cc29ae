//! The in-process entry the fuzz target uses answers like the server does, so the fuzz
//! target exercises the real request handling (seeded with what it starts from).

use provider::offline::Offline;

#[test]
fn the_fuzz_entry_answers_like_the_server() {
    let cloud = Offline::new().expect("starts");
    let v2 = cloud.endpoint_path("v2").expect("a v2 endpoint");
    assert_eq!(cloud.status("GET", &format!("{v2}/flavors"), None, b""), 200);
    assert_eq!(cloud.status("GET", &format!("{v2}/servers/nope"), None, b""), 404);
    assert_eq!(cloud.status("POST", &format!("{v2}/servers"), Some("application/json"), b"{"), 400);
    assert_eq!(cloud.status("POST", &format!("{v2}/servers"), Some("image/png"), b"x"), 415);
    assert_eq!(cloud.status("GET", "/nowhere", None, b""), 404);
    // The seed corpus of the fuzz target: each answers below 500.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/request");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("the fuzz corpus") {
        let path = entry.expect("an entry").path();
        let data = std::fs::read(&path).expect("a corpus file");
        let status = cloud.status_of_input(&data).expect("a non-empty input");
        assert!(status < 500, "{}: {status}", path.display());
        n += 1;
    }
    assert!(n >= 5, "the corpus has {n} files");
}

#[tokio::test]
async fn every_documented_operation_has_a_handler() {
    use runtime::shapes::operations::{Base, Operation};
    let cloud = Offline::new().expect("starts");
    let apis: [(&str, &[Operation<'static>]); 4] = [
        (cloudservers::v2::client::API.api, cloudservers::v2::operations::OPERATIONS),
        (cloudservers::v1_0::client::API.api, cloudservers::v1_0::operations::OPERATIONS),
        (cloudservers::rackconnect::client::API.api, cloudservers::rackconnect::operations::OPERATIONS),
        (cloudservers::identity::client::API.api, cloudservers::identity::operations::OPERATIONS),
    ];
    let mut tried = 0;
    for (api, ops) in apis {
        for op in ops {
            let root = match op.base {
                Base::Host => cloud.host_path(api),
                Base::Endpoint => cloud.endpoint_path(api),
            }
            .expect("the API is mounted");
            let path: Vec<&str> = op.path.split('/').map(|s| if s.starts_with('{') { "1" } else { s }).collect();
            // An action is routed by its body's key; other bodies may be refused by the
            // handler, which is what this looks for.
            let body = match (&op.action, &op.request) {
                (Some(a), _) => serde_json::json!({ a.as_ref(): {} }).to_string(),
                (None, Some(_)) => "{}".to_string(),
                (None, None) => String::new(),
            };
            let content_type = op.request.as_ref().map(|_| "application/json");
            let (status, answer) = cloud.answer(&op.method, &format!("{root}{}", path.join("/")), content_type, body.as_bytes()).await;
            let text = String::from_utf8_lossy(&answer);
            assert!(!text.contains(provider::offline::UNSERVED), "{} ({} {}): {status} {text}", op.id, op.method, op.path);
            tried += 1;
        }
    }
    assert!(tried >= 90, "{tried} operations tried");
}
