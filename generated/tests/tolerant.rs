//! The tolerant reader against a corpus of bodies shaped like what real OpenStack Compute
//! and Rackspace servers (and clients) send, written for this suite from the documents'
//! descriptions: `tests/corpus/`, described by `tests/corpus/manifest.json`.
//!
//! - every corpus body decodes into its generated type (JSON through serde, XML through
//!   `runtime::xml::decode_root`), and the count is printed and must be 100%;
//! - the strict validator reports, over the same bytes, at least the finding kinds the
//!   manifest expects, each with a non-empty path;
//! - then one focused test per tolerance, in JSON and XML where the tolerance applies.

// Needs the v2, v1_0, rackconnect, identity APIs.
#![cfg(all(feature = "v2", feature = "v1_0", feature = "rackconnect", feature = "identity"))]

use cloudservers::v2::models as v2;
use runtime::strict::{Finding, FindingKind, Shaped};
use runtime::xml::{decode_root, FromXml};
use runtime::serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const NS: &str = cloudservers::ns::V2;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// One entry of the manifest.
#[derive(Debug, Clone)]
struct Body {
    file: String,
    model: String,
    wrap: Option<String>,
    root: Option<String>,
    expect: Vec<FindingKind>,
}

impl Body {
    fn is_xml(&self) -> bool {
        self.file.ends_with(".xml")
    }
}

const KINDS: &[FindingKind] = &[
    FindingKind::Missing,
    FindingKind::Null,
    FindingKind::WrongType,
    FindingKind::NumericString,
    FindingKind::EmptyString,
    FindingKind::UndocumentedValue,
    FindingKind::BadValue,
    FindingKind::Undocumented,
    FindingKind::Namespace,
    FindingKind::Repeated,
    FindingKind::Root,
    FindingKind::Shape,
    FindingKind::UnknownModel,
];

fn kind_named(name: &str) -> FindingKind {
    *KINDS.iter().find(|k| k.as_str() == name).unwrap_or_else(|| panic!("unknown finding kind `{name}` in the manifest"))
}

fn manifest() -> Vec<Body> {
    let text = std::fs::read_to_string(corpus_dir().join("manifest.json")).expect("manifest.json reads");
    let doc: Value = serde_json::from_str(&text).expect("manifest.json parses");
    let bodies = doc["bodies"].as_array().expect("manifest has bodies");
    bodies
        .iter()
        .map(|b| {
            let s = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_string);
            Body {
                file: s("file").expect("file"),
                model: s("model").expect("model"),
                wrap: s("wrap"),
                root: s("root"),
                expect: b["expect"].as_array().expect("expect").iter().map(|k| kind_named(k.as_str().expect("kind"))).collect(),
            }
        })
        .collect()
}

fn read(b: &Body) -> String {
    std::fs::read_to_string(corpus_dir().join(&b.file)).unwrap_or_else(|e| panic!("{}: {e}", b.file))
}

/// The outcome of one body: the tolerant decode (its `Debug` form) and the strict findings.
struct Outcome {
    tolerant: Result<String, String>,
    strict: Result<Vec<Finding>, String>,
}

fn check<T>(b: &Body, text: &str) -> Outcome
where
    T: Shaped + DeserializeOwned + FromXml + std::fmt::Debug,
{
    if b.is_xml() {
        let root = b.root.as_deref().expect("an XML body names its root");
        let tolerant = decode_root::<T>(text, Some(NS), root).map(|v| format!("{v:?}")).map_err(|e| e.to_string());
        let strict = runtime::strict::decode_xml::<T>(text, Some(root)).map(|(_, f)| f).map_err(|e| e.to_string());
        Outcome { tolerant, strict }
    } else {
        let tolerant = serde_json::from_str::<Value>(text)
            .map_err(|e| e.to_string())
            .and_then(|doc| {
                let inner = match &b.wrap {
                    Some(w) => doc.get(w).cloned().ok_or_else(|| format!("no key `{w}`"))?,
                    None => doc,
                };
                serde_json::from_value::<T>(inner).map(|v| format!("{v:?}")).map_err(|e| e.to_string())
            });
        let strict =
            runtime::strict::decode_json::<T>(text.as_bytes(), b.wrap.as_deref()).map(|(_, f)| f).map_err(|e| e.to_string());
        Outcome { tolerant, strict }
    }
}

