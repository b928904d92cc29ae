//! Limits: the generated tables hold every limit of the schema, and the validators refuse
//! locally what the service would refuse, with the same status and fault, while every
//! documented request passes.

#[macro_use]
mod build_macro;

use generated::{identity, rackconnect, v1_0, v2};
use runtime::limits::{AccountLimits, LimitViolation, RateUnit, RequestCheckError};
use schema::examples::{Direction, ExampleFormat};
use schema::limits::LimitKind;
use schema::{Api, Schema};
use std::collections::BTreeMap;

const V2: Api = Api::new("v2");
const V1_0: Api = Api::new("v1.0");
const RACKCONNECT: Api = Api::new("rackconnect");
const IDENTITY: Api = Api::new("identity");

fn schema() -> Schema {
    Schema::load_default().unwrap_or_else(|e| panic!("{e}"))
}

/// The documented create-server request of `example`, decoded.
fn v2_create(schema: &Schema, example: &str) -> v2::models::CreateServerRequest {
    let ex = schema.examples.iter().find(|e| e.id == example).unwrap_or_else(|| panic!("no {example}"));
    let inner = ex.body.as_ref().and_then(|b| b.get("server")).cloned().unwrap_or_default();
    serde_json::from_value(inner).unwrap_or_else(|e| panic!("{example}: {e}"))
}

/// An account with the documents' default limits.
fn v2_defaults() -> AccountLimits {
    AccountLimits::documented_defaults(v2::limits::ABSOLUTE_LIMITS)
}

fn v1_defaults() -> AccountLimits {
    AccountLimits::documented_defaults(v1_0::limits::ABSOLUTE_LIMITS)
}

#[test]
fn account_dependent_limits_use_the_accounts_values_and_unknown_ones_refuse_nothing() {
    let schema = schema();
    let mut req = v2_create(&schema, "v2.example.1.6");
    req.metadata = Some(v2::models::Metadata((0..30).map(|i| (format!("key{i}"), "v".to_string())).collect()));
    // maxServerMeta "default 20" is only a default: an account may allow more.
    assert_eq!(v2::limits::validate_servers_create(&req, &AccountLimits::unknown()), Ok(()));
    assert_eq!(v2::limits::validate_servers_create(&req, &AccountLimits::unknown().with("maxServerMeta", 40)), Ok(()));
    let v = expect_violation(
        v2::limits::validate_servers_create(&req, &AccountLimits::unknown().with("maxServerMeta", 25)),
        "v2.field.server-metadata-items",
        413,
        "v2.overLimit",
    );
    assert_eq!((v.max, v.actual), (25, 30));
    // A fixed bound of the documents still applies to every account.
    req.metadata.get_or_insert_with(Default::default).0.insert("k".repeat(256), "v".into());
    expect_violation(v2::limits::validate_servers_create(&req, &AccountLimits::unknown()), "v2.field.metadata-key", 400, "v2.badRequest");
    // The account's values are read from its limits report.
    let report = serde_json::json!({"limits": {"rate": [], "absolute": {"maxServerMeta": 40, "maxPersonality": 10}}});
    let acct = AccountLimits::from_report(&report, v2::limits::ABSOLUTE_LIMITS);
    assert_eq!((acct.get("maxServerMeta"), acct.get("maxPersonality")), (Some(40), Some(10)));
}

fn expect_violation(r: Result<(), LimitViolation>, limit: &str, status: u16, fault: &str) -> LimitViolation {
    let v = r.expect_err("the request should be refused");
    assert_eq!(v.limit, limit, "{v}");
    assert_eq!(v.status, status, "{v}");
    assert_eq!(v.fault, Some(fault), "{v}");
    v
}

#[test]
fn documented_create_server_request_passes() {
    let schema = schema();
    let req = v2_create(&schema, "v2.example.1.6");
    assert!(req.metadata.as_ref().is_some_and(|m| !m.0.is_empty()), "the example has metadata");
    assert!(req.personality.as_ref().is_some_and(|p| !p.is_empty()), "the example has personality");
    assert_eq!(v2::limits::validate_servers_create(&req, &v2_defaults()), Ok(()));
}

