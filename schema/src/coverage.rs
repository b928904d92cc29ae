//! Coverage: what the schema holds against each document's own inventory.

use crate::provenance::DocumentKey;
use crate::Schema;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The categories an inventory lists.
pub const CATEGORIES: [&str; 5] = ["operations", "faults", "transitions", "limits", "examples"];

/// Coverage of one category of one document.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CategoryCoverage {
    /// The category.
    pub category: &'static str,
    /// How many entries the document lists.
    pub listed: usize,
    /// How many of those the schema holds.
    pub covered: usize,
    /// How many of the covered entries the schema holds only as inferred items (no
    /// document states them); they count as covered but are shown apart.
    pub inferred: usize,
    /// The listed entries the schema lacks.
    pub missing: Vec<String>,
}

/// Coverage of one document.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DocumentCoverage {
    /// The document.
    pub document: DocumentKey,
    /// Per category.
    pub categories: Vec<CategoryCoverage>,
    /// How many errata the schema records against this document.
    pub errata: usize,
}

impl DocumentCoverage {
    /// Whether everything listed is covered.
    pub fn complete(&self) -> bool {
        self.categories.iter().all(|c| c.missing.is_empty())
    }
}

/// The keys under which the schema holds items of `category` sourced in `doc`.
fn held(schema: &Schema, doc: DocumentKey, category: &str) -> BTreeSet<String> {
    match category {
        "operations" => schema
            .operations
            .iter()
            .filter(|o| o.source.document == doc)
            .map(|o| o.inventory_key())
            .collect(),
        "faults" => schema
            .faults
            .iter()
            .filter(|f| f.source.document == doc)
            .flat_map(|f| std::iter::once(f.name.clone()).chain(f.aliases.iter().cloned()))
            .collect(),
        "transitions" => schema
            .state_machines
            .iter()
            .flat_map(|m| {
                m.transitions
                    .iter()
                    .filter(move |t| t.source.document == doc)
                    .map(move |t| format!("{}: {} → {}", m.id, t.from, t.to))
            })
            .collect(),
        "limits" => schema.limits.iter().filter(|l| l.source.document == doc).map(|l| l.id.clone()).collect(),
        _ => schema
            .examples
            .iter()
            .filter(|e| e.source.document == doc)
            .map(|e| e.source.place.clone())
            .collect(),
    }
}

/// The keys of items of `category` sourced in `doc` that the schema holds only as
/// inferred items: no item with that key is stated.
fn inferred(schema: &Schema, doc: DocumentKey, category: &str) -> BTreeSet<String> {
    if category != "transitions" {
        return BTreeSet::new();
    }
    let keyed = |inferred: bool| -> BTreeSet<String> {
        schema
            .state_machines
            .iter()
            .flat_map(|m| {
                m.transitions
                    .iter()
                    .filter(move |t| t.source.document == doc && t.inferred == inferred)
                    .map(move |t| format!("{}: {} → {}", m.id, t.from, t.to))
            })
            .collect()
    };
    let stated = keyed(false);
    keyed(true).into_iter().filter(|k| !stated.contains(k)).collect()
}

/// Computes coverage for every document.
pub fn coverage(schema: &Schema) -> Vec<DocumentCoverage> {
    let errata = schema.errata();
    DocumentKey::ALL
        .into_iter()
        .map(|doc| {
            let inv = schema.inventories.get(&doc).cloned().unwrap_or_default();
            let categories = CATEGORIES
                .into_iter()
                .map(|category| {
                    let listed: Vec<String> = match category {
                        "operations" => inv.operations.clone(),
                        "faults" => inv.faults.clone(),
                        "transitions" => inv.transitions.clone(),
                        "limits" => inv.limits.clone(),
                        _ => inv.examples.clone(),
                    };
                    let have = held(schema, doc, category);
                    let guessed = inferred(schema, doc, category);
                    let unique: BTreeSet<&String> = listed.iter().collect();
                    let missing: Vec<String> =
                        listed.iter().filter(|k| !have.contains(*k)).cloned().collect();
                    let inferred = unique.iter().filter(|k| have.contains(**k) && guessed.contains(**k)).count();
                    CategoryCoverage { category, listed: unique.len(), covered: unique.len() - missing.len(), inferred, missing }
                })
                .collect();
            DocumentCoverage { document: doc, categories, errata: errata.iter().filter(|(d, _, _)| *d == doc).count() }
        })
        .collect()
}

/// The coverage report as a text table followed by every missing item.
pub fn render(cov: &[DocumentCoverage]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| document | operations | faults | transitions | limits | examples | errata | coverage |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for d in cov {
        let (mut listed, mut covered) = (0, 0);
        let cells: Vec<String> = d
            .categories
            .iter()
            .map(|c| {
                listed += c.listed;
                covered += c.covered;
                if c.inferred > 0 {
                    format!("{}/{} ({} inferred)", c.covered, c.listed, c.inferred)
                } else {
                    format!("{}/{}", c.covered, c.listed)
                }
            })
            .collect();
        let pct = if listed == 0 { 100.0 } else { covered as f64 * 100.0 / listed as f64 };
        let _ = writeln!(out, "| {} | {} | {} | {pct:.0}% |", d.document, cells.join(" | "), d.errata);
    }
    let missing: Vec<String> = cov
        .iter()
        .flat_map(|d| {
            d.categories
                .iter()
                .flat_map(move |c| c.missing.iter().map(move |m| format!("{} {}: {m}", d.document, c.category)))
        })
        .collect();
    if missing.is_empty() {
        let _ = writeln!(out, "\nNothing missing.");
    } else {
        let _ = writeln!(out, "\nMissing ({}):", missing.len());
        for m in missing {
            let _ = writeln!(out, "- {m}");
        }
    }
    out
}