/// Decodes one body as the type of its model id.
fn run(b: &Body) -> Outcome {
    use cloudservers::identity::models as id;
    use cloudservers::rackconnect::models as rc;
    use cloudservers::v1_0::models as v1;
    let text = read(b);
    match b.model.as_str() {
        "v2.Server" => check::<v2::Server>(b, &text),
        "v2.Servers" => check::<v2::Servers>(b, &text),
        "v2.ServersDetail" => check::<v2::ServersDetail>(b, &text),
        "v2.CreateServerRequest" => check::<v2::CreateServerRequest>(b, &text),
        "v2.CreateServerResponse" => check::<v2::CreateServerResponse>(b, &text),
        "v2.Flavor" => check::<v2::Flavor>(b, &text),
        "v2.Flavors" => check::<v2::Flavors>(b, &text),
        "v2.FlavorsDetail" => check::<v2::FlavorsDetail>(b, &text),
        "v2.Image" => check::<v2::Image>(b, &text),
        "v2.ImagesDetail" => check::<v2::ImagesDetail>(b, &text),
        "v2.ImageMetadata" => check::<v2::ImageMetadata>(b, &text),
        "v2.Metadata" => check::<v2::Metadata>(b, &text),
        "v2.Limits" => check::<v2::Limits>(b, &text),
        "v2.Addresses" => check::<v2::Addresses>(b, &text),
        "v2.NetworkAddresses" => check::<v2::NetworkAddresses>(b, &text),
        "v2.Fault" => check::<v2::Fault>(b, &text),
        "v1.0.Server" => check::<v1::Server>(b, &text),
        "v1.0.ServersDetail" => check::<v1::ServersDetail>(b, &text),
        "v1.0.FlavorsDetail" => check::<v1::FlavorsDetail>(b, &text),
        "v1.0.ImagesDetail" => check::<v1::ImagesDetail>(b, &text),
        "v1.0.Limits" => check::<v1::Limits>(b, &text),
        "v1.0.Fault" => check::<v1::Fault>(b, &text),
        "v1.0.SharedIpGroupsDetail" => check::<v1::SharedIpGroupsDetail>(b, &text),
        "v1.0.BackupSchedule" => check::<v1::BackupSchedule>(b, &text),
        "identity.AuthResponse" => check::<id::AuthResponse>(b, &text),
        "identity.AuthRequest" => check::<id::AuthRequest>(b, &text),
        "rackconnect.AutomationStatusDetails" => check::<rc::AutomationStatusDetails>(b, &text),
        "rackconnect.AutomationFeatures" => check::<rc::AutomationFeatures>(b, &text),
        other => panic!("{}: no type listed for model {other}; add it to `run`", b.file),
    }
}

/// What is wrong with one body's outcome, if anything.
fn problems(b: &Body, o: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(e) = &o.tolerant {
        out.push(format!("{}: the tolerant reader fails: {e}", b.file));
    }
    match &o.strict {
        Err(e) => out.push(format!("{}: the strict decode fails: {e}", b.file)),
        Ok(findings) => {
            let found: BTreeSet<&str> = findings.iter().map(|f| f.kind.as_str()).collect();
            for k in &b.expect {
                if !found.contains(k.as_str()) {
                    let all: Vec<String> = findings.iter().map(|f| format!("    [{}] {f}", f.kind.as_str())).collect();
                    out.push(format!("{}: expected a `{}` finding; found:\n{}", b.file, k.as_str(), all.join("\n")));
                }
            }
        }
    }
    out
}

