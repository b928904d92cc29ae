//! Limits as data (rate, absolute, field, pagination, changes-since, token lifetime,
//! caching) and the checks the generated validators run on a request before it is sent.
//!
//! The generated `limits` module of each API holds one constant per limit of the schema
//! and `validate_<operation>` functions that check the field limits of a request; a
//! request they refuse is one the service would refuse too, and [`LimitViolation`]
//! names the status and fault the service would answer with.
//!
//! The limit types and their rules are those of [`shapes::limits`], which the schema uses
//! too; they are re-exported here. The checks that report a [`LimitViolation`] are
//! [`FieldLimitCheck`]'s.

use crate::faults::FaultBody;
pub use shapes::limits::{
    AbsoluteLimit, AccountLimits, Caching, ChangesSince, Exceeded, FieldLimit, Pagination, RateLimit, RateUnit, TokenLifetime,
    UsageCounter,
};

/// The checks of a request's field against a [`FieldLimit`], reporting what the service
/// would answer.
pub trait FieldLimitCheck {
    /// Checks a length in bytes against `max_bytes` (see [`FieldLimit::bound`]).
    fn check_bytes(&self, len: usize, account: &AccountLimits) -> Result<(), LimitViolation>;

    /// Checks a number of items against `max_count` (see [`FieldLimit::bound`]).
    fn check_count(&self, count: usize, account: &AccountLimits) -> Result<(), LimitViolation>;
}

impl FieldLimitCheck for FieldLimit {
    fn check_bytes(&self, len: usize, account: &AccountLimits) -> Result<(), LimitViolation> {
        match self.max_bytes_for(account) {
            Some(max) if len as u64 > max => Err(violation(self, len as u64, max, "bytes")),
            _ => Ok(()),
        }
    }

    fn check_count(&self, count: usize, account: &AccountLimits) -> Result<(), LimitViolation> {
        match self.max_count_for(account) {
            Some(max) if count as u64 > max => Err(violation(self, count as u64, max, "items")),
            _ => Ok(()),
        }
    }
}

fn violation(l: &FieldLimit, actual: u64, max: u64, unit: &str) -> LimitViolation {
    let field = l.field.as_deref().unwrap_or(&l.name);
    LimitViolation {
        limit: l.id.as_ref().into(),
        message: format!("{} is {actual} {unit}, more than the {max} allowed (limit {}, field {field})", l.name, l.id),
        field: field.into(),
        status: l.refused_with.status,
        fault: l.refused_with.fault.as_deref().map(Into::into),
        fault_name: l.refused_with.fault_name.as_deref().map(Into::into),
        documented: l.exceeded.is_some(),
        max,
        actual,
    }
}

/// A request refused before it is sent because a field exceeds a documented limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LimitViolation {
    /// The limit's schema id (`v2.field.metadata-key`).
    pub limit: Box<str>,
    /// The field path (or the limit's name when it has no path).
    pub field: Box<str>,
    /// The status the service would answer with.
    pub status: u16,
    /// The fault id the service would answer with.
    pub fault: Option<Box<str>>,
    /// The fault's name (`badRequest`, `overLimit`).
    pub fault_name: Option<Box<str>>,
    /// Whether the document names the status and fault; when false they are the
    /// default 400 `badRequest`.
    pub documented: bool,
    /// The limit.
    pub max: u64,
    /// What the request has.
    pub actual: u64,
    /// What is wrong, in words.
    pub message: String,
}

impl LimitViolation {
    /// The fault the service would answer with, as a local fault body for the generated
    /// error enums' `from_fault`.
    pub fn to_fault(&self) -> FaultBody {
        FaultBody::local(self.status, self.fault_name.as_deref(), self.message.clone())
    }
}

/// Why a request body could not be checked, or what it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestCheckError {
    /// The body does not decode into the operation's request model.
    #[error("request body does not decode: {0}")]
    Decode(String),
    /// The body breaks a field limit.
    #[error(transparent)]
    Limit(#[from] LimitViolation),
}

/// The number of bytes a base64 text decodes to (whitespace and padding ignored), without
/// decoding it; text that is not valid base64 still gets a size, by the same count.
pub fn base64_decoded_len(text: &str) -> usize {
    let symbols = text.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'=').count();
    symbols / 4 * 3 + (symbols % 4 * 3) / 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    const L: FieldLimit = FieldLimit {
        id: Cow::Borrowed("x.field.key"),
        name: Cow::Borrowed("metadata key"),
        max_bytes: Some(3),
        max_count: None,
        field: Some(Cow::Borrowed("metadata{key}")),
        account_limit: None,
        applies_to: Cow::Borrowed(&[Cow::Borrowed("x.op")]),
        exceeded: None,
        refused_with: Exceeded {
            status: 400,
            fault: Some(Cow::Borrowed("x.badRequest")),
            fault_name: Some(Cow::Borrowed("badRequest")),
            retry_header: None,
        },
        source: Cow::Borrowed("doc, Table 1"),
    };

    #[test]
    fn field_checks() {
        let none = AccountLimits::unknown();
        assert!(L.check_bytes(3, &none).is_ok());
        let v = L.check_bytes(4, &none).unwrap_err();
        assert_eq!((v.status, v.fault_name.as_deref(), v.max, v.actual, v.documented), (400, Some("badRequest"), 3, 4, false));
        assert_eq!((&*v.limit, &*v.field), ("x.field.key", "metadata{key}"));
        assert!(v.message.contains("x.field.key"));
        assert!(L.check_count(1000, &none).is_ok(), "no max_count: nothing to check");
        let f = v.to_fault();
        assert_eq!((f.status, f.name.as_deref(), f.code), (400, Some("badRequest"), Some(400)));
    }

    #[test]
    fn account_limits_replace_defaults_and_unknown_ones_are_not_checked() {
        let meta = FieldLimit { account_limit: Some(Cow::Borrowed("maxServerMeta")), max_count: Some(20), max_bytes: None, ..L };
        assert!(meta.check_count(25, &AccountLimits::unknown()).is_ok(), "the documented 20 is only a default");
        assert!(meta.check_count(25, &AccountLimits::unknown().with("maxServerMeta", 40)).is_ok());
        let v = meta.check_count(41, &AccountLimits::unknown().with("maxServerMeta", 40)).unwrap_err();
        assert_eq!(v.max, 40);
        assert!(meta.check_count(1000, &AccountLimits::unknown().with("maxServerMeta", -1)).is_ok(), "-1 is unlimited");
    }

    #[test]
    fn base64_sizes() {
        for (text, len) in [("", 0), ("QQ==", 1), ("QUI=", 2), ("QUJD", 3), ("QUJDRA==", 4), ("QUJD\nREVG", 6)] {
            assert_eq!(base64_decoded_len(text), len, "{text}");
        }
    }
}
