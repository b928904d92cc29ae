//! The generated client runs on the tokio the README lists: one call of the RackConnect
//! API, on a multi-threaded runtime, to a one-response HTTP server on 127.0.0.1.

use cloudservers_runtime::client::Transport;
use downstream::rackconnect::client::Client;
use downstream::rackconnect::models::AutomationStatus;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

/// Answers one request with `DEPLOYED` as text; returns the base URL and the request line.
fn one_response_server() -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("the client connects");
        let mut reader = BufReader::new(stream);
        let mut request_line = String::new();
        reader.read_line(&mut request_line).expect("a request line");
        let mut line = String::new();
        while reader.read_line(&mut line).expect("a header line") > 2 {
            line.clear();
        }
        let body = "DEPLOYED";
        let mut stream = reader.into_inner();
        write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).expect("the answer is written");
        request_line
    });
    (url, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_runs_on_the_listed_tokio() {
    let (url, server) = one_response_server();
    let client = Client::new(Transport::builder().base_url(url).build().expect("a transport"));
    let reply = client.automation_status_get(&Default::default()).await.expect("the call succeeds");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.0, AutomationStatus::Deployed);
    let request_line = server.join().expect("the server answered");
    assert!(request_line.starts_with("GET /v1/automation_status"), "{request_line}");
}
