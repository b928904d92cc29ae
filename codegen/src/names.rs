//! Rust names for schema ids, wire names and enum values.

use proc_macro2::{Ident, Span};

/// Every word that cannot be a plain identifier in any edition up to 2024: the strict
/// keywords, the 2018 additions (`async`, `await`, `dyn`), the words reserved for future
/// use (`abstract`, `become`, `box`, `do`, `final`, `macro`, `override`, `priv`, `typeof`,
/// `unsized`, `virtual`, `yield`, `try`) and 2024's `gen`. Weak keywords (`union`,
/// `macro_rules`, `raw`, `safe`) are ordinary identifiers where names are generated.
pub const KEYWORDS: [&str; 52] = [
    // strict
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static",
    "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while",
    // reserved
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual",
    "yield", "gen",
];

/// Whether `s` is a keyword or reserved word: as a name it needs a suffix. (Raw
/// identifiers would do for most, but not for `self`, `Self`, `super` and `crate`;
/// a `_` suffix works for all and reads the same everywhere.)
pub fn is_reserved(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Splits a wire name into lowercase words at separators and case boundaries.
pub fn words(s: &str) -> Vec<String> {
    // "IPv4" is one word, not "I" + "Pv4".
    let s = s.replace("IPv", "Ipv");
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let boundary = c.is_ascii_uppercase()
            && !cur.is_empty()
            && (prev.is_ascii_lowercase() || (prev.is_ascii_uppercase() && next.is_ascii_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `snake_case` for fields and functions.
pub fn snake(s: &str) -> String {
    let mut n = words(s).join("_");
    if n.is_empty() {
        n = "value".into();
    }
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        n = format!("n{n}");
    }
    if is_reserved(&n) {
        n.push('_');
    }
    n
}

/// The Rust field names of a model's fields, in order: [`snake`] of each wire name, with
/// `_2`, `_3`... added to a name an earlier field already took (`self` and `Self`,
/// `fooBar` and `foo_bar` are different keys on the wire but one name in Rust).
pub fn field_names(m: &schema::Model) -> Vec<String> {
    let mut taken: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    m.fields
        .iter()
        .map(|f| {
            let base = snake(&f.name);
            let mut name = base.clone();
            let mut n = 1;
            while taken.contains(&name) {
                n += 1;
                name = format!("{base}_{n}");
            }
            taken.insert(name.clone());
            name
        })
        .collect()
}

/// `UpperCamelCase` for types and variants.
pub fn camel(s: &str) -> String {
    let mut n: String = words(s)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if n.is_empty() {
        n = "Empty".into();
    }
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        n = format!("V{n}");
    }
    if is_reserved(&n) {
        n.push('_');
    }
    n
}

/// `SCREAMING_SNAKE_CASE` for constants.
pub fn screaming(s: &str) -> String {
    snake(s).trim_end_matches('_').to_ascii_uppercase()
}

/// An identifier; a keyword or reserved word gets a `_` suffix.
pub fn ident(s: &str) -> Ident {
    if is_reserved(s) {
        Ident::new(&format!("{s}_"), Span::call_site())
    } else {
        Ident::new(s, Span::call_site())
    }
}

/// The type name of a model id (`v2.ServerStatus` -> `ServerStatus`).
pub fn model_type(id: &str) -> String {
    let local = id.rsplit_once('.').map_or(id, |(_, l)| l);
    camel(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_become_rust_names() {
        assert_eq!(snake("OS-DCF:diskConfig"), "os_dcf_disk_config");
        assert_eq!(snake("accessIPv4"), "access_ipv4");
        assert_eq!(snake("hostId"), "host_id");
        assert_eq!(camel("UUIDRef"), "UuidRef");
        assert_eq!(snake("next-available"), "next_available");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("rax-bandwidth:bandwidth"), "rax_bandwidth_bandwidth");
        assert_eq!(camel("HARD_REBOOT"), "HardReboot");
        assert_eq!(camel("In Progress"), "InProgress");
        assert_eq!(camel("1"), "V1");
        assert_eq!(model_type("v1.0.ServerStatus"), "ServerStatus");
        assert_eq!(screaming("v2.rate.post-servers"), "V2_RATE_POST_SERVERS");
    }

    /// Whether `name` is a valid identifier (field, function, module, variant) for syn.
    fn parses_as_ident(name: &str) -> bool {
        syn::parse_str::<syn::Ident>(name).is_ok()
            && syn::parse_str::<syn::File>(&format!("mod {name} {{}} struct S {{ {name}: u8 }} enum E {{ {name} }} fn {name}() {{}}")).is_ok()
    }

    #[test]
    fn every_reserved_word_becomes_a_valid_name() {
        for k in KEYWORDS {
            // syn parses edition-2021 code, where `gen` is still an identifier.
            if k != "gen" {
                assert!(!parses_as_ident(k), "`{k}` is listed but is a valid identifier");
            }
            for (how, n) in [("snake", snake(k)), ("camel", camel(k)), ("ident", ident(k).to_string()), ("screaming", screaming(k))] {
                assert!(parses_as_ident(&n), "{how}({k:?}) = {n:?} is not a valid identifier");
            }
            assert_eq!(snake(k), format!("{}_", k.to_ascii_lowercase()), "snake({k:?})");
        }
        for (wire, rust) in [
            ("yield", "yield_"), ("try", "try_"), ("box", "box_"), ("async", "async_"), ("await", "await_"), ("dyn", "dyn_"),
            ("abstract", "abstract_"), ("become", "become_"), ("final", "final_"), ("macro", "macro_"), ("override", "override_"),
            ("priv", "priv_"), ("typeof", "typeof_"), ("unsized", "unsized_"), ("virtual", "virtual_"), ("do", "do_"),
            ("gen", "gen_"), ("self", "self_"), ("Self", "self_"), ("super", "super_"), ("crate", "crate_"), ("type", "type_"),
        ] {
            assert_eq!(snake(wire), rust);
        }
        assert_eq!(camel("Self"), "Self_");
        assert_eq!(camel("self"), "Self_");
        assert_eq!(camel("yield"), "Yield");
        // Weak keywords are ordinary names.
        assert_eq!(snake("union"), "union");
        assert!(parses_as_ident("union"));
    }

    #[test]
    fn the_edition_2024_keywords_are_all_listed() {
        // Every word rustc rejects as a plain identifier (as syn does) is in the list.
        let candidates = [
            "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
            "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
            "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
            "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "gen", "union",
            "macro_rules", "raw", "safe", "default", "auto",
        ];
        for c in candidates {
            if syn::parse_str::<syn::Ident>(c).is_err() {
                assert!(is_reserved(c), "`{c}` is a keyword for syn but not in KEYWORDS");
            }
        }
    }
}
