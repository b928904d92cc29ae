//! The documented limits on the provider, through the generated v2 client and its
//! tables: pages (size, marker, next link, the maximum, an unknown marker),
//! changes-since (with deleted servers), the rate limits (the documented fault with
//! `Retry-After`, and success after the window on the virtual clock), field limits, and
//! the limits report.

use cloudservers::v2;
use runtime::client::{IdentityV2, Transport};
use std::time::Duration;

async fn cloud(rate_limits: bool) -> provider::Handle {
    provider::spawn(provider::Config::default().virtual_clock().step(Duration::from_secs(1)).rate_limits(rate_limits)).await.expect("starts")
}

fn client(cloud: &provider::Handle) -> v2::client::Client {
    let a = &cloud.accounts()[0];
    v2::client::Client::new(Transport::builder().auth(IdentityV2::password(cloud.identity_url(), &a.username, &a.password)).build().expect("transport"))
}

/// The client's endpoint and token, for requests sent without it.
async fn endpoint_and_token(c: &v2::client::Client) -> (String, runtime::Secret) {
    (c.transport().endpoint().await.unwrap().to_string(), c.transport().session().await.and_then(|s| s.token).unwrap())
}

async fn create(c: &v2::client::Client, name: &str) -> String {
    let flavors = c.flavors_list(&Default::default()).await.expect("flavors").body.flavors;
    let mut r = v2::models::CreateServerRequest::default();
    r.name = name.into();
    r.flavor_ref = flavors[0].id.clone();
    r.image_ref = "image".into();
    c.servers_create(&r).await.expect("create").body.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_follow_the_documented_pagination() {
    let cloud = cloud(false).await;
    let c = client(&cloud);
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(create(&c, &format!("s{i}")).await);
    }
    let mut q = v2::client::ServersListDetailQuery { limit: Some(2), ..Default::default() };
    let first = c.servers_list_detail(&q).await.expect("page").body;
    assert_eq!(first.servers.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), ids[..2]);
    let next = first.servers_links.as_ref().and_then(|l| l.iter().find(|l| Some(l.rel.as_str()) == v2::limits::PAGINATION.next_rel.as_deref())).expect("a next link");
    assert!(next.href.contains(&format!("marker={}", ids[1])), "{}", next.href);
    q.marker = Some(ids[1].clone());
    let second = c.servers_list_detail(&q).await.expect("page").body;
    assert_eq!(second.servers.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), ids[2..4]);
    q.marker = Some(ids[3].clone());
    let last = c.servers_list_detail(&q).await.expect("page").body;
    assert_eq!(last.servers.len(), 1);
    assert!(last.servers_links.is_none(), "no next link on the last page");

    q.marker = Some("no-such-server".into());
    assert_eq!(c.servers_list_detail(&q).await.expect_err("unknown marker").fault().map(|f| f.status()), Some(404));
    q.marker = None;
    q.limit = Some(i64::try_from(v2::limits::PAGINATION.max).unwrap() + 1);
    let e = c.servers_list_detail(&q).await.expect_err("above the maximum");
    assert_eq!(e.fault().map(|f| f.status()), v2::limits::PAGINATION.exceeded.as_ref().map(|x| x.status));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_since_lists_changes_and_deletions() {
    let cloud = cloud(false).await;
    let c = client(&cloud);
    let old = create(&c, "old").await;
    cloud.clock().advance(Duration::from_secs(60));
    let since = cloud.clock().now();
    cloud.clock().advance(Duration::from_secs(1));
    let new = create(&c, "new").await;
    cloud.clock().advance(Duration::from_secs(30));
    c.servers_delete(&old).await.expect("delete");
    let q = v2::client::ServersListDetailQuery { changes_since: Some(since.into()), ..Default::default() };
    let changed = c.servers_list_detail(&q).await.expect("changes").body.servers;
    let ids: Vec<&str> = changed.iter().map(|s| s.id.as_str()).collect();
    assert!(ids.contains(&new.as_str()) && ids.contains(&old.as_str()), "{ids:?}");
    let deleted = changed.iter().find(|s| s.id == old).and_then(|s| s.status.as_ref()).map(|s| s.as_str().to_string()).unwrap_or_default();
    assert_eq!(v2::machines::SERVER_STATUS.kind_of(&deleted), Some(runtime::machines::StateKind::Terminal));
    // Without changes-since, the deleted server is gone.
    let now: Vec<String> = c.servers_list_detail(&Default::default()).await.unwrap().body.servers.into_iter().map(|s| s.id).collect();
    assert_eq!(now, [new]);
    // An unreadable time is a 400.
    let (endpoint, token) = endpoint_and_token(&c).await;
    let r = reqwest::Client::new().get(format!("{endpoint}/servers/detail?changes-since=yesterday")).header("X-Auth-Token", token.expose()).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_answers_its_fault_until_the_window_ends() {
    let cloud = cloud(true).await;
    let c = client(&cloud);
    let (endpoint, token) = endpoint_and_token(&c).await;
    let http = reqwest::Client::new();
    // The smallest per-minute limit that counts GET /flavors.
    let limit = v2::limits::RATE_LIMITS
        .iter()
        .filter(|l| l.applies("GET", "/flavors") && l.value > 0 && l.window() <= Duration::from_secs(60))
        .min_by_key(|l| l.value)
        .expect("a per-minute GET limit");
    let get = || http.get(format!("{endpoint}/flavors")).header("X-Auth-Token", token.expose()).send();
    for i in 1..limit.value {
        assert_eq!(get().await.unwrap().status(), 200, "request {i} of {}", limit.value);
    }
    // The limits call is the last request the window admits, and reports it so.
    let report = c.limits_get().await.expect("limits").body;
    let reported = report.rate.iter().flat_map(|g| g.limit.iter().map(move |l| (g, l))).find(|(g, l)| g.uri == limit.uri && l.verb.as_str().eq_ignore_ascii_case(&limit.verb));
    assert_eq!(reported.map(|(_, l)| l.remaining), Some(0));
    let r = get().await.unwrap();
    let exceeded = limit.exceeded.as_ref().expect("documented");
    assert_eq!(r.status().as_u16(), exceeded.status);
    let header = exceeded.retry_header.as_deref().expect("a retry header");
    assert!(r.headers().get(header).is_some(), "{header} is sent");
    let body: serde_json::Value = r.json().await.unwrap();
    let fault = body.get(exceeded.fault_name.as_deref().unwrap()).expect("the documented fault");
    let retry = v2::faults::OVER_LIMIT.retry_field.expect("a retry field");
    assert!(fault.get(retry).is_some(), "{body}");
    cloud.clock().advance(limit.window());
    assert_eq!(get().await.unwrap().status(), 200, "the next window admits again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_limits_refuse_what_the_client_would() {
    let cloud = cloud(false).await;
    let c = client(&cloud);
    let (endpoint, token) = endpoint_and_token(&c).await;
    let max = v2::limits::ABSOLUTE_MAX_SERVER_META.value.expect("a documented default");
    let metadata: serde_json::Map<String, serde_json::Value> = (0..=max).map(|i| (format!("k{i}"), "v".into())).collect();
    let flavor = c.flavors_list(&Default::default()).await.unwrap().body.flavors[0].id.clone();
    let body = serde_json::json!({"server": {"name": "x", "imageRef": "i", "flavorRef": flavor, "metadata": metadata}});
    let r = reqwest::Client::new().post(format!("{endpoint}/servers")).header("X-Auth-Token", token.expose()).json(&body).send().await.unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let report = c.limits_get().await.expect("limits").body;
    assert_eq!(report.absolute.0.get(v2::limits::ABSOLUTE_MAX_SERVER_META.name.as_ref()), Some(&max));
}

async fn create_of(c: &v2::client::Client, flavor: &str) -> Result<String, runtime::client::ClientError<v2::faults::ServersCreateError>> {
    let mut r = v2::models::CreateServerRequest::default();
    r.name = "sized".into();
    r.flavor_ref = flavor.into();
    r.image_ref = "image".into();
    c.servers_create(&r).await.map(|a| a.body.id)
}

/// The flavors, smallest RAM first.
async fn flavors_by_ram(c: &v2::client::Client) -> Vec<v2::models::Flavor> {
    let mut flavors = c.flavors_list_detail(&Default::default()).await.expect("flavors").body.flavors;
    flavors.sort_by_key(|f| f.ram);
    flavors
}

fn reported(limits: &v2::models::Limits, counter: &str) -> Option<i64> {
    limits.absolute.0.get(counter).copied()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absolute_limits_refuse_creates_and_resizes_and_the_report_counts_usage() {
    use v2::limits::{ABSOLUTE_MAX_TOTAL_INSTANCES as INSTANCES, ABSOLUTE_MAX_TOTAL_RAM_SIZE as RAM, USAGE_COUNTERS};
    let cloud = cloud(false).await;
    let c = client(&cloud);
    let flavors = flavors_by_ram(&c).await;
    let (small, big) = (flavors[0].clone(), flavors[flavors.len() - 1].clone());
    let max_ram = RAM.value.expect("a documented default");
    // As many of the biggest flavor as the RAM limit takes, then one more is refused.
    let fits = max_ram / big.ram;
    for _ in 0..fits {
        create_of(&c, &big.id).await.expect("within the limit");
    }
    let e = create_of(&c, &big.id).await.expect_err("beyond the RAM limit");
    let exceeded = RAM.exceeded.as_ref().expect("documented");
    assert_eq!(e.fault().map(|f| f.status()), Some(exceeded.status), "{e}");
    assert_eq!(e.fault().and_then(|f| f.fault().name.clone()).as_deref(), exceeded.fault_name.as_deref());

    // A resize counts the server in its new flavor.
    if fits * big.ram + small.ram <= max_ram {
        let id = create_of(&c, &small.id).await.expect("small");
        cloud.clock().advance(Duration::from_secs(10));
        let mut resize = v2::models::ResizeAction::default();
        resize.flavor_ref = big.id.clone();
        let e = c.servers_resize(&id, &resize).await.expect_err("beyond the RAM limit");
        assert_eq!(e.fault().map(|f| f.status()), Some(exceeded.status), "{e}");
        c.servers_delete(&id).await.expect("delete");
    }

    // The report gives the account's values and what it uses, by each counter's limit.
    let limits = c.limits_get().await.expect("limits").body;
    assert_eq!(reported(&limits, &RAM.name), Some(max_ram));
    let used = |limit: &str| USAGE_COUNTERS.iter().find(|u| u.counts.as_deref() == Some(limit)).and_then(|u| reported(&limits, &u.name));
    assert_eq!(used(&RAM.id), Some(fits * big.ram));
    assert_eq!(used(&INSTANCES.id), Some(fits));
    assert_eq!(used(&v2::limits::ABSOLUTE_MAX_TOTAL_CORES.id), Some(fits * big.vcpus));
    assert!(USAGE_COUNTERS.iter().all(|u| reported(&limits, &u.name).is_some()), "every usage counter is reported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instance_limit_counts_live_servers() {
    use v2::limits::ABSOLUTE_MAX_TOTAL_INSTANCES as INSTANCES;
    let cloud = cloud(false).await;
    let c = client(&cloud);
    let flavors = flavors_by_ram(&c).await;
    let max = INSTANCES.value.expect("a documented default");
    let mut last = String::new();
    for _ in 0..max {
        last = create_of(&c, &flavors[0].id).await.expect("within the limit");
    }
    let e = create_of(&c, &flavors[0].id).await.expect_err("beyond the instance limit");
    assert_eq!(e.fault().map(|f| f.status()), INSTANCES.exceeded.as_ref().map(|x| x.status), "{e}");
    // A deleted server no longer counts.
    cloud.clock().advance(Duration::from_secs(10));
    c.servers_delete(&last).await.expect("delete");
    cloud.clock().advance(Duration::from_secs(10));
    create_of(&c, &flavors[0].id).await.expect("room again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_take_their_own_limit_values() {
    use v2::limits::ABSOLUTE_MAX_TOTAL_INSTANCES as INSTANCES;
    let config = provider::Config::default().virtual_clock().rate_limits(false);
    let unknown = provider::spawn(config.clone().account_limit("maxNoSuchThing", 1)).await;
    assert!(matches!(unknown, Err(provider::Error::UnknownLimit(ref n)) if n == "maxNoSuchThing"), "{unknown:?}");

    let cloud = provider::spawn(config.account_limit(INSTANCES.name.to_string(), 1)).await.expect("starts");
    let c = client(&cloud);
    let flavor = c.flavors_list(&Default::default()).await.expect("flavors").body.flavors[0].id.clone();
    create_of(&c, &flavor).await.expect("the one server the account may have");
    let e = create_of(&c, &flavor).await.expect_err("beyond the account's value");
    assert_eq!(e.fault().map(|f| f.status()), INSTANCES.exceeded.as_ref().map(|x| x.status), "{e}");
    let limits = c.limits_get().await.expect("limits").body;
    assert_eq!(reported(&limits, &INSTANCES.name), Some(1), "the report gives the account's value");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_filter_keeps_what_the_schema_says() {
    let cloud = cloud(false).await;
    let c = client(&cloud);
    // Servers of two flavors and names, so that each filter has something to tell apart.
    let flavors = c.flavors_list(&Default::default()).await.expect("flavors").body.flavors;
    for (i, f) in flavors.iter().take(2).enumerate() {
        create_of(&c, &f.id).await.expect("create");
        let mut r = v2::models::CreateServerRequest::default();
        r.name = format!("named-{i}");
        r.flavor_ref = f.id.clone();
        r.image_ref = "image".into();
        c.servers_create(&r).await.expect("create");
    }
    let http = reqwest::Client::new();
    let (token, endpoint) = crate::support::token_and_endpoint(&http, &cloud, &cloud.accounts()[0]).await;
    let get = |path: String| {
        let (http, token) = (http.clone(), token.clone());
        async move { http.get(path).header("X-Auth-Token", token).send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON") }
    };
    let mut checked = 0;
    for op in v2::operations::OPERATIONS.iter().filter(|o| o.method == "GET" && o.query.iter().any(|q| q.filter.is_some())) {
        let path = format!("{endpoint}{}", op.path);
        let all = get(path.clone()).await;
        let items = all.as_object().and_then(|o| o.values().find_map(|v| v.as_array())).cloned().unwrap_or_default();
        assert!(!items.is_empty(), "{} lists something", op.id);
        for q in op.query.iter().filter(|q| q.filter.is_some()) {
            let f = q.filter.as_ref().unwrap();
            // A value the first item has, read by the filter's field path.
            let Some(value) = runtime::shapes::value_at(&items[0], &f.field).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)) else { continue };
            let wanted: Vec<&serde_json::Value> = items.iter().filter(|i| f.keeps(i, &value)).collect();
            let kept = get(format!("{path}?{}={}", q.name, form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>())).await;
            let kept = kept.as_object().and_then(|o| o.values().find_map(|v| v.as_array())).cloned().unwrap_or_default();
            assert_eq!(kept.iter().collect::<Vec<_>>(), wanted, "{} ?{}={value}", op.id, q.name);
            checked += 1;
        }
    }
    assert!(checked >= 6, "the detailed lists' filters were tried ({checked})");
}
