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
