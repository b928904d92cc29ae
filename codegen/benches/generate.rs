//! Generation time for the full shipped schema: loading (and checking) the schema, and
//! generating the formatted code of every API from a loaded schema.
//!
//! `cargo bench -p cloudservers-codegen` (figures are reported, not asserted).

use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::BTreeSet;
use std::hint::black_box;

fn generation(c: &mut Criterion) {
    let schema = schema::Schema::load_default().unwrap_or_else(|e| panic!("{e}"));
    let code = cloudservers_codegen::generate(&schema, &BTreeSet::new()).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "full schema: {} operations, {} models, {} examples; generated code: {} bytes, {} lines",
        schema.operations.len(),
        schema.models.len(),
        schema.examples.len(),
        code.len(),
        code.lines().count()
    );

    let mut group = c.benchmark_group("codegen");
    group.sample_size(10);
    group.bench_function("schema load and check", |b| {
        b.iter(|| black_box(schema::Schema::load_default().unwrap_or_else(|e| panic!("{e}"))))
    });
    group.bench_function("generate all APIs from a loaded schema", |b| {
        b.iter(|| black_box(cloudservers_codegen::generate(black_box(&schema), &BTreeSet::new()).unwrap_or_else(|e| panic!("{e}"))))
    });
    group.finish();
}

criterion_group!(benches, generation);
criterion_main!(benches);
