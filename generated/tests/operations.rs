//! The generated operation tables hold exactly the schema's operations, and routing a
//! request to any documented path finds its operation.
#![cfg(all(feature = "v2", feature = "v1_0", feature = "rackconnect", feature = "identity"))]

use cloudservers::{identity, rackconnect, v1_0, v2};
use runtime::shapes::operations::{route, Base, Operation, Route};
use schema::Schema;

fn tables() -> [&'static [Operation<'static>]; 4] {
    [v2::operations::OPERATIONS, v1_0::operations::OPERATIONS, rackconnect::operations::OPERATIONS, identity::operations::OPERATIONS]
}

/// Equality of values borrowed for different lifetimes (the tables' types are invariant
/// in theirs): `Debug` shows every field's content, never whether it is borrowed.
fn same(a: &Operation<'_>, b: &Operation<'_>) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

#[test]
fn every_schema_operation_is_in_its_table_as_the_schema_projects_it() {
    let schema = Schema::load_default().unwrap_or_else(|e| panic!("{e}"));
    let all: Vec<&'static Operation<'static>> = tables().into_iter().flatten().collect();
    assert_eq!(all.len(), schema.operations.len());
    for op in &schema.operations {
        let generated = all.iter().find(|g| g.id.as_ref() == op.id.as_str()).unwrap_or_else(|| panic!("{} not generated", op.id));
        let expected = schema::shapes::operation_of(op);
        assert!(same(generated, &expected), "{}: generated {generated:?}\nschema {expected:?}", op.id);
    }
}

#[test]
fn every_documented_path_routes_to_its_operation() {
    for table in tables() {
        for base in [Base::Endpoint, Base::Host] {
            let ops: Vec<Operation<'static>> = table.iter().filter(|o| o.base == base).cloned().collect();
            for op in &ops {
                // Each placeholder filled with a value no literal segment has.
                let path: String = op
                    .path
                    .split('/')
                    .map(|seg| if seg.starts_with('{') { "x1" } else { seg })
                    .collect::<Vec<_>>()
                    .join("/");
                match route(&ops, &op.method, &path) {
                    Route::Found(found, values) => {
                        assert_eq!(found.id, op.id, "{} {path}", op.method);
                        assert_eq!(values.len(), op.path_params.len(), "{}", op.id);
                    }
                    Route::Several(found, _) => {
                        assert!(found.iter().any(|f| f.id == op.id), "{} not among the operations of {path}", op.id);
                        let actions: Vec<&str> = found.iter().filter_map(|f| f.action.as_deref()).collect();
                        if op.action.is_some() {
                            // An actions path holds only actions, each with its own key.
                            assert_eq!(actions.len(), found.len(), "{path}: an operation without an action key");
                            let mut keys = actions.clone();
                            keys.sort_unstable();
                            keys.dedup();
                            assert_eq!(keys.len(), found.len(), "{path}: two operations with one action key");
                        } else {
                            assert!(actions.is_empty(), "{path}: actions beside a plain operation");
                        }
                    }
                    other => panic!("{} {path}: {other:?}", op.id),
                }
            }
        }
    }
}
