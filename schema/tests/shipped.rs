//! The schema shipped in `schema/data` loads cleanly, round-trips, exports its stable
//! shape, and covers every document's inventory.

use cloudservers_schema::{coverage, export, Api, Example, Schema};
use std::sync::OnceLock;

const V2: Api = Api::new("v2");
const V1_0: Api = Api::new("v1.0");
const RACKCONNECT: Api = Api::new("rackconnect");
const IDENTITY: Api = Api::new("identity");

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| Schema::load_default().unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn every_example_round_trips_through_the_loader() {
    let s = schema();
    let mut xml = 0;
    for e in &s.examples {
        let text = serde_json::to_string(e).unwrap();
        let back: Example = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", e.id));
        assert_eq!(&back, e, "{} changed in a round trip", e.id);
        if let (cloudservers_schema::examples::ExampleFormat::Xml, Some(body)) = (e.format, e.body_text()) {
            cloudservers_schema::xml::parse(body).unwrap_or_else(|err| panic!("{}: {err}", e.id));
            xml += 1;
        }
    }
    println!("{} examples round-tripped ({xml} XML bodies re-parsed)", s.examples.len());
    let listed: usize = s.inventories.values().map(|i| i.examples.len()).sum();
    assert!(listed >= 241, "the inventories list {listed} examples");
    assert_eq!(s.examples.len(), listed, "one example per listed example");
}

#[test]
fn export_has_the_stable_shape() {
    let v = export::export(schema());
    for key in ["operations", "faults", "state_machines", "limits", "examples"] {
        let items = v[key].as_array().unwrap_or_else(|| panic!("no array {key}"));
        assert!(!items.is_empty(), "{key} is empty");
        for item in items {
            assert!(item["id"].is_string(), "{key} item without id: {item}");
            assert!(item["source"]["document"].is_string() && item["source"]["ref"].is_string(), "{key} item without source: {}", item["id"]);
        }
    }
    for o in v["operations"].as_array().unwrap() {
        for k in ["api", "method", "path"] {
            assert!(o[k].is_string(), "operation {} lacks {k}", o["id"]);
        }
    }
    for f in v["faults"].as_array().unwrap() {
        assert!(f["name"].is_string() && f["codes"].is_array(), "fault {}", f["id"]);
    }
    for m in v["state_machines"].as_array().unwrap() {
        assert!(m["states"].is_array(), "machine {}", m["id"]);
        for t in m["transitions"].as_array().unwrap() {
            assert!(t["from"].is_string() && t["to"].is_string(), "transition in {}", m["id"]);
        }
    }
    let op_ids: Vec<&str> = v["operations"].as_array().unwrap().iter().filter_map(|o| o["id"].as_str()).collect();
    for e in v["examples"].as_array().unwrap() {
        assert!(op_ids.contains(&e["operation"].as_str().unwrap_or("")), "example {} has no operation", e["id"]);
        assert!(e["direction"].is_string() && e["format"].is_string() && e["errata"].is_array(), "example {}", e["id"]);
    }
}

#[test]
fn export_is_deterministic() {
    let a = serde_json::to_string(&export::export(schema())).unwrap();
    let b = serde_json::to_string(&export::export(&Schema::load_default().unwrap())).unwrap();
    assert_eq!(a, b);
}

#[test]
fn coverage_is_complete_for_every_document() {
    let cov = coverage::coverage(schema());
    let report = coverage::render(&cov);
    insta::assert_snapshot!("coverage", report);
    for d in &cov {
        assert!(d.complete(), "{} is missing items:\n{report}", d.document);
        let listed: usize = d.categories.iter().map(|c| c.listed).sum();
        assert!(listed > 0, "{} has an empty inventory", d.document);
    }
}

#[test]
fn each_api_has_its_documented_operations() {
    let s = schema();
    let count = |api: cloudservers_schema::Api| s.operations.iter().filter(|o| o.api == api).count();
    // The guides' own operation tables: v2 lists 46 (with its extensions), v1.0 34 besides
    // authentication, RackConnect 4; identity has the token exchange, v1.0 auth and user calls.
    assert!(count(V2) >= 46, "v2: {}", count(V2));
    assert!(count(V1_0) >= 34, "v1.0: {}", count(V1_0));
    assert_eq!(count(RACKCONNECT), 4);
    assert!(count(IDENTITY) >= 3, "identity: {}", count(IDENTITY));
}

#[test]
fn version_details_path_keeps_the_trailing_slash() {
    let op = schema().operation("v2.versions.get").unwrap();
    assert!(op.path.ends_with('/'), "{}", op.path);
}

#[test]
fn rescue_admin_pass_is_unqualified() {
    let m = schema().model("v2.RescueResponse").unwrap();
    let x = m.xml.as_ref().unwrap();
    assert_eq!(x.element.as_deref(), Some("adminPass"));
    assert_eq!(x.ns, None, "Examples 2.45 and 3.10 show <adminPass> in no namespace");
}

