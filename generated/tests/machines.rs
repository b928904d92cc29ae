//! State machines: the generated tables hold every state and transition of the schema,
//! and the status enums answer kind queries from them.

// Needs the v2, v1_0, rackconnect, identity APIs.
#![cfg(all(feature = "v2", feature = "v1_0", feature = "rackconnect", feature = "identity"))]

use cloudservers::{rackconnect, v1_0, v2};
use runtime::machines::{StateKind, StateMachine};
use schema::Schema;

fn schema() -> Schema {
    Schema::load_default().unwrap_or_else(|e| panic!("{e}"))
}

fn all_machines() -> Vec<&'static StateMachine> {
    [v2::machines::MACHINES, v1_0::machines::MACHINES, rackconnect::machines::MACHINES, cloudservers::identity::machines::MACHINES]
        .into_iter()
        .flat_map(|m| m.iter().copied())
        .collect()
}

#[test]
fn tables_are_the_schemas_machines_in_table_form() {
    let schema = schema();
    let generated = all_machines();
    assert_eq!(generated.len(), schema.state_machines.len());
    let mut transitions = 0;
    for m in &schema.state_machines {
        let g = generated.iter().find(|g| g.id == m.id.as_str()).unwrap_or_else(|| panic!("{} missing", m.id));
        assert_eq!(**g, m.table(&schema), "{}", m.id);
        // The kinds are the schema's, and one type: the same rules answer on both sides.
        for s in &m.states {
            assert_eq!(g.kind_of(&s.name), Some(s.kind), "{} {}", m.id, s.name);
        }
        for t in &m.transitions {
            assert!(g.can_transition(&t.from, &t.to), "{}", t.id);
            assert!(g.transitions_from(&t.from).any(|x| x.id == t.id.as_str()), "{}", t.id);
            transitions += 1;
        }
        assert_eq!(g.mapping.len(), m.mapping.len(), "{}", m.id);
    }
    println!("transitions checked: {transitions}");
    assert!(transitions >= 70);
}

#[test]
fn server_status_queries() {
    use v2::models::ServerStatus as S;
    assert!(S::Build.is_transient() && !S::Build.is_stable() && !S::Build.is_settled());
    assert!(S::Active.is_stable() && !S::Active.is_transient() && !S::Active.is_error() && S::Active.is_settled());
    assert!(S::Error.is_error() && !S::Error.is_stable() && S::Error.is_settled());
    assert!(S::Deleted.is_terminal() && !S::Deleted.is_stable());
    assert!(S::Build.is_initial() && !S::Active.is_initial());
    assert_eq!(S::VerifyResize.kind(), Some(StateKind::Stable));
    assert_eq!(S::PrepRescue.kind(), Some(StateKind::Transient));

    // A value no document lists: no kind, and none of the queries holds.
    let odd = S::from("MIGRATING_SIDEWAYS");
    assert!(matches!(odd, S::Unknown(_)));
    assert_eq!(odd.kind(), None);
    assert!(!odd.is_stable() && !odd.is_error() && !odd.is_transient() && !odd.is_terminal() && !odd.is_settled());
    assert!(!odd.can_transition_to(&S::Active) && !S::Active.can_transition_to(&odd));
    // The documented UNKNOWN keeps the kind the schema gives it.
    let unknown = S::from("UNKNOWN");
    assert_eq!(unknown.kind(), v2::machines::SERVER_STATUS.kind_of("UNKNOWN"));

    assert!(S::Build.can_transition_to(&S::Active));
    assert!(S::Build.can_transition_to(&S::Error));
    assert!(S::Active.can_transition_to(&S::Reboot));
    assert!(!S::Active.can_transition_to(&S::Build));
    assert!(!S::Deleted.can_transition_to(&S::Active));
    assert_eq!(S::machine().id, "v2.server-status");
}

#[test]
fn first_generation_and_other_subjects() {
    use v1_0::models::ServerStatus as S;
    assert!(S::Build.is_transient());
    assert!(S::Active.is_stable());
    assert!(S::Error.is_error());
    assert!(S::Deleted.is_terminal());
    assert!(S::QueueResize.can_transition_to(&S::PrepResize));
    assert!(S::from("SOMETHING_NEW").kind().is_none());

    assert!(v1_0::models::ImageStatus::Saving.is_transient());
    assert!(v1_0::models::ImageStatus::Failed.is_error());
    assert!(v2::models::ImageStatus::Saving.can_transition_to(&v2::models::ImageStatus::Active));
    assert!(rackconnect::models::AutomationStatus::Deploying.is_transient());
    assert!(rackconnect::models::AutomationStatus::Deployed.is_stable());
    assert!(rackconnect::models::AutomationStatus::Unprocessable.is_error());
    assert!(v2::models::ServiceLevelAutomation::from("In Progress").is_transient());
    assert!(v2::models::ServiceLevelAutomation::from("Build Error").is_error());
}