#[test]
fn too_long_metadata_key_is_refused_locally_with_the_right_fault() {
    let schema = schema();
    let mut req = v2_create(&schema, "v2.example.1.6");
    req.metadata.get_or_insert_with(Default::default).0.insert("k".repeat(255), "v".into());
    assert_eq!(v2::limits::validate_servers_create(&req, &v2_defaults()), Ok(()), "255 bytes is allowed");
    req.metadata.get_or_insert_with(Default::default).0.insert("k".repeat(256), "v".into());
    let v = expect_violation(v2::limits::validate_servers_create(&req, &v2_defaults()), "v2.field.metadata-key", 400, "v2.badRequest");
    // The document names no fault for it: the default, said so.
    assert!(!v.documented);
    assert_eq!(v.fault_name, Some("badRequest"));
    assert_eq!((v.max, v.actual), (255, 256));
    // As the operation's error: the fault the service would answer with.
    let e = v2::faults::ServersCreateError::from(v);
    assert!(matches!(e, v2::faults::ServersCreateError::BadRequest(_)), "{e:?}");

    // Bytes, not characters: 128 two-byte characters are 256 bytes.
    let mut req = v2_create(&schema, "v2.example.1.6");
    req.metadata.get_or_insert_with(Default::default).0.insert("é".repeat(128), "v".into());
    expect_violation(v2::limits::validate_servers_create(&req, &v2_defaults()), "v2.field.metadata-key", 400, "v2.badRequest");
}

#[test]
fn metadata_values_and_counts() {
    let schema = schema();
    let mut req = v2_create(&schema, "v2.example.1.6");
    req.metadata.get_or_insert_with(Default::default).0.insert("k".into(), "v".repeat(256));
    expect_violation(v2::limits::validate_servers_create(&req, &v2_defaults()), "v2.field.metadata-value", 400, "v2.badRequest");

    // The count limit names overLimit (413).
    let mut req = v2_create(&schema, "v2.example.1.6");
    let many: BTreeMap<String, String> = (0..21).map(|i| (format!("key{i}"), "v".to_string())).collect();
    req.metadata = Some(v2::models::Metadata(many));
    let v = expect_violation(v2::limits::validate_servers_create(&req, &v2_defaults()), "v2.field.server-metadata-items", 413, "v2.overLimit");
    assert!(v.documented);
    assert!(matches!(v2::faults::ServersCreateError::from(v), v2::faults::ServersCreateError::OverLimit(_)));

    // Metadata calls whose body is the map itself, or one item.
    let long = v2::models::MetaItem([("k".repeat(256), "v".to_string())].into_iter().collect());
    expect_violation(v2::limits::validate_server_metadata_set_item(&long, &v2_defaults()), "v2.field.metadata-key", 400, "v2.badRequest");
    let ok = v2::models::MetaItem([("Label".to_string(), "Web".to_string())].into_iter().collect());
    assert_eq!(v2::limits::validate_server_metadata_set_item(&ok, &v2_defaults()), Ok(()));
    let many = v2::models::Metadata((0..21).map(|i| (format!("k{i}"), String::new())).collect());
    expect_violation(v2::limits::validate_image_metadata_set(&many, &v2_defaults()), "v2.field.image-metadata-items", 413, "v2.overLimit");
}

