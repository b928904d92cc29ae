//! `build!`: a `#[non_exhaustive]` model from its default and the given fields, for tests.

/// Builds a model, which is `#[non_exhaustive]`, from its default and the given fields.
macro_rules! build {
    ($t:path { $($f:ident $(: $v:expr)?),* $(,)? }) => {{
        let mut v = <$t>::default();
        $(build!(@set v, $f $(, $v)?);)*
        v
    }};
    (@set $v:ident, $f:ident) => { $v.$f = $f; };
    (@set $v:ident, $f:ident, $e:expr) => { $v.$f = $e; };
}