/// Every documented state, read through its subject enum, has the schema's kind.
#[test]
fn every_subject_state_reads_with_its_kind() {
    fn kinds<T: for<'a> From<&'a str>>(names: &[&str], f: impl Fn(&T) -> Option<StateKind>) -> Vec<Option<StateKind>> {
        names.iter().map(|n| f(&T::from(n))).collect()
    }
    let schema = schema();
    let mut covered = Vec::new();
    for m in &schema.state_machines {
        let Some(subject) = m.subject.as_deref() else { continue };
        let names: Vec<&str> = m.states.iter().map(|s| s.name.as_str()).collect();
        let got = match subject {
            "v2.ServerStatus" => kinds(&names, v2::models::ServerStatus::kind),
            "v2.ImageStatus" => kinds(&names, v2::models::ImageStatus::kind),
            "v2.VmState" => kinds(&names, v2::models::VmState::kind),
            "v2.ServiceLevelAutomation" => kinds(&names, v2::models::ServiceLevelAutomation::kind),
            "v1.0.ServerStatus" => kinds(&names, v1_0::models::ServerStatus::kind),
            "v1.0.ImageStatus" => kinds(&names, v1_0::models::ImageStatus::kind),
            "rackconnect.AutomationStatus" => kinds(&names, rackconnect::models::AutomationStatus::kind),
            other => panic!("add a check for the subject {other}"),
        };
        let want: Vec<Option<StateKind>> = m.states.iter().map(|s| Some(s.kind)).collect();
        assert_eq!(got, want, "{}", m.id);
        covered.push(subject.to_string());
    }
    assert_eq!(covered.len(), 7, "{covered:?}");
}

#[test]
fn extended_status_mapping() {
    let schema = schema();
    let m = schema.state_machine("v2.extended-status").unwrap_or_else(|| panic!("no v2.extended-status"));
    assert!(!m.mapping.is_empty());
    // Every row of Table 3.2 is found by all its cells, and its status is a documented one.
    for row in &m.mapping {
        let given: Vec<(&str, Option<&str>)> =
            row.iter().filter(|(k, _)| k.as_str() != "source").map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let found = v2::machines::extended_status_row(&given).unwrap_or_else(|| panic!("{given:?}"));
        let status = found.get("status").unwrap_or_else(|| panic!("{given:?} has no status"));
        assert!(!matches!(v2::models::ServerStatus::from(status), v2::models::ServerStatus::Unknown(_)), "{status}");
    }
    let status = |vm: &str, task: Option<&str>| {
        v2::machines::extended_status_row(&[("vm_state", Some(vm)), ("task_state", task)]).and_then(|r| r.get("status"))
    };
    assert_eq!(status("active", None), Some("ACTIVE"));
    assert_eq!(status("active", Some("rebooting_hard")), Some("HARD_REBOOT"));
    assert_eq!(status("active", Some("rebuild_spawning")), Some("REBUILD"));
    assert_eq!(status("resized", Some("resize_reverting")), Some("REVERT_RESIZE"));
    assert_eq!(status("building", None), Some("BUILD"));
    assert_eq!(status("active", Some("no_such_task")), None);
    // From a status to its vm_state and task_state.
    let row = v2::machines::extended_status_row(&[("status", Some("MIGRATING"))]).unwrap_or_else(|| panic!("MIGRATING"));
    assert_eq!((row.get("vm_state"), row.get("task_state")), (Some("active"), Some("migrating")));
    // From the vm_state enum.
    let statuses: Vec<&str> = v2::models::VmState::Resized.mapping_rows().filter_map(|r| r.get("status")).collect();
    assert_eq!(statuses, ["VERIFY_RESIZE", "REVERT_RESIZE"]);
    assert_eq!(v2::models::VmState::Active.mapping_rows().count(), 12);
}

#[test]
fn machines_without_a_subject_keep_their_tables() {
    let m = &v2::machines::VOLUME_ATTACHMENT_STATUS;
    assert_eq!(m.subject, None);
    assert_eq!(m.kind_of("ERROR"), Some(StateKind::Error));
    assert!(m.can_transition("ACTIVE", "DELETED"));
    assert_eq!(m.transitions_by("v2.volume-attachments.delete").count(), 2);
}