#[test]
fn volume_attachments_are_in_the_compute_namespace() {
    for id in ["v2.AttachVolumeRequest", "v2.VolumeAttachment", "v2.VolumeAttachments"] {
        let m = schema().model(id).unwrap();
        assert_eq!(m.xml.as_ref().unwrap().ns.as_deref(), Some("v2"), "{id}");
    }
}

#[test]
fn rebuild_name_and_password_are_optional() {
    let m = schema().model("v2.RebuildAction").unwrap();
    for name in ["name", "adminPass"] {
        assert!(!m.fields.iter().find(|f| f.name == name).unwrap().required, "{name}");
    }
}

#[test]
fn paginated_v2_lists_give_item_not_found_for_a_bad_marker() {
    let s = schema();
    let pagination = s.limit("v2.pagination").unwrap();
    assert!(!pagination.operations().is_empty());
    for id in pagination.operations() {
        let op = s.operation(id).unwrap();
        assert!(op.faults.iter().any(|f| f.fault == "v2.itemNotFound" && f.codes == [404]), "{id}");
    }
}

#[test]
fn rate_limits_are_derived_from_verb_and_regex() {
    let s = schema();
    let ids = |op: &str| -> Vec<String> { s.rate_limits_of(s.operation(op).unwrap()).iter().map(|l| l.id.clone()).collect() };
    let get = ids("v2.servers.get");
    assert!(get.contains(&"v2.rate.get-servers".to_string()) && get.contains(&"v2.rate.get-all".to_string()), "{get:?}");
    assert_eq!(ids("v2.flavors.get"), ["v2.rate.get-all"]);
    assert!(ids("v2.servers.reboot").contains(&"v2.rate.post-servers".to_string()));
    assert!(ids("v2.servers.update").is_empty());
    // v1.0's changes-since limit is selected by the query parameter, not the path.
    assert!(ids("v1.0.servers.list").contains(&"v1.0.rate.get-changes-since".to_string()));
    assert!(!ids("v1.0.servers.get").contains(&"v1.0.rate.get-changes-since".to_string()));
    assert_eq!(ids("rackconnect.gateway-ip.get"), ["rackconnect.rate.requests-per-minute"]);
    let export = export::export(s);
    let op = export["operations"].as_array().unwrap().iter().find(|o| o["id"] == "v2.servers.get").unwrap();
    assert!(op["rate_limits"].as_array().unwrap().iter().any(|v| v == "v2.rate.get-servers"));
}

/// The table form of a limit or machine resolves what the loaded item refers to by id.
#[test]
fn tables_resolve_what_items_refer_to() {
    use cloudservers_schema::limits::LimitTable;
    let s = schema();
    let table = |id: &str| s.limit(id).unwrap().table(s);
    let LimitTable::Field(key) = table("v2.field.metadata-key") else { panic!("not a field limit") };
    assert!(key.exceeded.is_none());
    let r = &key.refused_with;
    assert_eq!((r.status, r.fault.as_deref(), r.fault_name.as_deref()), (400, Some("v2.badRequest"), Some("badRequest")));
    assert_eq!(key.account_limit, None);
    let LimitTable::Field(items) = table("v2.field.server-metadata-items") else { panic!("not a field limit") };
    assert_eq!(items.account_limit.as_deref(), Some("maxServerMeta"));
    let LimitTable::Rate(rate) = table("v2.rate.post-servers") else { panic!("not a rate limit") };
    assert_eq!(rate.window().as_secs(), 86_400);
    assert!(rate.applies("POST", "/servers") && !rate.applies("GET", "/servers"));
    assert_eq!(rate.source, s.limit("v2.rate.post-servers").unwrap().source.to_string());

    let m = s.state_machine("v2.server-status").unwrap();
    let t = m.table(s);
    assert_eq!(t.subject.as_deref(), Some("v2.ServerStatus"));
    assert_eq!(t.kind_of("ACTIVE"), Some(cloudservers_schema::machines::StateKind::Stable));
    assert!(t.is_initial("BUILD") && t.can_transition("BUILD", "ACTIVE"));
    assert!(t.states.iter().all(|st| !st.source.is_empty()), "a state without a source of its own takes the machine's");
    let ext = s.state_machine("v2.extended-status").unwrap().table(s);
    assert!(ext.mapping.iter().all(|row| row.cells.iter().all(|(c, _)| c != "source")), "a row's source is no cell");
    assert_eq!(ext.find_row(&[("vm_state", Some("active")), ("task_state", None)]).and_then(|r| r.get("status")), Some("ACTIVE"));
}

