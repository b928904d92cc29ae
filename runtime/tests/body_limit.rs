//! The transport's bound on response bodies: a body over
//! [`TransportBuilder::max_body_bytes`](cloudservers_runtime::client::TransportBuilder::max_body_bytes)
//! fails the request with a typed error naming the operation, status and limit, whether
//! its length is announced or not, and an endless body is not buffered. The identity
//! exchanges' responses are bound alike.

mod stub;

use cloudservers_runtime::client::{
    Auth, Base, ClientError, Format, IdentityV2, Method, Request, RetryPolicy, Transport, TransportError, V1_0,
    DEFAULT_MAX_BODY_BYTES,
};
use cloudservers_runtime::faults::FaultBody;
use cloudservers_runtime::Secret;
use std::io::{Read, Write};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn get() -> Request {
    Request::new("test.get", Method::GET, Base::Endpoint, vec!["servers".into()]).accept(Format::Json)
}

fn transport(base: String, limit: usize) -> Transport {
    Transport::builder()
        .base_url(base)
        .auth(Auth::Token(Secret::new("test-token")))
        .max_body_bytes(limit)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("transport")
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_typed_error_and_one_at_the_limit_is_read() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/010101/servers"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(1000)))
        .mount(&server)
        .await;
    let base = format!("{}/v2/010101", server.uri());
    let err = transport(base.clone(), 999).send(&get()).await.unwrap_err();
    assert!(matches!(&err, TransportError::BodyTooLarge { operation, status: 200, limit } if operation == "test.get" && *limit == 999), "{err:?}");
    assert_eq!(err.to_string(), "the 200 response of test.get has a body over the limit of 999 bytes");
    let client: ClientError<FaultBody> = err.into();
    assert!(matches!(client, ClientError::BodyTooLarge { ref operation, status: 200, limit: 999 } if operation == "test.get"));

    let resp = transport(base, 1000).send(&get()).await.expect("a body at the limit is read");
    assert_eq!(resp.body.len(), 1000);
}

#[tokio::test]
async fn the_limit_applies_to_fault_bodies_too_and_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/010101/servers"))
        .respond_with(ResponseTemplate::new(413).insert_header("X-Stub-Retry", "0").set_body_string("y".repeat(4096)))
        .mount(&server)
        .await;
    let t = Transport::builder()
        .base_url(format!("{}/v2/010101", server.uri()))
        .max_body_bytes(64)
        .retry(RetryPolicy { max_attempts: 3, max_wait: Duration::from_secs(1) })
        .build()
        .unwrap()
        .for_api(&stub::API);
    let err = t.send(&get()).await.unwrap_err();
    assert!(matches!(&err, TransportError::BodyTooLarge { operation, status: 413, limit } if operation == "test.get" && *limit == 64), "{err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[test]
fn the_default_limit_is_documented_and_reported() {
    assert_eq!(DEFAULT_MAX_BODY_BYTES, 16 * 1024 * 1024);
    let t = Transport::builder().base_url("https://dfw.example/v2/1").build().unwrap();
    assert_eq!(t.max_body_bytes(), DEFAULT_MAX_BODY_BYTES);
    assert!(format!("{t:?}").contains("max_body_bytes"));
}

/// A server on 127.0.0.1 that answers one request with a chunked body that never ends
/// (until the client hangs up), so no `Content-Length` announces the size.
fn endless_server() -> (String, std::thread::JoinHandle<usize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let mut seen = Vec::new();
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = sock.read(&mut buf).unwrap();
            if n == 0 {
                return 0;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        if sock.write_all(head.as_bytes()).is_err() {
            return 0;
        }
        let chunk = format!("{:x}\r\n{}\r\n", 1024, "z".repeat(1024));
        let mut sent = 0usize;
        // Stop when the client hangs up, or after 1 GiB (the client did not stop).
        while sent < 1 << 30 && sock.write_all(chunk.as_bytes()).is_ok() {
            sent += 1024;
        }
        sent
    });
    (format!("http://{addr}/v2/010101"), handle)
}

#[tokio::test]
async fn an_endless_body_stops_being_read_once_past_the_limit() {
    let (base, server) = endless_server();
    let err = transport(base, 64 * 1024).send(&get()).await.unwrap_err();
    assert!(matches!(&err, TransportError::BodyTooLarge { operation, status: 200, limit } if operation == "test.get" && *limit == 64 * 1024), "{err:?}");
    let sent = tokio::task::spawn_blocking(move || server.join().unwrap()).await.unwrap();
    assert!(sent < 64 << 20, "the server could send {sent} bytes: the client kept reading");
}

#[tokio::test]
async fn an_oversize_identity_response_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(stub::ticket(&server.uri(), &"t".repeat(4096), "2999-01-01T00:00:00Z")))
        .mount(&server)
        .await;
    Mock::given(path("/login"))
        .respond_with(ResponseTemplate::new(401).set_body_string("n".repeat(4096)))
        .mount(&server)
        .await;
    let limited = |auth: Auth| Transport::builder().auth(auth).max_body_bytes(1024).build().unwrap().for_api(&stub::API);
    let err = limited(IdentityV2::password(server.uri(), "me", "pw").into()).send(&get()).await.unwrap_err();
    assert!(matches!(&err, TransportError::BodyTooLarge { operation, status: 200, limit: 1024 } if operation == "stub.tokens"), "{err:?}");
    let client: ClientError<FaultBody> = err.into();
    assert!(matches!(client, ClientError::BodyTooLarge { ref operation, status: 200, limit: 1024 } if operation == "stub.tokens"));
    // A refusal's body too.
    let err = limited(V1_0::new(server.uri(), "me", "key").into()).send(&get()).await.unwrap_err();
    assert!(matches!(&err, TransportError::BodyTooLarge { operation, status: 401, limit: 1024 } if operation == "stub.login"), "{err:?}");
    // Within the limit the same exchange succeeds.
    let roomy = Transport::builder().auth(IdentityV2::password(server.uri(), "me", "pw")).build().unwrap().for_api(&stub::API);
    assert!(roomy.endpoint().await.is_ok());
}

#[tokio::test]
async fn an_endless_identity_response_stops_being_read_once_past_the_limit() {
    let (base, server) = endless_server();
    let root = base.trim_end_matches("/v2/010101").to_string();
    let t = Transport::builder()
        .auth(IdentityV2::password(root, "me", "pw"))
        .max_body_bytes(64 * 1024)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
        .for_api(&stub::API);
    let err = t.send(&get()).await.unwrap_err();
    assert!(matches!(&err, TransportError::BodyTooLarge { operation, status: 200, .. } if operation == "stub.tokens"), "{err:?}");
    let sent = tokio::task::spawn_blocking(move || server.join().unwrap()).await.unwrap();
    assert!(sent < 64 << 20, "the server could send {sent} bytes: the client kept reading");
}
