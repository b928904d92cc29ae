//! Arbitrary requests to every documented operation (random path values, bodies, content
//! types and query strings, with a valid token) never get a 5xx, and the provider keeps
//! answering.

use cloudservers::v2;
use proptest::prelude::*;
use runtime::client::{IdentityV2, Transport};
use runtime::shapes::operations::Operation;

/// Every operation, with the key of its API.
fn every_operation() -> Vec<(&'static str, &'static Operation<'static>)> {
    use cloudservers::{identity, rackconnect, v1_0, v2};
    [
        (v2::client::API.api, v2::operations::OPERATIONS),
        (v1_0::client::API.api, v1_0::operations::OPERATIONS),
        (rackconnect::client::API.api, rackconnect::operations::OPERATIONS),
        (identity::client::API.api, identity::operations::OPERATIONS),
    ]
    .into_iter()
    .flat_map(|(key, ops)| ops.iter().map(move |op| (key, op)))
    .collect()
}

struct Target {
    rt: tokio::runtime::Runtime,
    _cloud: provider::Handle,
    http: reqwest::Client,
    token: String,
    /// The host URL and the endpoint URL of each API, by the operations' id prefix.
    roots: Vec<(String, String, String)>,
}

fn target() -> Target {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let (cloud, token, roots) = rt.block_on(async {
        let cloud = provider::spawn(provider::Config::default().virtual_clock().rate_limits(false)).await.expect("starts");
        let a = cloud.accounts()[0].clone();
        let c = v2::client::Client::new(Transport::builder().auth(IdentityV2::password(cloud.identity_url(), &a.username, &a.password)).build().unwrap());
        c.flavors_list(&Default::default()).await.expect("a first call");
        let token = c.transport().session().await.and_then(|s| s.token).map(|t| t.expose().to_string()).expect("a token");
        let mut roots = Vec::new();
        for (key, _) in every_operation() {
            if let (Some(host), Some(endpoint)) = (cloud.host_url(key), cloud.endpoint_url(key, &a.tenant)) {
                if !roots.iter().any(|(k, _, _): &(String, String, String)| k == key) {
                    roots.push((key.to_string(), host.to_string(), endpoint));
                }
            }
        }
        (cloud, token, roots)
    });
    Target { rt, _cloud: cloud, http: reqwest::Client::new(), token, roots }
}

fn path_of(op: &Operation<'_>, values: &[String]) -> String {
    let mut i = 0;
    op.path
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                i += 1;
                values.get(i - 1).cloned().unwrap_or_default()
            } else {
                seg.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9-]{1,40}",
        Just("00000000-0000-0000-0000-000000000000".to_string()),
        "%[0-9a-fA-F]{2}[^/?#]{0,8}",
        Just("..".to_string()),
        "[0-9]{1,25}",
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        proptest::collection::vec(any::<u8>(), 0..200),
        "\\{\"[a-zA-Z]{1,12}\": \\{\"[a-zA-Z]{1,12}\": (\"[^\"]{0,20}\"|[0-9]{1,30}|null|\\[\\]|true)\\}\\}".prop_map(String::into_bytes),
        (1usize..2000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes()),
        (1usize..2000).prop_map(|n| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n)).into_bytes()),
        "<[a-zA-Z]{1,10} xmlns=\"[^\"]{0,30}\">[^<]{0,20}</[a-zA-Z]{1,10}>".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn no_request_gets_a_5xx(
        which in any::<prop::sample::Index>(),
        values in proptest::collection::vec(segment(), 3),
        body in body(),
        content_type in prop_oneof![Just("application/json"), Just("application/xml"), Just("text/plain"), Just("application/json; charset=utf-8"), Just("")],
        query in "([a-z-]{1,12}=[^&#]{0,12}&?){0,3}",
        xml_suffix in any::<bool>(),
    ) {
        thread_local! { static T: Target = target(); }
        let ops = every_operation();
        let (key, op) = ops[which.index(ops.len())];
        T.with(|t| {
            let (_, host, endpoint) = t.roots.iter().find(|(k, _, _)| k == key).cloned().unwrap_or_default();
            let root = match op.base { runtime::shapes::operations::Base::Host => host, runtime::shapes::operations::Base::Endpoint => endpoint };
            let mut url = format!("{root}{}", path_of(op, &values));
            if xml_suffix { url.push_str(".xml"); }
            if !query.is_empty() { url = format!("{url}?{query}"); }
            let status = t.rt.block_on(async {
                let mut req = t.http.request(op.method.parse().unwrap_or(reqwest::Method::GET), &url).header("X-Auth-Token", &t.token).body(body.clone());
                if !content_type.is_empty() { req = req.header("Content-Type", content_type); }
                req.send().await.map(|r| r.status().as_u16())
            });
            let status = status.map_err(|e| TestCaseError::fail(format!("{} {url}: no answer: {e}", op.method)))?;
            prop_assert!(status < 500, "{} {} ({}) with {:?} answered {}", op.method, url, op.id, String::from_utf8_lossy(&body), status);
            Ok(())
        })?;
    }
}