#[test]
fn usage_counters_are_not_limits() {
    use cloudservers_schema::limits::LimitKind;
    let s = schema();
    for (id, counts) in [
        ("v2.absolute.totalCoresUsed", "v2.absolute.maxTotalCores"),
        ("v2.absolute.totalInstancesUsed", "v2.absolute.maxTotalInstances"),
        ("v2.absolute.totalRAMUsed", "v2.absolute.maxTotalRAMSize"),
    ] {
        match &s.limit(id).unwrap().kind {
            LimitKind::Usage { counts: c, .. } => assert_eq!(c.as_deref(), Some(counts), "{id}"),
            k => panic!("{id} is {k:?}"),
        }
    }
    let LimitKind::Field { absolute, .. } = &s.limit("v2.field.server-metadata-items").unwrap().kind else { panic!() };
    assert_eq!(absolute.as_deref(), Some("v2.absolute.maxServerMeta"));
    let LimitKind::Absolute { account, .. } = &s.limit("v2.absolute.maxServerMeta").unwrap().kind else { panic!() };
    assert!(account);
    let LimitKind::Field { absolute, .. } = &s.limit("v2.field.metadata-key").unwrap().kind else { panic!() };
    assert_eq!(absolute, &None, "a fixed bound of the guide");
}

#[test]
fn list_by_network_accepts_both_shapes() {
    use cloudservers_schema::conform::Checker;
    let s = schema();
    let m = s.model("v2.NetworkAddresses").unwrap();
    assert_eq!(m.kind, cloudservers_schema::models::ModelKind::Union);
    let c = Checker::new(s);
    let documented = serde_json::json!({"network": {"id": "public", "ip": [{"version": 4, "addr": "67.23.10.132"}]}});
    let labelled = serde_json::json!({"public": [{"version": 4, "addr": "67.23.10.132"}]});
    for body in [documented, labelled] {
        let mut out = Vec::new();
        c.json_model(&body, m, "", &mut out);
        assert!(out.is_empty(), "{body}: {out:?}");
    }
    let mut out = Vec::new();
    c.json_model(&serde_json::json!({"network": 3}), m, "", &mut out);
    assert!(!out.is_empty());
}

#[test]
fn automation_transitions_are_inferred() {
    let s = schema();
    for id in ["rackconnect.automation-status", "managed.service-level-automation"] {
        assert!(s.state_machine(id).unwrap().transitions.iter().all(|t| t.inferred), "{id}");
    }
    // The server transitions are documented ones, but for the deletes from every state
    // read from a note (each says so).
    let inferred: Vec<_> = s.state_machine("v2.server-status").unwrap().transitions.iter().filter(|t| t.operation.is_some() && t.inferred).collect();
    assert!(inferred.iter().all(|t| t.operation.as_deref() == Some("v2.servers.delete") && t.doc.is_some()), "{inferred:?}");
}

/// Every request field that names an image, a flavor, a server or a shared IP group says
/// which operation yields its value, and a replayed request of each operation that sends
/// one takes it from there.
#[test]
fn request_references_name_their_sources() {
    let s = schema();
    let expected = [
        ("v2.servers.create", "imageRef", "v2.images.list", "/images/0/id"),
        ("v2.servers.create", "flavorRef", "v2.flavors.list", "/flavors/0/id"),
        ("v2.servers.rebuild", "imageRef", "v2.images.list", "/images/0/id"),
        ("v2.servers.rebuild", "flavorRef", "v2.flavors.list", "/flavors/0/id"),
        ("v2.servers.resize", "flavorRef", "v2.flavors.list", "/flavors/1/id"),
        ("v1.0.servers.create", "imageId", "v1.0.images.list", "/images/0/id"),
        ("v1.0.servers.create", "flavorId", "v1.0.flavors.list", "/flavors/0/id"),
        ("v1.0.servers.create", "sharedIpGroupId", "v1.0.shared-ip-groups.list", "/sharedIpGroups/0/id"),
        ("v1.0.servers.rebuild", "imageId", "v1.0.images.list", "/images/0/id"),
        ("v1.0.servers.resize", "flavorId", "v1.0.flavors.list", "/flavors/1/id"),
        ("v1.0.images.create", "serverId", "v1.0.servers.create", "/server/id"),
        ("v1.0.shared-ip-groups.create", "server", "v1.0.servers.create", "/server/id"),
        ("v1.0.addresses.share", "sharedIpGroupId", "v1.0.shared-ip-groups.create", "/sharedIpGroup/id"),
    ];
    for (op, field, from, pointer) in expected {
        let o = s.operation(op).unwrap();
        let f = s.request_models(o).into_iter().flat_map(|m| m.fields.iter()).find(|f| f.name == field).unwrap_or_else(|| panic!("{op} sends no `{field}`"));
        let src = f.value_from.as_ref().unwrap_or_else(|| panic!("`{field}` of {op} has no value_from"));
        assert_eq!((src.operation.as_str(), src.pointer.as_str()), (from, pointer), "`{field}` of {op}");
        assert!(s.value_sources(o).contains(&src), "{op} needs {from} first");
    }
    let with_source: usize = s.models.iter().flat_map(|m| m.fields.iter()).filter(|f| f.value_from.is_some()).count();
    assert_eq!(with_source, expected.len(), "a value_from this test does not list");
}