#[test]
fn every_corpus_body_decodes_and_reports_its_findings() {
    let bodies = manifest();
    let mut failures = Vec::new();
    let (mut json, mut xml, mut json_ok, mut xml_ok) = (0, 0, 0, 0);
    let mut kinds_seen: BTreeSet<&'static str> = BTreeSet::new();
    for b in &bodies {
        let o = run(b);
        if let Ok(findings) = &o.strict {
            println!("{} ({}): {} finding(s)", b.file, b.model, findings.len());
            for f in findings {
                println!("    [{}] {f}", f.kind.as_str());
                kinds_seen.insert(f.kind.as_str());
            }
        }
        let p = problems(b, &o);
        let ok = o.tolerant.is_ok();
        if b.is_xml() {
            xml += 1;
            xml_ok += usize::from(ok);
        } else {
            json += 1;
            json_ok += usize::from(ok);
        }
        failures.extend(p);
    }
    let pct = if json + xml == 0 { 0.0 } else { 100.0 * (json_ok + xml_ok) as f64 / (json + xml) as f64 };
    println!("corpus: {json_ok} JSON, {xml_ok} XML bodies decode ({pct:.0}%) of {json} JSON and {xml} XML");
    println!("finding kinds seen over the corpus: {}", kinds_seen.iter().copied().collect::<Vec<_>>().join(", "));
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
    assert_eq!((json_ok, xml_ok), (json, xml), "100% of the corpus decodes");
    assert!(json >= 30 && xml >= 20, "the corpus holds {json} JSON and {xml} XML bodies");
}

