//! Fault decoding: every documented fault example decodes to the right variant, in JSON
//! and XML; Retry-After in both header forms; mapping by alias and by status; no panic on
//! any body.

// Needs the v2, v1_0, rackconnect, identity APIs.
#![cfg(all(feature = "v2", feature = "v1_0", feature = "rackconnect", feature = "identity"))]

use cloudservers::{identity, rackconnect, v1_0, v2};
use runtime::faults::{FaultBody, FaultError, FaultParts};
use runtime::limits::FieldLimitCheck;
use schema::examples::ExampleFormat;
use schema::{Api, Schema};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const V2: Api = Api::new("v2");
const V1_0: Api = Api::new("v1.0");
const RACKCONNECT: Api = Api::new("rackconnect");
const IDENTITY: Api = Api::new("identity");

fn schema() -> Schema {
    Schema::load_default().unwrap_or_else(|e| panic!("{e}"))
}

/// 2010-08-01T00:00:00Z, the retry time of the documented overLimit examples.
fn aug_1_2010() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_280_620_800)
}

/// Where the faults of `api` hold their parts, as generated from the schema.
fn parts(api: Api) -> &'static FaultParts {
    match api {
        V2 => &v2::faults::FAULT_PARTS,
        V1_0 => &v1_0::faults::FAULT_PARTS,
        RACKCONNECT => &rackconnect::faults::FAULT_PARTS,
        IDENTITY => &identity::faults::FAULT_PARTS,
        other => panic!("no generated module for API {other}"),
    }
}

/// The fault id and status `classify` gives for a body sent in reply to `operation`.
fn classify(api: Api, operation: &str, body: FaultBody) -> (Option<&'static str>, u16, Option<String>) {
    match api {
        V2 => {
            let e = v2::faults::classify(operation, body);
            (e.fault_id(), e.status(), e.message().map(str::to_string))
        }
        V1_0 => {
            let e = v1_0::faults::classify(operation, body);
            (e.fault_id(), e.status(), e.message().map(str::to_string))
        }
        RACKCONNECT => {
            let e = rackconnect::faults::classify(operation, body);
            (e.fault_id(), e.status(), e.message().map(str::to_string))
        }
        IDENTITY => {
            let e = identity::faults::classify(operation, body);
            (e.fault_id(), e.status(), e.message().map(str::to_string))
        }
        other => panic!("no generated module for API {other}"),
    }
}

#[test]
fn every_documented_fault_example_decodes_to_its_fault() {
    let schema = schema();
    let mut checked = Vec::new();
    for ex in schema.examples.iter().filter(|e| e.status.is_some_and(|s| s >= 400)) {
        let (content_type, bytes) = match ex.format {
            ExampleFormat::Json => ("application/json", serde_json::to_vec(ex.body.as_ref().unwrap_or(&serde_json::Value::Null)).unwrap_or_default()),
            ExampleFormat::Xml => ("application/xml", ex.body_text().unwrap_or_default().as_bytes().to_vec()),
            _ => continue,
        };
        let status = ex.status.unwrap_or_default();
        let name = ex.root_name().unwrap_or_else(|| panic!("{}: the body names no fault", ex.id));
        let op = schema.operation(&ex.operation).unwrap_or_else(|| panic!("{}: no operation", ex.id));
        let expected = schema
            .fault_named(op.api, &name)
            .unwrap_or_else(|| panic!("{}: no fault named {name}", ex.id));

        // With and without the Content-Type header (the format is then guessed).
        for ct in [Some(content_type), None] {
            let fault = FaultBody::from_response(parts(op.api), status, None, ct, &bytes);
            assert_eq!(fault.name.as_deref(), Some(name.as_str()), "{}", ex.id);
            assert_eq!(fault.code, Some(status), "{}: body code", ex.id);
            let (id, got_status, message) = classify(op.api, &op.id, fault);
            assert_eq!(id, Some(expected.id.as_str()), "{}", ex.id);
            assert_eq!(got_status, status, "{}", ex.id);
            assert!(message.is_some_and(|m| !m.is_empty()), "{}: message", ex.id);
        }
        checked.push((op.api, ex.format));
    }
    // Both formats of both compute APIs are documented; all must have been checked.
    for api in [V2, V1_0] {
        for format in [ExampleFormat::Json, ExampleFormat::Xml] {
            assert!(checked.contains(&(api, format)), "no {api} {format:?} fault example checked");
        }
    }
    println!("fault examples decoded: {}", checked.len());
}