#[test]
fn personality_paths_counts_and_decoded_sizes() {
    let schema = schema();
    let file = |path: &str, contents: String| build!(v2::models::PersonalityFile { path: path.to_string(), contents });

    // 10240 decoded bytes pass, 10241 do not; "AAAA" decodes to 3 bytes.
    let exact = format!("{}AA==", "AAAA".repeat(3413));
    let over = format!("{}AAA=", "AAAA".repeat(3413));
    assert_eq!(runtime::limits::base64_decoded_len(&exact), 10240);
    let mut req = v2_create(&schema, "v2.example.1.6");
    req.personality = Some(vec![file("/etc/a", exact)]);
    assert_eq!(v2::limits::validate_servers_create(&req, &v2_defaults()), Ok(()));
    req.personality = Some(vec![file("/etc/a", over)]);
    expect_violation(v2::limits::validate_servers_create(&req, &v2_defaults()), "v2.field.personality-contents", 400, "v2.badRequest");

    req.personality = Some(vec![file(&format!("/{}", "p".repeat(255)), String::new())]);
    expect_violation(v2::limits::validate_servers_create(&req, &v2_defaults()), "v2.field.personality-path", 400, "v2.badRequest");

    req.personality = Some((0..7).map(|i| file(&format!("/f{i}"), String::new())).collect());
    expect_violation(v2::limits::validate_servers_create(&req, &v2_defaults()), "v2.field.personality-files", 400, "v2.badRequest");
    req.personality = Some((0..6).map(|i| file(&format!("/f{i}"), String::new())).collect());
    assert_eq!(v2::limits::validate_servers_create(&req, &v2_defaults()), Ok(()));
}

#[test]
fn first_generation_limits() {
    let schema = schema();
    let ex = schema.examples.iter().find(|e| e.id == "v1.0.servers-create.sample-json-request").unwrap_or_else(|| panic!("example"));
    let inner = ex.body.as_ref().and_then(|b| b.get("server")).cloned().unwrap_or_default();
    let mut req: v1_0::models::CreateServerRequest = serde_json::from_value(inner).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v1_0::limits::validate_servers_create(&req, &v1_defaults()), Ok(()));
    req.metadata = Some(v1_0::models::Metadata((0..6).map(|i| (format!("k{i}"), String::new())).collect()));
    expect_violation(v1_0::limits::validate_servers_create(&req, &v1_defaults()), "v1.0.field.metadata-count", 400, "v1.0.badRequest");
    let e = v1_0::faults::ServersCreateError::from(v1_0::limits::validate_servers_create(&req, &v1_defaults()).unwrap_err());
    assert!(matches!(e, v1_0::faults::ServersCreateError::BadRequest(_)), "{e:?}");
}

#[test]
fn every_documented_request_passes_its_validator() {
    let schema = schema();
    let mut json = 0;
    for ex in schema.examples.iter().filter(|e| e.direction == Direction::Request && e.format == ExampleFormat::Json) {
        let Some(api) = schema.operation(&ex.operation).map(|o| o.api) else { continue };
        let body = ex.body.clone().unwrap_or_default();
        let r = match api {
            V2 => v2::limits::validate_json(&ex.operation, &body, &v2_defaults()),
            V1_0 => v1_0::limits::validate_json(&ex.operation, &body, &v1_defaults()),
            RACKCONNECT => rackconnect::limits::validate_json(&ex.operation, &body, &AccountLimits::unknown()),
            IDENTITY => identity::limits::validate_json(&ex.operation, &body, &AccountLimits::unknown()),
            other => panic!("no generated module for API {other}"),
        };
        match r {
            None => {}
            Some(Ok(())) => json += 1,
            Some(Err(e)) => panic!("{}: {e}", ex.id),
        }
    }
    // XML requests of Create Server, decoded with the XML codec.
    let mut xml = 0;
    for ex in schema.examples.iter().filter(|e| e.direction == Direction::Request && e.format == ExampleFormat::Xml) {
        let text = ex.body_text().unwrap_or_default();
        let r = match ex.operation.as_str() {
            "v2.servers.create" => {
                let req: v2::models::CreateServerRequest =
                    runtime::xml::decode_root(text, Some(generated::ns::V2), "server").unwrap_or_else(|e| panic!("{}: {e}", ex.id));
                v2::limits::validate_servers_create(&req, &v2_defaults())
            }
            "v1.0.servers.create" => {
                let req: v1_0::models::CreateServerRequest =
                    runtime::xml::decode_root(text, Some(generated::ns::V1_0), "server").unwrap_or_else(|e| panic!("{}: {e}", ex.id));
                v1_0::limits::validate_servers_create(&req, &v1_defaults())
            }
            _ => continue,
        };
        assert_eq!(r, Ok(()), "{}", ex.id);
        xml += 1;
    }
    println!("documented requests validated: {json} JSON, {xml} XML");
    assert!(json >= 10 && xml >= 5, "{json} JSON, {xml} XML");
}

