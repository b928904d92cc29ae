//! The path by which generated code names the runtime crate.
//!
//! The generators write every use of the runtime as an absolute path `::runtime::...`.
//! Before the tokens are formatted, [`RuntimePath::rewrite`] replaces the head `::runtime`
//! of each such path with the configured one (`::cloudservers_runtime` by default, see
//! [`DEFAULT_RUNTIME_CRATE`]), in code and in string literals alike: serde's
//! `crate = "..."` and `serialize_with = "..."` attributes, and rustdoc links.

use crate::Error;
use proc_macro2::{Delimiter, Group, Literal, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// The runtime crate as a crate that depends on `cloudservers-runtime` under its own name
/// sees it; the default of [`Builder::runtime_crate`](crate::Builder::runtime_crate).
pub const DEFAULT_RUNTIME_CRATE: &str = "::cloudservers_runtime";

/// The name the generators give the runtime crate.
const WRITTEN: &str = "runtime";

/// A checked runtime crate path: its tokens and its text (`::cloudservers_runtime`,
/// `crate::rt`).
#[derive(Debug, Clone)]
pub(crate) struct RuntimePath {
    tokens: TokenStream,
    text: String,
}

impl RuntimePath {
    /// Checks `path`: an absolute path (`::name`, `::name::module`) or one from the crate
    /// root (`crate::name`), without generic arguments, since generated code uses it from
    /// modules at every depth.
    pub(crate) fn parse(path: &str) -> Result<RuntimePath, Error> {
        let bad = |reason: &str| Error::RuntimeCrate { path: path.to_string(), reason: reason.to_string() };
        let parsed: syn::Path = syn::parse_str(path.trim()).map_err(|e| bad(&format!("not a Rust path ({e})")))?;
        let mut text = String::new();
        for (i, segment) in parsed.segments.iter().enumerate() {
            if !segment.arguments.is_none() {
                return Err(bad("a path to a crate or module takes no generic arguments"));
            }
            let name = segment.ident.to_string();
            let from_root = i == 0 && parsed.leading_colon.is_none() && name == "crate";
            if matches!(name.as_str(), "crate" | "self" | "super" | "Self") && !from_root {
                return Err(bad(&format!("`{name}` can only start a path, and only `crate` names the same module from every generated module")));
            }
            if i == 0 && parsed.leading_colon.is_none() && !from_root {
                return Err(bad("the path must be absolute (`::name`) or start at the crate root (`crate::name`), since generated modules nest"));
            }
            if i > 0 || parsed.leading_colon.is_some() {
                text.push_str("::");
            }
            text.push_str(&name);
        }
        Ok(RuntimePath { tokens: parsed.to_token_stream(), text })
    }

    /// The checked path's text, with no spaces (`::cloudservers_runtime`).
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Replaces the head of every absolute path `::runtime...` in `stream`, and in its
    /// string literals, with this path.
    pub(crate) fn rewrite(&self, stream: TokenStream) -> TokenStream {
        if self.text == format!("::{WRITTEN}") {
            return stream;
        }
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len());
        let mut i = 0;
        while i < tokens.len() {
            if is_runtime_head(&tokens[i..]) && !continues_a_path(&out) {
                out.extend(self.tokens.clone());
                i += 3;
                continue;
            }
            out.push(match &tokens[i] {
                TokenTree::Group(g) => {
                    let mut group = Group::new(g.delimiter(), self.rewrite(g.stream()));
                    group.set_span(g.span());
                    TokenTree::Group(group)
                }
                TokenTree::Literal(l) => TokenTree::Literal(self.rewrite_literal(l)),
                t => t.clone(),
            });
            i += 1;
        }
        out.into_iter().collect()
    }

    /// A string literal with every absolute `::runtime` path in its text rewritten; any
    /// other literal unchanged.
    fn rewrite_literal(&self, lit: &Literal) -> Literal {
        let written = format!("::{WRITTEN}");
        if !lit.to_string().contains(&written) {
            return lit.clone();
        }
        let Ok(s) = syn::parse2::<syn::LitStr>(TokenTree::Literal(lit.clone()).into()) else {
            return lit.clone();
        };
        let value = s.value();
        let mut text = String::with_capacity(value.len() + 32);
        let mut changed = false;
        let mut rest = value.as_str();
        while let Some(at) = rest.find(&written) {
            let before = rest[..at].chars().next_back();
            let after = rest[at + written.len()..].chars().next();
            let ident_char = |c: char| c.is_alphanumeric() || c == '_';
            let head = !before.is_some_and(|c| ident_char(c) || c == ':' || c == '>') && !after.is_some_and(ident_char);
            text.push_str(&rest[..at]);
            changed |= head;
            text.push_str(if head { &self.text } else { &written });
            rest = &rest[at + written.len()..];
        }
        text.push_str(rest);
        if !changed {
            return lit.clone();
        }
        let mut out = Literal::string(&text);
        out.set_span(lit.span());
        out
    }
}