#[test]
fn operation_enums_give_the_documented_variant() {
    let schema = schema();
    let mut n = 0;
    for ex in schema.examples.iter().filter(|e| e.status.is_some_and(|s| s >= 400)) {
        let status = ex.status.unwrap_or_default();
        let bytes = match ex.format {
            ExampleFormat::Json => serde_json::to_vec(ex.body.as_ref().unwrap_or(&serde_json::Value::Null)).unwrap_or_default(),
            ExampleFormat::Xml => ex.body_text().unwrap_or_default().as_bytes().to_vec(),
            _ => continue,
        };
        match ex.operation.as_str() {
            "v2.servers.get" => {
                let e = v2::faults::ServersGetError::from_response(status, None, None, &bytes);
                let ok = matches!(
                    (status, &e),
                    (500, v2::faults::ServersGetError::ComputeFault(_))
                        | (404, v2::faults::ServersGetError::ItemNotFound(_))
                        | (413, v2::faults::ServersGetError::OverLimit(_))
                );
                assert!(ok, "{}: {e:?}", ex.id);
            }
            "v1.0.servers.get" => {
                let e = v1_0::faults::ServersGetError::from_response(status, None, None, &bytes);
                let ok = matches!(
                    (status, &e),
                    (500, v1_0::faults::ServersGetError::CloudServersFault(_))
                        | (404, v1_0::faults::ServersGetError::ItemNotFound(_))
                        | (413, v1_0::faults::ServersGetError::OverLimit(_))
                );
                assert!(ok, "{}: {e:?}", ex.id);
            }
            other => panic!("{}: add a check for the error enum of {other}", ex.id),
        }
        n += 1;
    }
    assert!(n >= 12, "only {n} fault examples");
}

#[test]
fn overlimit_bodies_carry_their_retry_time() {
    let schema = schema();
    let mut n = 0;
    for ex in schema.examples.iter().filter(|e| e.status == Some(413)) {
        let bytes = match ex.format {
            ExampleFormat::Json => serde_json::to_vec(ex.body.as_ref().unwrap_or(&serde_json::Value::Null)).unwrap_or_default(),
            ExampleFormat::Xml => ex.body_text().unwrap_or_default().as_bytes().to_vec(),
            _ => continue,
        };
        let api = schema.operation(&ex.operation).map_or(V2, |o| o.api);
        let f = FaultBody::from_response(parts(api), 413, None, None, &bytes);
        assert_eq!(f.retry_at(), Some(aug_1_2010()), "{}: retryAt/retryAfter", ex.id);
        n += 1;
    }
    assert!(n >= 4, "{n}");
}

#[test]
fn retry_after_header_in_seconds() {
    let body = br#"{"overLimit": {"code": 413, "message": "OverLimit Retry..."}}"#;
    let e = v2::faults::ServersCreateError::from_response(413, Some("120"), Some("application/json"), body);
    assert!(matches!(e, v2::faults::ServersCreateError::OverLimit(_)), "{e:?}");
    let received = e.fault().received_at;
    assert_eq!(e.retry_at(), Some(received + Duration::from_secs(120)));
    assert_eq!(e.fault().retry_delay(received + Duration::from_secs(20)), Some(Duration::from_secs(100)));
}

#[test]
fn retry_after_header_as_http_date() {
    let body = br#"<overLimit xmlns="http://docs.rackspacecloud.com/servers/api/v1.0" code="413"><message>Retry</message></overLimit>"#;
    let e = v1_0::faults::ServersListError::from_response(413, Some("Sun, 01 Aug 2010 00:00:00 GMT"), Some("application/xml"), body);
    assert!(matches!(e, v1_0::faults::ServersListError::OverLimit(_)), "{e:?}");
    assert_eq!(e.retry_at(), Some(aug_1_2010()));
    // The header wins over the body's retryAfter.
    let body = br#"{"overLimit": {"code": 413, "message": "m", "retryAfter": "2011-01-01T00:00:00Z"}}"#;
    let e = v1_0::faults::ServersListError::from_response(413, Some("Sun, 01 Aug 2010 00:00:00 GMT"), None, body);
    assert_eq!(e.retry_at(), Some(aug_1_2010()));
}