#[test]
fn every_corpus_file_is_in_the_manifest() {
    let listed: BTreeSet<String> = manifest().into_iter().map(|b| b.file).collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(corpus_dir())
        .expect("corpus dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "manifest.json")
        .collect();
    assert_eq!(listed, on_disk);
}

/// Every finding over the corpus has a path: a JSON pointer (`""` for the whole
/// document, shown as `/`) or an element path.
#[test]
fn every_corpus_finding_has_a_path() {
    let mut failures = Vec::new();
    for b in manifest().iter() {
        if let Ok(findings) = run(b).strict {
            for f in findings.iter().filter(|f| !(f.path.is_empty() || f.path.starts_with('/'))) {
                failures.push(format!("{}: [{}] path {:?}, displayed as `{f}`", b.file, f.kind.as_str(), f.path));
            }
            for f in findings.iter().filter(|f| f.path.is_empty()) {
                if !f.to_string().contains("/: ") {
                    failures.push(format!("{}: the whole document is shown as `/`: `{f}`", b.file));
                }
            }
        }
    }
    assert!(failures.is_empty(), "findings without a path:\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------- focused tests

const ID: &str = "7c1b4a52-3e5f-4d6a-9a4e-0f5b2c8d9e11";
const IMG: &str = "3afe97b2-26dc-49c5-a2cc-a2fc8d80c001";

fn server_json(v: Value) -> v2::Server {
    serde_json::from_value(v).expect("the server decodes")
}

fn server_xml(attrs: &str, children: &str) -> v2::Server {
    let xml = format!(
        r#"<server xmlns="{NS}" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:OS-EXT-STS="{}" {attrs}>{children}</server>"#,
        cloudservers::ns::OS_EXT_STS
    );
    decode_root(&xml, Some(NS), "server").unwrap_or_else(|e| panic!("the server decodes: {e}\n{xml}"))
}

#[test]
fn null_for_a_string_or_a_number_is_absent() {
    let s = server_json(serde_json::json!({
        "id": ID, "name": null, "progress": null, "accessIPv4": null, "hostId": null, "created": null
    }));
    assert_eq!((s.name, s.progress, s.access_ipv4, s.host_id, s.created), (None, None, None, None, None));
    // A null where a model is expected (metadata, image) is absent too.
    let s = server_json(serde_json::json!({"id": ID, "metadata": null, "image": null, "addresses": null}));
    assert_eq!((s.metadata, s.image, s.addresses), (None, None, None));
    // A required string or number given null takes its default.
    let f: v2::Flavor = serde_json::from_value(serde_json::json!({"id": null, "name": "n", "ram": null, "disk": 1, "vcpus": 1}))
        .expect("decodes");
    assert_eq!((f.id.as_str(), f.ram), ("", 0));
}

#[test]
fn documented_nulls_are_kept_as_null() {
    let s = server_json(serde_json::json!({"id": ID, "OS-EXT-STS:task_state": null, "key_name": null}));
    assert_eq!(s.os_ext_sts_task_state, Some(None), "a present null task_state is Some(None)");
    assert_eq!(s.key_name, Some(None));
    let s = server_json(serde_json::json!({"id": ID}));
    assert_eq!((s.os_ext_sts_task_state, s.key_name), (None, None), "absent is None");
}

#[test]
fn an_empty_string_for_a_number_is_absent() {
    let s = server_json(serde_json::json!({"id": ID, "progress": ""}));
    assert_eq!(s.progress, None);
    let f: v2::Flavor =
        serde_json::from_value(serde_json::json!({"id": "2", "name": "n", "ram": 512, "disk": 20, "vcpus": 1, "swap": "", "rxtx_factor": ""}))
            .expect("decodes");
    assert_eq!((f.swap, f.rxtx_factor), (None, None));

    let s = server_xml(&format!(r#"id="{ID}" progress="""#), "");
    assert_eq!(s.progress, None, "a blank number attribute is absent");
    let xml = format!(r#"<flavor xmlns="{NS}" id="2" name="n" ram="512" disk="20" vcpus="1" swap="" rxtx_factor=" "/>"#);
    let f: v2::Flavor = decode_root(&xml, Some(NS), "flavor").expect("decodes");
    assert_eq!((f.swap, f.rxtx_factor), (None, None));
}

#[test]
fn a_numeric_string_is_read_as_its_number() {
    let s = server_json(serde_json::json!({"id": ID, "progress": "45", "OS-EXT-STS:power_state": "1"}));
    assert_eq!((s.progress, s.os_ext_sts_power_state), (Some(45), Some(1)));
    let r: v2::CreateServerRequest = serde_json::from_value(serde_json::json!({
        "name": "n", "imageRef": IMG, "flavorRef": "2", "min_count": "2", "max_count": "3"
    }))
    .expect("decodes");
    assert_eq!((r.min_count, r.max_count), (Some(2), Some(3)));
    let f: v2::Flavor = serde_json::from_value(
        serde_json::json!({"id": "2", "name": "n", "ram": "512", "disk": "20", "vcpus": "1", "rxtx_factor": "1.0"}),
    )
    .expect("decodes");
    assert_eq!((f.ram, f.disk, f.vcpus, f.rxtx_factor), (512, 20, 1, Some(1.0)));

    // XML carries every number as text: min_count="2" as clients send it.
    let xml = format!(r#"<server xmlns="{NS}" name="n" imageRef="{IMG}" flavorRef="2" min_count="2" max_count="3"/>"#);
    let r: v2::CreateServerRequest = decode_root(&xml, Some(NS), "server").expect("decodes");
    assert_eq!((r.min_count, r.max_count), (Some(2), Some(3)));
}

#[test]
fn a_number_or_boolean_for_a_string_is_read_as_its_text() {
    let s = server_json(serde_json::json!({"id": ID, "name": 20130402, "tenant_id": 5820941, "flavor": {"id": 2}}));
    assert_eq!(s.name.as_deref(), Some("20130402"));
    assert_eq!(s.tenant_id.as_deref(), Some("5820941"));
    assert_eq!(s.flavor.map(|f| f.id), Some("2".to_string()));
    let m: v2::Metadata = serde_json::from_value(serde_json::json!({"build": 17, "public": true})).expect("decodes");
    assert_eq!(m.0.get("build").map(String::as_str), Some("17"));
    assert_eq!(m.0.get("public").map(String::as_str), Some("true"));
}

#[test]
fn a_missing_required_field_takes_its_default() {
    let s = server_json(serde_json::json!({"name": "no-id"}));
    assert_eq!(s.id, "");
    let s = server_xml(r#"name="no-id""#, "");
    assert_eq!((s.id.as_str(), s.name.as_deref()), ("", Some("no-id")));
    let f: v2::Flavor = serde_json::from_value(serde_json::json!({"id": "2"})).expect("decodes");
    assert_eq!((f.name.as_str(), f.ram, f.disk, f.vcpus), ("", 0, 0, 0));
    let xml = format!(r#"<flavor xmlns="{NS}" id="2"/>"#);
    let f: v2::Flavor = decode_root(&xml, Some(NS), "flavor").expect("decodes");
    assert_eq!((f.name.as_str(), f.ram), ("", 0));
}

#[test]
fn an_unknown_enum_value_is_kept() {
    let s = server_json(serde_json::json!({
        "id": ID, "status": "SHELVED_OFFLOADED", "OS-EXT-STS:vm_state": "shelved", "OS-EXT-STS:task_state": "spawning_v2"
    }));
    assert_eq!(s.status, Some(v2::ServerStatus::Unknown("SHELVED_OFFLOADED".into())));
    assert_eq!(s.os_ext_sts_vm_state, Some(v2::VmState::Unknown("shelved".into())));
    assert_eq!(s.os_ext_sts_task_state, Some(Some(v2::TaskState::Unknown("spawning_v2".into()))));
    let s = server_xml(&format!(r#"id="{ID}" status="SHELVED" OS-EXT-STS:vm_state="shelved""#), "");
    assert_eq!(s.status, Some(v2::ServerStatus::Unknown("SHELVED".into())));
    assert_eq!(s.os_ext_sts_vm_state, Some(v2::VmState::Unknown("shelved".into())));
}

#[test]
fn unknown_fields_are_ignored() {
    let s = server_json(serde_json::json!({"id": ID, "OS-EXT-AZ:availability_zone": "nova", "security_groups": [{"name": "default"}]}));
    assert_eq!(s.id, ID);
    let s = server_xml(&format!(r#"id="{ID}" availability_zone="nova""#), r#"<security_groups><security_group name="default"/></security_groups>"#);
    assert_eq!(s.id, ID);
}

/// The same server, read from a root in the documented namespace, in another namespace of
/// the family and in none, gives the same values.
#[test]
fn a_root_in_another_namespace_or_in_none_is_read() {
    let body = |xmlns: &str| {
        format!(
            r#"<server {xmlns} xmlns:atom="http://www.w3.org/2005/Atom" id="{ID}" name="web-01" status="ACTIVE" progress="100">
                 <image id="{IMG}"/><flavor id="2"/>
                 <metadata><meta key="role">web</meta></metadata>
                 <addresses><network id="private"><ip version="4" addr="10.176.4.19"/></network></addresses>
                 <atom:link rel="self" href="https://example.com/servers/{ID}"/>
               </server>"#
        )
    };
    let documented: v2::Server = decode_root(&body(&format!(r#"xmlns="{NS}""#)), Some(NS), "server").expect("decodes");
    assert_eq!(documented.image.as_ref().map(|i| i.id.as_str()), Some(IMG));
    assert_eq!(documented.addresses.as_ref().map(|a| a.0.len()), Some(1));
    assert_eq!(documented.links.as_ref().map(Vec::len), Some(1));
    for xmlns in [r#"xmlns="http://docs.openstack.org/compute/api/v2""#, "", r#"xmlns="http://docs.rackspacecloud.com/servers/api/v1.1""#] {
        let other: v2::Server = decode_root(&body(xmlns), Some(NS), "server").unwrap_or_else(|e| panic!("{xmlns}: {e}"));
        assert_eq!(other, documented, "root with {xmlns:?}");
    }
    // A v1.0 server without a namespace.
    let xml = r#"<server id="1234" name="s" imageId="2" flavorId="1" hostId="h" status="ACTIVE"><addresses><public><ip addr="67.23.10.132"/></public><private/></addresses></server>"#;
    let s: cloudservers::v1_0::models::Server = decode_root(xml, Some(cloudservers::ns::V1_0), "server").expect("decodes");
    assert_eq!(s.addresses.public, vec!["67.23.10.132".to_string()]);
    // A fault root in no namespace.
    let f: v2::Fault = decode_root(r#"<badRequest code="400"><message>bad</message></badRequest>"#, Some(NS), "badRequest").expect("decodes");
    assert_eq!((f.code, f.message.as_str()), (400, "bad"));
    // JSON has no namespaces; nothing to test there.
}

#[test]
fn extension_attributes_are_read_unqualified_or_with_another_prefix() {
    let s = server_xml(&format!(r#"id="{ID}" vm_state="active" task_state="None" power_state="1" diskConfig="AUTO""#), "");
    assert_eq!(s.os_ext_sts_vm_state, Some(v2::VmState::Active));
    assert_eq!(s.os_ext_sts_power_state, Some(1));
    assert_eq!(s.os_dcf_disk_config, Some(v2::DiskConfig::Auto));
    assert!(matches!(s.os_ext_sts_task_state, Some(Some(_))), "task_state None is read: {:?}", s.os_ext_sts_task_state);
    let xml = format!(
        r#"<server xmlns="{NS}" xmlns:sts="{}" xmlns:dcf="{}" id="{ID}" sts:vm_state="stopped" dcf:diskConfig="MANUAL"/>"#,
        cloudservers::ns::OS_EXT_STS,
        cloudservers::ns::OS_DCF
    );
    let s: v2::Server = decode_root(&xml, Some(NS), "server").expect("decodes");
    assert_eq!(s.os_ext_sts_vm_state, Some(v2::VmState::Stopped));
    assert_eq!(s.os_dcf_disk_config, Some(v2::DiskConfig::Manual));
}

#[test]
fn a_timestamp_in_another_form_is_kept_raw() {
    for raw in ["2012-02-30T15:30:47Z", "10/09/2012 15:30:47", "Mon, 10 Sep 2012 15:30:47 GMT"] {
        let s = server_json(serde_json::json!({"id": ID, "created": raw}));
        let t = s.created.expect("kept");
        assert_eq!(t.as_str(), raw);
        assert!(t.parse().is_err(), "{raw} is not an ISO 8601 date-time");
        let s = server_xml(&format!(r#"id="{ID}" created="{raw}""#), "");
        let t = s.created.expect("kept");
        assert_eq!(t.as_str(), raw);
        assert!(t.parse().is_err());
    }
    for iso in ["2012-09-10T15:30:47Z", "2012-09-10T15:30:47.146Z", "2012-09-11T15:30:47.000-05:00"] {
        let s = server_json(serde_json::json!({"id": ID, "updated": iso}));
        let t = s.updated.expect("kept");
        assert_eq!(t.as_str(), iso);
        t.parse().unwrap_or_else(|e| panic!("{iso} parses: {e}"));
        let s = server_xml(&format!(r#"id="{ID}" updated="{iso}""#), "");
        s.updated.expect("kept").parse().unwrap_or_else(|e| panic!("{iso} parses: {e}"));
    }
    let parsed = runtime::Timestamp::from("2012-09-10T15:30:47Z").parse().expect("parses");
    assert_eq!(parsed.as_second(), 1_347_291_047);
    // Without a zone a time is UTC, as the v2 guide says (Section 1.7).
    for raw in ["2012-09-10T15:30:47", "2012-09-10 15:30:47", "2012-09-10T15:30:47.000000"] {
        assert_eq!(runtime::Timestamp::from(raw).parse().map(|t| t.as_second()), Ok(1_347_291_047), "{raw}");
    }
}

#[test]
fn both_shapes_of_one_network_s_addresses_are_read() {
    let guide: v2::NetworkAddresses =
        serde_json::from_value(serde_json::json!({"network": {"id": "public", "ip": [{"version": 4, "addr": "198.51.100.24"}]}}))
            .expect("decodes");
    match guide {
        v2::NetworkAddresses::Network(n) => {
            assert_eq!(n.id, "public");
            assert_eq!(n.ip, vec![v2::Address::new(4, "198.51.100.24")]);
        }
        other => panic!("the guide's shape reads as a network: {other:?}"),
    }
    let real: v2::NetworkAddresses =
        serde_json::from_value(serde_json::json!({"private": [{"version": 4, "addr": "10.176.4.19"}]})).expect("decodes");
    match real {
        v2::NetworkAddresses::Addresses(a) => assert_eq!(a.0.get("private"), Some(&vec![v2::Address::new(4, "10.176.4.19")])),
        other => panic!("the real shape reads as addresses: {other:?}"),
    }
    let xml = format!(r#"<network xmlns="{NS}" id="private"><ip version="4" addr="10.176.4.19"/></network>"#);
    let n: v2::NetworkAddresses = decode_root(&xml, Some(NS), "network").expect("decodes");
    assert!(matches!(&n, v2::NetworkAddresses::Network(n) if n.id == "private" && n.ip.len() == 1), "{n:?}");
    let xml = format!(r#"<addresses xmlns="{NS}"><network id="private"><ip version="4" addr="10.176.4.19"/></network></addresses>"#);
    let n: v2::NetworkAddresses = decode_root(&xml, Some(NS), "addresses").expect("decodes");
    assert!(matches!(&n, v2::NetworkAddresses::Addresses(a) if a.0.contains_key("private")), "{n:?}");
}

#[test]
fn both_xml_forms_of_create_server_networks_are_read() {
    let want = vec![
        v2::ServerNetwork::new("00000000-0000-0000-0000-000000000000"),
        v2::ServerNetwork::new("11111111-1111-1111-1111-111111111111"),
    ];
    let attr = format!(
        r#"<server xmlns="{NS}" name="n" imageRef="{IMG}" flavorRef="2"><networks><network uuid="{}"/><network uuid="{}"/></networks></server>"#,
        want[0].uuid, want[1].uuid
    );
    let items = format!(
        r#"<server xmlns="{NS}" name="n" imageRef="{IMG}" flavorRef="2"><networks><uuid>{}</uuid><uuid> {} </uuid></networks></server>"#,
        want[0].uuid, want[1].uuid
    );
    for xml in [attr, items] {
        let r: v2::CreateServerRequest = decode_root(&xml, Some(NS), "server").expect("decodes");
        assert_eq!(r.networks.as_ref(), Some(&want), "{xml}");
    }
    let r: v2::CreateServerRequest = serde_json::from_value(serde_json::json!({
        "name": "n", "imageRef": IMG, "flavorRef": "2", "networks": [{"uuid": want[0].uuid}, {"uuid": want[1].uuid}]
    }))
    .expect("decodes");
    assert_eq!(r.networks, Some(want));
}

#[test]
fn image_metadata_values_may_be_null() {
    let m: v2::ImageMetadata = serde_json::from_value(serde_json::json!({"os_type": "linux", "kernel_id": null})).expect("decodes");
    assert_eq!(m.0.get("os_type"), Some(&Some("linux".to_string())));
    assert_eq!(m.0.get("kernel_id"), Some(&None));
    let i: v2::Image = serde_json::from_value(serde_json::json!({
        "id": IMG, "name": "n", "minDisk": "0", "metadata": {"ramdisk_id": null}
    }))
    .expect("decodes");
    assert_eq!(i.progress, None, "a missing progress is absent");
    assert_eq!(i.min_disk, Some(0));
    assert_eq!(i.metadata.map(|m| m.0.get("ramdisk_id").cloned()), Some(Some(None)));
    // XML has no null: an empty <meta> is an empty value.
    let xml = format!(r#"<metadata xmlns="{NS}"><meta key="kernel_id"/><meta key="os_type">linux</meta></metadata>"#);
    let m: v2::ImageMetadata = decode_root(&xml, Some(NS), "metadata").expect("decodes");
    assert_eq!(m.0.get("os_type"), Some(&Some("linux".to_string())));
    assert!(m.0.contains_key("kernel_id"));
}

#[test]
fn faults_of_undocumented_names_are_read() {
    let f: v2::Fault = serde_json::from_value(serde_json::json!({"code": "409", "message": "busy", "details": null})).expect("decodes");
    assert_eq!((f.code, f.message.as_str(), f.details), (409, "busy", None));
    let xml = format!(r#"<conflictingRequest xmlns="{NS}" code="409"><message>busy</message></conflictingRequest>"#);
    let f: v2::Fault = decode_root(&xml, Some(NS), "conflictingRequest").expect("decodes");
    assert_eq!((f.code, f.message.as_str()), (409, "busy"));
}

#[test]
fn v1_0_ids_as_numeric_strings_are_read() {
    let s: cloudservers::v1_0::models::Server = serde_json::from_value(serde_json::json!({
        "id": "1234", "name": "s", "imageId": "2", "flavorId": "1", "hostId": "h", "status": "ACTIVE",
        "addresses": {"public": ["67.23.10.132"], "private": ["10.176.42.16"]}
    }))
    .expect("decodes");
    assert_eq!(format!("{}", s.id), "1234");
    assert_eq!((s.image_id, s.flavor_id), (2, 1));
}

/// Boot from volume: real servers send `"image": ""` for a server that has no image.
/// The tolerant reader should read it as no image (and the strict validator reports it).
#[test]
fn boot_from_volume_image_empty_string() {
    let s: Result<v2::Server, _> = serde_json::from_value(serde_json::json!({"id": ID, "image": "", "flavor": {"id": "2"}}));
    let s = s.unwrap_or_else(|e| panic!("`\"image\": \"\"` should read as no image: {e}"));
    assert_eq!(s.image, None);
}