/// Whether `tokens` start with `::runtime` (the `::` as one joint pair).
fn is_runtime_head(tokens: &[TokenTree]) -> bool {
    match tokens {
        [TokenTree::Punct(a), TokenTree::Punct(b), TokenTree::Ident(name), ..] => {
            a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':' && name == WRITTEN
        }
        _ => false,
    }
}

/// Whether a `::` after the tokens in `before` continues a path (`a::runtime`,
/// `self::runtime`) rather than starting an absolute one (`-> ::runtime`, `impl ::runtime`,
/// `impl<'de> ::runtime`, `(::runtime`). A `>` before `::` is taken to close generic
/// parameters: generated code has no item named `runtime` under a type (`<T>::runtime`).
fn continues_a_path(before: &[TokenTree]) -> bool {
    match before.last() {
        Some(TokenTree::Ident(prev)) => {
            let prev = prev.to_string();
            matches!(prev.as_str(), "self" | "super" | "crate" | "Self") || !is_keyword(&prev)
        }
        // An interpolated, undelimited group (a type or a path) before `::`.
        Some(TokenTree::Group(g)) => g.delimiter() == Delimiter::None,
        _ => false,
    }
}

/// Whether `word` is a Rust keyword (strict or reserved), after which a path starts afresh.
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "async" | "await" | "break" | "const" | "continue" | "crate" | "dyn" | "else" | "enum" | "extern" | "false" | "fn" | "for" | "if"
            | "impl" | "in" | "let" | "loop" | "match" | "mod" | "move" | "mut" | "pub" | "ref" | "return" | "self" | "Self" | "static" | "struct"
            | "super" | "trait" | "true" | "type" | "unsafe" | "use" | "where" | "while" | "abstract" | "become" | "box" | "do" | "final" | "gen"
            | "macro" | "override" | "priv" | "try" | "typeof" | "unsized" | "virtual" | "yield"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn rewritten(path: &str, tokens: TokenStream) -> String {
        RuntimePath::parse(path).unwrap().rewrite(tokens).to_string()
    }

    #[test]
    fn absolute_paths_are_rewritten_everywhere() {
        let code = quote! {
            #[serde(crate = "::runtime::serde", serialize_with = "::runtime::values::nullable::serialize")]
            /// Over a [`::runtime::client::Transport`].
            pub struct S { t: ::runtime::Timestamp, v: Vec<::runtime::Secret> }
            impl<'de> ::runtime::xml::FromXml for S {
                fn f() -> ::runtime::Result<()> { match x { _ => ::runtime::g() } }
            }
            use ::runtime;
        };
        let out = rewritten("::cloudservers_runtime", code);
        assert!(!out.contains(":: runtime") && !out.contains("::runtime"), "{out}");
        assert_eq!(out.matches("cloudservers_runtime").count(), 9, "{out}");
    }

    #[test]
    fn relative_paths_and_other_names_are_kept() {
        let code = quote! {
            fn f() -> a::runtime::X { self::runtime::y(); super::runtime::w(); ::runtime_other::z(); }
            #[doc = "see a::runtime::x and ::runtimes"]
            struct S;
        };
        let out = rewritten("::rt", code.clone());
        assert_eq!(out, code.to_string());
    }

    #[test]
    fn a_path_from_the_crate_root_replaces_the_leading_colons() {
        let out = rewritten("crate::support::rt", quote!(fn f(x: ::runtime::Secret) {}));
        assert_eq!(out, quote!(fn f(x: crate::support::rt::Secret) {}).to_string());
    }

    #[test]
    fn malformed_or_unusable_paths_are_refused() {
        for bad in ["", "::", "not a path", "runtime", "cloudservers_runtime::x", "self::rt", "super::rt", "::a::<T>", "::a::self", "crate::crate", "::fn"] {
            let err = RuntimePath::parse(bad).expect_err(bad);
            assert!(matches!(&err, Error::RuntimeCrate { path, .. } if path == bad), "{bad}: {err}");
        }
        assert_eq!(RuntimePath::parse(" :: my_rt :: inner ").unwrap().text(), "::my_rt::inner");
        assert_eq!(RuntimePath::parse("crate").unwrap().text(), "crate");
    }
}