#[test]
fn aliases_map_to_the_table_name() {
    let body = br#"{"cloudServersFault": {"code": 500, "message": "Fault!"}}"#;
    let e = v2::faults::ServersRescueError::from_response(500, None, None, body);
    assert!(matches!(e, v2::faults::ServersRescueError::ComputeFault(_)), "{e:?}");
    let body = br#"{"OverLimit": {"code": 413, "message": "m"}}"#;
    let e = v2::faults::ServersGetError::from_response(413, None, None, body);
    assert!(matches!(e, v2::faults::ServersGetError::OverLimit(_)), "{e:?}");
}

#[test]
fn a_body_naming_no_fault_maps_by_status() {
    use v2::faults::ServersRebuildError as E;
    assert!(matches!(E::from_response(404, None, None, b""), E::ItemNotFound(_)));
    // 400: badRequest (one code) rather than computeFault (400 or 500).
    assert!(matches!(E::from_response(400, None, Some("text/plain"), b"bad"), E::BadRequest(_)));
    assert!(matches!(E::from_response(500, None, None, b""), E::ComputeFault(_)));
    // 503: the fault any request may return, though rebuild lists serverCapacityUnavailable first.
    assert!(matches!(E::from_response(503, None, None, b"<html>down</html>"), E::ServiceUnavailable(_)));
    let e = E::from_response(418, None, None, b"");
    assert!(matches!(e, E::Other(_)) && e.status() == 418 && e.fault_id().is_none(), "{e:?}");

    // RackConnect faults have no body model: the status decides.
    let e = rackconnect::faults::AutomationStatusGetError::from_response(403, None, Some("text/plain"), b"Forbidden");
    assert!(matches!(e, rackconnect::faults::AutomationStatusGetError::Forbidden(_)), "{e:?}");
    assert_eq!(e.message(), Some("Forbidden"));
    // Identity v1.0 authentication lists the v1.0 unauthorized fault.
    let e = identity::faults::V10AuthError::from_response(401, None, None, b"");
    assert_eq!(e.fault_id(), Some("v1.0.unauthorized"));
}

#[test]
fn a_fault_the_operation_does_not_list_is_other_but_still_known_to_the_api() {
    let body = br#"{"resizeNotAllowed": {"code": 403, "message": "no"}}"#;
    let e = v2::faults::ServersGetError::from_response(403, None, None, body);
    assert!(matches!(e, v2::faults::ServersGetError::Other(_)), "{e:?}");
    assert_eq!(e.fault().name.as_deref(), Some("resizeNotAllowed"));
    let api: v2::faults::ApiError = e.into();
    assert!(matches!(api, v2::faults::ApiError::ResizeNotAllowed(_)), "{api:?}");
    // A name no document lists, with a code no fault lists, stays Other, keeping its name.
    let body = br#"<strangeFault code="499"><message>busy</message></strangeFault>"#;
    let api = v2::faults::ApiError::from_response(499, None, None, body);
    assert!(matches!(&api, v2::faults::ApiError::Other(b) if b.name.as_deref() == Some("strangeFault")));
    assert_eq!(api.to_string(), "undocumented error response: strangeFault (HTTP 499): busy");
    // Real servers' `conflictingRequest` is the schema's alias of the documented 409 fault.
    let body = br#"<conflictingRequest code="409"><message>busy</message></conflictingRequest>"#;
    let api = v2::faults::ApiError::from_response(409, None, None, body);
    assert!(matches!(&api, v2::faults::ApiError::BuildInProgress(_)), "{api:?}");
}

#[test]
fn display_shows_name_status_and_message() {
    let body = br#"{"itemNotFound": {"code": 404, "message": "Not Found", "details": "Error Details..."}}"#;
    let e = v2::faults::ServersGetError::from_response(404, None, None, body);
    assert_eq!(e.to_string(), "itemNotFound (HTTP 404): Not Found (Error Details...)");
}