#[test]
fn validate_json_reports_what_does_not_decode() {
    let r = v2::limits::validate_json("v2.servers.create", &serde_json::json!({"notServer": {}}), &v2_defaults());
    assert!(matches!(r, Some(Err(RequestCheckError::Decode(_)))), "{r:?}");
    let r = v2::limits::validate_json("v2.servers.create", &serde_json::json!({"server": {"name": {"first": "a"}}}), &v2_defaults());
    assert!(matches!(r, Some(Err(RequestCheckError::Decode(_)))), "{r:?}");
    let long = serde_json::json!({"meta": {"k".repeat(300): "v"}});
    let r = v2::limits::validate_json("v2.server-metadata.set-item", &long, &v2_defaults());
    assert!(matches!(&r, Some(Err(RequestCheckError::Limit(v))) if v.limit == "v2.field.metadata-key"), "{r:?}");
    assert_eq!(v2::limits::validate_json("v2.servers.get", &serde_json::json!({}), &v2_defaults()), None);
}

/// Every field limit has a path, and every operation it applies to that takes a body has
/// a validator checking it.
#[test]
fn validators_cover_every_field_limit() {
    let schema = schema();
    let validated: Vec<(&str, &[&str])> = [v2::limits::VALIDATED, v1_0::limits::VALIDATED, rackconnect::limits::VALIDATED, identity::limits::VALIDATED]
        .into_iter()
        .flat_map(|t| t.iter().copied())
        .collect();
    let mut pairs = 0;
    for l in &schema.limits {
        let LimitKind::Field { field, applies_to, .. } = &l.kind else { continue };
        assert!(field.is_some(), "{} has no field path", l.id);
        for op in applies_to {
            let takes_body = schema.operation(op).is_some_and(|o| o.request.is_some());
            if !takes_body {
                continue;
            }
            let checks = validated.iter().find(|(o, _)| o == op).map(|(_, ids)| *ids).unwrap_or_default();
            assert!(checks.contains(&l.id.as_str()), "{op} does not check {}", l.id);
            pairs += 1;
        }
    }
    println!("field limit checks: {pairs}");
    assert!(pairs >= 40, "{pairs}");
}

