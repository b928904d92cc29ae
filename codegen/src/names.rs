//! Rust names for schema ids, wire names and enum values.

use proc_macro2::{Ident, Span};
use schema::Api;

const KEYWORDS: [&str; 38] = [
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static",
    "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while",
];

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
    if KEYWORDS.contains(&n.as_str()) {
        n.push('_');
    }
    n
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
    if n == "Self" {
        n = "Self_".into();
    }
    n
}

/// `SCREAMING_SNAKE_CASE` for constants.
pub fn screaming(s: &str) -> String {
    snake(s).trim_end_matches('_').to_ascii_uppercase()
}

/// An identifier.
pub fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// The module name of an API.
pub fn api_module(api: Api) -> &'static str {
    match api {
        Api::V2 => "v2",
        Api::V1_0 => "v1_0",
        Api::Rackconnect => "rackconnect",
        Api::Identity => "identity",
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
}