#[test]
fn tables_hold_every_fault_of_the_schema() {
    let schema = schema();
    let tables: [(Api, &[runtime::faults::FaultInfo], &[runtime::faults::FaultInfo]); 4] = [
        (V2, v2::faults::FAULTS, v2::faults::EMBEDDED_FAULTS),
        (V1_0, v1_0::faults::FAULTS, v1_0::faults::EMBEDDED_FAULTS),
        (RACKCONNECT, rackconnect::faults::FAULTS, rackconnect::faults::EMBEDDED_FAULTS),
        (IDENTITY, identity::faults::FAULTS, identity::faults::EMBEDDED_FAULTS),
    ];
    for f in &schema.faults {
        let (_, faults, embedded) = tables.iter().find(|t| t.0 == f.api).unwrap_or_else(|| panic!("{}", f.api));
        let table = if f.embedded_in.is_empty() { faults } else { embedded };
        let info = table.iter().find(|i| i.id == f.id).unwrap_or_else(|| panic!("{} missing", f.id));
        assert_eq!(info.name, f.name);
        assert_eq!(info.codes, f.codes.as_slice());
        assert_eq!(info.all_requests, f.all_requests);
        assert_eq!(info.retry_field, f.retry.as_deref());
        assert_eq!(info.source, format!("{}, {}", f.source.document, f.source.place));
    }
    // Every operation's enum covers every fault it lists.
    for op in schema.operations.iter().filter(|o| o.api == V2) {
        for r in &op.faults {
            let name = schema.fault(&r.fault).map(|f| f.name.clone()).unwrap_or_default();
            let body = format!(r#"{{"{name}": {{"code": 400, "message": "m"}}}}"#);
            let e = v2::faults::classify(&op.id, FaultBody::decode(&v2::faults::FAULT_PARTS, 400, None, body.as_bytes()));
            assert_eq!(e.fault_id(), Some(r.fault.as_str()), "{} {}", op.id, r.fault);
        }
    }
}

#[test]
fn limit_violations_become_the_fault_the_service_would_send() {
    let v = v2::limits::FIELD_METADATA_KEY.check_bytes(300, &runtime::limits::AccountLimits::unknown()).unwrap_err();
    let e = v2::faults::ServersCreateError::from(v);
    assert!(matches!(e, v2::faults::ServersCreateError::BadRequest(_)), "{e:?}");
    assert_eq!(e.status(), 400);
    assert_eq!(<v2::faults::ServersCreateError as FaultError>::OPERATION, "v2.servers.create");
}

#[test]
fn no_body_makes_decoding_panic() {
    // A fixed pseudo-random sequence of bodies, plus truncations of the documented ones.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"<>{}[]\":=/ ,abcXYZ0123456789codemessagedetailsretryAt\xff\xc3";
    for _ in 0..2000 {
        let len = (next() % 80) as usize;
        let body: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
        let status = 400 + (next() % 200) as u16;
        let ct = ["application/json", "application/xml", "text/plain"][(next() % 3) as usize];
        let e = v2::faults::ServersCreateError::from_response(status, Some("x"), Some(ct), &body);
        let _ = (e.to_string(), e.retry_at(), e.status());
    }
    let doc = br#"{"overLimit": {"code": 413, "message": "m", "retryAt": "2010-08-01T00:00:00Z"}}"#;
    for cut in 0..doc.len() {
        let e = v2::faults::ApiError::from_response(413, None, None, &doc[..cut]);
        assert_eq!(e.status(), 413);
    }
}

#[test]
fn an_unknown_fault_name_maps_by_a_status_one_listed_fault_has() {
    // A fault name no document lists (`tooBusy`): Update Server lists one 409 fault
    // (buildInProgress), so that one, with the name kept.
    let json = br#"{"tooBusy": {"code": 409, "message": "Cannot 'update' while instance is in task_state resize"}}"#;
    let xml = br#"<tooBusy xmlns="http://docs.openstack.org/compute/api/v1.1" code="409"><message>busy</message></tooBusy>"#;
    for (ct, body) in [("application/json", &json[..]), ("application/xml", &xml[..])] {
        let e = v2::faults::ServersUpdateError::from_response(409, None, Some(ct), body);
        assert!(matches!(e, v2::faults::ServersUpdateError::BuildInProgress(_)), "{ct}: {e:?}");
        assert_eq!(e.fault_id(), Some("v2.buildInProgress"));
        assert_eq!(e.fault().name.as_deref(), Some("tooBusy"), "the name sent is kept");
        assert!(e.to_string().starts_with("tooBusy (HTTP 409): "), "{e}");
        // Create Image lists two 409 faults: no guess, the catch-all.
        let e = v2::faults::ServersCreateImageError::from_response(409, None, Some(ct), body);
        assert!(matches!(e, v2::faults::ServersCreateImageError::Other(_)), "{ct}: {e:?}");
        // A code no fault lists stays the catch-all too.
        let e = v2::faults::ServersUpdateError::from_response(418, None, Some(ct), body);
        assert!(matches!(e, v2::faults::ServersUpdateError::Other(_)), "{ct}: {e:?}");
    }
    // Real Nova's `conflictingRequest` is the schema's alias of buildInProgress: known by
    // name, wherever the operation lists buildInProgress.
    let body = br#"{"conflictingRequest": {"code": 409, "message": "busy"}}"#;
    let e = v2::faults::ServersCreateImageError::from_response(409, None, None, body);
    assert!(matches!(e, v2::faults::ServersCreateImageError::BuildInProgress(_)), "{e:?}");
    // A name the API knows (resizeNotAllowed, 403) is not renamed into the operation's 403 fault.
    let e = v2::faults::ServersUpdateError::from_response(403, None, None, br#"{"resizeNotAllowed": {"code": 403, "message": "no"}}"#);
    assert!(matches!(e, v2::faults::ServersUpdateError::Other(_)), "{e:?}");
    // v1.0 too: Get Server lists one 404 fault.
    let e = v1_0::faults::ServersGetError::from_response(404, None, None, br#"{"notFound": {"code": 404, "message": "gone"}}"#);
    assert!(matches!(e, v1_0::faults::ServersGetError::ItemNotFound(_)), "{e:?}");
}

#[test]
fn fault_parts_are_the_names_of_the_schemas_fault_roles() {
    use schema::models::FieldRole;
    let schema = schema();
    // Recomputed here from the roles of each API's fault models.
    for api in schema.api_keys() {
        let models: Vec<&schema::Model> = schema
            .faults
            .iter()
            .filter(|f| f.api == api || schema.operations.iter().any(|o| o.api == api && o.faults.iter().any(|r| r.fault == f.id)))
            .filter_map(|f| f.model.as_deref().and_then(|m| schema.model(m)))
            .collect();
        let names = |role: FieldRole| {
            let mut out: Vec<String> = Vec::new();
            for f in models.iter().filter_map(|m| m.field_with_role(role)) {
                let xml = f.xml.as_ref().and_then(|x| x.attribute.clone().or_else(|| x.element.clone()));
                for n in std::iter::once(f.name.clone()).chain(xml) {
                    if !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
            out
        };
        let p = parts(api);
        let got = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(got(p.code), names(FieldRole::FaultCode), "{api} code");
        assert_eq!(got(p.message), names(FieldRole::FaultMessage), "{api} message");
        assert_eq!(got(p.details), names(FieldRole::FaultDetails), "{api} details");
        assert_eq!(got(p.created), names(FieldRole::FaultCreated), "{api} created");
        assert_eq!(got(p.retry_at), names(FieldRole::RetryAt), "{api} retry-at");
        assert_eq!(got(p.retry_after), names(FieldRole::RetryAfter), "{api} retry-after");
        let mut headers: Vec<String> = Vec::new();
        for f in schema.faults.iter().filter(|f| f.api == api || schema.operations.iter().any(|o| o.api == api && o.faults.iter().any(|r| r.fault == f.id))) {
            if let Some(h) = f.retry_header.clone().filter(|h| !headers.contains(h)) {
                headers.push(h);
            }
        }
        assert_eq!(got(p.retry_header), headers, "{api} retry header");
    }
    // What the documents spell.
    assert_eq!((v2::faults::FAULT_PARTS.retry_at, v2::faults::FAULT_PARTS.retry_after), (&["retryAt"][..], &[][..]));
    assert_eq!((v1_0::faults::FAULT_PARTS.retry_at, v1_0::faults::FAULT_PARTS.retry_after), (&[][..], &["retryAfter"][..]));
    assert_eq!(v2::faults::FAULT_PARTS.created, &["created"], "the asynchronous fault's");
    assert_eq!((v2::faults::FAULT_PARTS.retry_header, v1_0::faults::FAULT_PARTS.retry_header), (&["Retry-After"][..], &["Retry-After"][..]));
    assert_eq!(rackconnect::faults::FAULT_PARTS, FaultParts::NONE, "RackConnect's faults are plain text");
    // Identity's one listed fault is v1.0's unauthorized, which names no retry header.
    assert_eq!(identity::faults::FAULT_PARTS, FaultParts { retry_header: &[], ..v1_0::faults::FAULT_PARTS });
}

#[test]
fn the_transport_and_the_fault_agree_on_when_to_retry() {
    use runtime::client::{retry_delay, HeaderMap};
    let now = aug_1_2010() - Duration::from_secs(30);
    let v2_json = serde_json::to_vec(&schema().examples.iter().find(|e| e.id == "v2.example.1.51").and_then(|e| e.body.clone()).unwrap()).unwrap();
    let v2_xml = schema().examples.iter().find(|e| e.id == "v2.example.1.52").and_then(|e| e.body_text()).unwrap().as_bytes().to_vec();
    let v1_json = serde_json::to_vec(
        &schema().examples.iter().find(|e| e.id == "v1.0.servers-get.overlimit-sample-json-response").and_then(|e| e.body.clone()).unwrap(),
    )
    .unwrap();
    let v1_xml =
        schema().examples.iter().find(|e| e.id == "v1.0.servers-get.overlimit-sample-xml-error-response").and_then(|e| e.body_text()).unwrap().as_bytes().to_vec();
    let plain = br#"{"overLimit": {"code": 413, "message": "m"}}"#.to_vec();
    let v1_secs = br#"{"overLimit": {"code": 413, "message": "m", "retryAfter": 45}}"#.to_vec();
    let v1_secs_xml = br#"<overLimit code="413" retryAfter="45"><message>m</message></overLimit>"#.to_vec();
    let secs = Some(Duration::from_secs(7));
    let at_aug = Some(Duration::from_secs(30));
    /// What, of which API, with which `Retry-After`, body, and expected delay.
    type Case<'a> = (&'a str, Api, Option<&'a str>, &'a [u8], Option<Duration>);
    let cases: [Case<'_>; 11] = [
        ("Retry-After seconds", V2, Some("7"), &plain, secs),
        ("Retry-After HTTP date", V2, Some("Sun, 01 Aug 2010 00:00:00 GMT"), &plain, at_aug),
        ("Retry-After seconds over a body", V1_0, Some("7"), &v1_json, secs),
        ("v2 body retryAt, JSON (Example 1.51)", V2, None, &v2_json, at_aug),
        ("v2 body retryAt, XML (Example 1.52)", V2, None, &v2_xml, at_aug),
        ("v1.0 body retryAfter date-time, JSON", V1_0, None, &v1_json, at_aug),
        ("v1.0 body retryAfter date-time, XML", V1_0, None, &v1_xml, at_aug),
        ("v1.0 body retryAfter seconds, JSON", V1_0, None, &v1_secs, Some(Duration::from_secs(45))),
        ("v1.0 body retryAfter seconds, XML", V1_0, None, &v1_secs_xml, Some(Duration::from_secs(45))),
        ("none", V2, None, &plain, None),
        ("none, v1.0", V1_0, None, &plain, None),
    ];
    for (what, api, header, body, expected) in cases {
        let mut headers = HeaderMap::new();
        if let Some(h) = header {
            headers.insert("retry-after", h.parse().unwrap());
        }
        let transport = retry_delay(413, &headers, body, parts(api), now);
        let fault = FaultBody::from_response_at(parts(api), 413, header, None, body, now);
        let typed: Option<SystemTime> = match api {
            V1_0 => v1_0::faults::ServersGetError::from_fault(fault.clone()).retry_at(),
            _ => v2::faults::ServersGetError::from_fault(fault.clone()).retry_at(),
        };
        assert_eq!(transport, expected, "{what}: the transport");
        assert_eq!(fault.retry_delay(now), expected, "{what}: the fault body");
        assert_eq!(typed.map(|t| t.duration_since(now).unwrap_or_default()), expected, "{what}: the error enum");
    }
}