#[test]
fn tables_hold_every_limit_of_the_schema() {
    let schema = schema();
    let rate = [v2::limits::RATE_LIMITS, v1_0::limits::RATE_LIMITS, rackconnect::limits::RATE_LIMITS, identity::limits::RATE_LIMITS].concat();
    let absolute = [v2::limits::ABSOLUTE_LIMITS, v1_0::limits::ABSOLUTE_LIMITS, rackconnect::limits::ABSOLUTE_LIMITS, identity::limits::ABSOLUTE_LIMITS].concat();
    let field = [v2::limits::FIELD_LIMITS, v1_0::limits::FIELD_LIMITS, rackconnect::limits::FIELD_LIMITS, identity::limits::FIELD_LIMITS].concat();
    let pagination = [v2::limits::PAGINATION_LIMITS, v1_0::limits::PAGINATION_LIMITS, rackconnect::limits::PAGINATION_LIMITS, identity::limits::PAGINATION_LIMITS].concat();
    let changes = [v2::limits::CHANGES_SINCE_LIMITS, v1_0::limits::CHANGES_SINCE_LIMITS, rackconnect::limits::CHANGES_SINCE_LIMITS, identity::limits::CHANGES_SINCE_LIMITS].concat();
    let token = [v2::limits::TOKEN_LIMITS, v1_0::limits::TOKEN_LIMITS, rackconnect::limits::TOKEN_LIMITS, identity::limits::TOKEN_LIMITS].concat();
    let caching = [v2::limits::CACHING_LIMITS, v1_0::limits::CACHING_LIMITS, rackconnect::limits::CACHING_LIMITS, identity::limits::CACHING_LIMITS].concat();
    let usage = [v2::limits::USAGE_COUNTERS, v1_0::limits::USAGE_COUNTERS, rackconnect::limits::USAGE_COUNTERS, identity::limits::USAGE_COUNTERS].concat();
    let total = rate.len() + absolute.len() + field.len() + pagination.len() + changes.len() + token.len() + caching.len() + usage.len();
    assert_eq!(total, schema.limits.len());
    for l in &schema.limits {
        let src = format!("{}, {}", l.source.document, l.source.place);
        match &l.kind {
            LimitKind::Rate { verb, uri, value, unit, exceeded, .. } => {
                let g = rate.iter().find(|g| g.id == l.id).unwrap_or_else(|| panic!("{}", l.id));
                assert_eq!((g.verb, g.uri, g.value, g.source), (verb.as_str(), uri.as_str(), *value, src.as_str()));
                assert_eq!(g.window().as_secs(), unit.seconds());
                assert_eq!(g.exceeded.map(|e| e.status), exceeded.as_ref().map(|e| e.status));
            }
            LimitKind::Absolute { name, value, account, .. } => {
                let g = absolute.iter().find(|g| g.id == l.id).unwrap_or_else(|| panic!("{}", l.id));
                assert_eq!((g.name, g.value, g.account), (name.as_str(), value.as_ref().and_then(serde_json::Value::as_i64), *account));
            }
            LimitKind::Usage { name, counts, .. } => {
                let g = usage.iter().find(|g| g.id == l.id).unwrap_or_else(|| panic!("{}", l.id));
                assert_eq!((g.name, g.counts), (name.as_str(), counts.as_deref()));
                assert!(absolute.iter().all(|a| a.id != l.id), "a usage counter is not an absolute limit");
            }
            LimitKind::Field { max_bytes, max_count, exceeded, absolute: linked, .. } => {
                let g = field.iter().find(|g| g.id == l.id).unwrap_or_else(|| panic!("{}", l.id));
                assert_eq!((g.max_bytes, g.max_count), (*max_bytes, *max_count));
                let linked_name = linked.as_deref().and_then(|id| absolute.iter().find(|a| a.id == id)).map(|a| a.name);
                assert_eq!(g.account_limit, linked_name, "{}", l.id);
                match exceeded {
                    Some(e) => assert_eq!((g.refused_with.status, g.refused_with.fault), (e.status, e.fault.as_deref())),
                    None => assert_eq!((g.refused_with.status, g.refused_with.fault_name), (400, Some("badRequest"))),
                }
            }
            LimitKind::Pagination { max, .. } => {
                let g = pagination.iter().find(|g| g.id == l.id).unwrap_or_else(|| panic!("{}", l.id));
                assert_eq!(g.max, *max);
            }
            LimitKind::ChangesSince { format, .. } => {
                let g = changes.iter().find(|g| g.id == l.id).unwrap_or_else(|| panic!("{}", l.id));
                assert_eq!(g.format, format);
            }
            LimitKind::Token { hours, .. } => {
                let g = token.iter().find(|g| g.id == l.id).unwrap_or_else(|| panic!("{}", l.id));
                assert_eq!(g.hours, *hours);
            }
            LimitKind::Caching { status, .. } => {
                let g = caching.iter().find(|g| g.id == l.id).unwrap_or_else(|| panic!("{}", l.id));
                assert_eq!(g.status, *status);
            }
        }
    }
    // A few constants by name.
    assert_eq!(v2::limits::RATE_POST_SERVERS.value, 1000);
    assert_eq!(v2::limits::RATE_POST_SERVERS.unit, RateUnit::Day);
    assert!(v2::limits::ABSOLUTE_MAX_TOTAL_CORES.is_unlimited());
    assert_eq!(v2::limits::PAGINATION.max, 1000);
    assert_eq!(identity::limits::TOKEN_LIFETIME.lifetime().map(|d| d.as_secs()), Some(24 * 3600));
    assert_eq!(rackconnect::limits::RATE_REQUESTS_PER_MINUTE.exceeded.map(|e| e.status), Some(403));
}
