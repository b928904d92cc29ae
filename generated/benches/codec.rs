//! Decode and encode throughput of the generated types for the largest documented JSON
//! example and the largest documented XML example (found by body size in the schema),
//! next to `serde_json::from_str::<serde_json::Value>` of the same JSON and
//! `xml_dom::parse` (the tree alone) of the same XML.
//!
//! `cargo bench -p cloudservers` (figures are reported, not asserted; MB/s from
//! `Throughput::Bytes`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cloudservers::{identity, v1_0, v2};
use runtime::serde::de::DeserializeOwned;
use runtime::serde::Serialize;
use runtime::xml::{decode_root, encode_root, FromXml, ToXml};
use schema::examples::{Direction, Example, ExampleFormat};
use schema::Schema;
use std::hint::black_box;

/// The body model id of a request or normal-response example (what `cloudservers-schema check` calls
/// the expected body), with its JSON wrapping key.
fn body_model(s: &Schema, e: &Example) -> (String, Option<String>) {
    let op = s.operation(&e.operation).unwrap_or_else(|| panic!("{}: unknown operation", e.id));
    let body = match e.direction {
        Direction::Request => op.request.clone(),
        _ => op.responses.iter().find(|r| Some(r.status) == e.status).and_then(|r| r.body()),
    };
    let body = body.unwrap_or_else(|| panic!("{}: no request or normal-response body model", e.id));
    (body.model, body.wrap)
}

/// The largest example of a format, by the size of its body text.
fn largest(s: &Schema, format: ExampleFormat) -> (&Example, String) {
    s.examples
        .iter()
        .filter(|e| e.format == format)
        .filter_map(|e| {
            let text = match format {
                ExampleFormat::Json => serde_json::to_string(e.body.as_ref()?).ok()?,
                _ => e.body_text()?.to_string(),
            };
            Some((e, text))
        })
        .max_by_key(|(_, t)| t.len())
        .unwrap_or_else(|| panic!("no {format:?} example"))
}

/// Calls `$f::<Type>(args)` for the type of a model id. The largest examples are list
/// bodies; a new largest example of another model needs its type added here.
macro_rules! with_type {
    ($id:expr, $f:ident($($arg:expr),*)) => {
        match $id {
            "v2.ServersDetail" => $f::<v2::models::ServersDetail>($($arg),*),
            "v2.ImagesDetail" => $f::<v2::models::ImagesDetail>($($arg),*),
            "v2.FlavorsDetail" => $f::<v2::models::FlavorsDetail>($($arg),*),
            "v2.Server" => $f::<v2::models::Server>($($arg),*),
            "v1.0.ServersDetail" => $f::<v1_0::models::ServersDetail>($($arg),*),
            "identity.AuthResponse" => $f::<identity::models::AuthResponse>($($arg),*),
            other => panic!("the largest example is now a {other}: add its type to with_type!"),
        }
    };
}

fn bench_json<T: Serialize + DeserializeOwned>(c: &mut Criterion, name: &str, text: &str, wrap: Option<&str>) {
    type Wrapped<T> = std::collections::BTreeMap<String, T>;
    let decode = |t: &str| -> T {
        match wrap {
            Some(w) => serde_json::from_str::<Wrapped<T>>(t).ok().and_then(|mut m| m.remove(w)),
            None => serde_json::from_str::<T>(t).ok(),
        }
        .unwrap_or_else(|| panic!("{name} does not decode"))
    };
    let encode = |v: &T| -> String {
        match wrap {
            Some(w) => serde_json::to_string(&Wrapped::from([(w.to_string(), v)])),
            None => serde_json::to_string(v),
        }
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let value = decode(text);
    let encoded = encode(&value);
    println!("largest JSON example: {name}, {} bytes (re-encoded: {} bytes)", text.len(), encoded.len());

    let mut g = c.benchmark_group(format!("json {name}"));
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("serde_json::Value decode", |b| {
        b.iter(|| black_box(serde_json::from_str::<serde_json::Value>(black_box(text)).unwrap_or_default()))
    });
    g.bench_function("generated decode", |b| b.iter(|| black_box(decode(black_box(text)))));
    g.throughput(Throughput::Bytes(encoded.len() as u64));
    g.bench_function("generated encode", |b| b.iter(|| black_box(encode(black_box(&value)))));
    g.finish();
}

fn bench_xml<T: FromXml + ToXml>(c: &mut Criterion, name: &str, text: &str, ns: Option<&str>, local: &str) {
    let decode = |t: &str| -> T { decode_root(t, ns, local).unwrap_or_else(|e| panic!("{name}: {e}")) };
    let encode = |v: &T| -> String { encode_root(v, ns, local, cloudservers::ns::PREFIXES) };
    let value = decode(text);
    let encoded = encode(&value);
    println!("largest XML example: {name}, {} bytes (re-encoded: {} bytes)", text.len(), encoded.len());

    let mut g = c.benchmark_group(format!("xml {name}"));
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("xml_dom::parse (tree only)", |b| {
        b.iter(|| black_box(runtime::xml::parse(black_box(text)).ok()))
    });
    g.bench_function("generated decode", |b| b.iter(|| black_box(decode(black_box(text)))));
    g.throughput(Throughput::Bytes(encoded.len() as u64));
    g.bench_function("generated encode", |b| b.iter(|| black_box(encode(black_box(&value)))));
    g.finish();
}

fn codec(c: &mut Criterion) {
    let s = Schema::load_default().unwrap_or_else(|e| panic!("{e}"));

    let (e, text) = largest(&s, ExampleFormat::Json);
    let (model, wrap) = body_model(&s, e);
    let name = format!("{} ({model})", e.id);
    with_type!(model.as_str(), bench_json(c, &name, &text, wrap.as_deref()));

    let (e, text) = largest(&s, ExampleFormat::Xml);
    let (model, _) = body_model(&s, e);
    let m = s.model(&model).unwrap_or_else(|| panic!("unknown model {model}"));
    let x = m.xml.as_ref().unwrap_or_else(|| panic!("{model} has no XML form"));
    let local = x.element.clone().unwrap_or_else(|| panic!("{model} has no XML element"));
    let ns = x.ns.as_deref().and_then(|p| s.namespace(p)).map(|n| n.uri.clone());
    let name = format!("{} ({model})", e.id);
    with_type!(model.as_str(), bench_xml(c, &name, &text, ns.as_deref(), &local));
}

criterion_group!(benches, codec);
criterion_main!(benches);
