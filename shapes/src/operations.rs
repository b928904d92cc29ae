//! Operations as data: the method, path, parameters, bodies, responses and faults of each
//! documented operation, and the matcher that finds the operation a request is for.
//!
//! The schema crate projects its operations into these types (borrowing its strings) and
//! generated code holds the same values as `static` tables, so a server judging requests
//! and a suite judging a server read one description of every operation.

use crate::{Format, Type};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What an operation's path is relative to (in schema data: `endpoint`, `host`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Base {
    /// The service endpoint, which ends in the account (`.../v2/{tenant}`).
    #[default]
    Endpoint,
    /// The host root (version discovery, identity, RackConnect).
    Host,
}

/// How a request is authenticated (in schema data: `token`, `none`, `source-ip`,
/// `credentials`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    /// A token in the API's token header.
    Token,
    /// No authentication.
    None,
    /// The caller's source address (RackConnect).
    SourceIp,
    /// The credentials in the request itself (the identity exchange).
    Credentials,
}

/// A path or query parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param<'a> {
    /// The name (a path placeholder or a query key).
    pub name: Cow<'a, str>,
    /// The value type.
    pub ty: Type<'a>,
    /// Whether it must be given.
    pub required: bool,
    /// It picks the response format (RackConnect `format`).
    pub selects_format: bool,
    /// For a filter of a list call: the items it keeps.
    pub filter: Option<Filter<'a>>,
}

/// Which items of a list a filter parameter keeps: those whose `field` compares to the
/// parameter's value as `compare` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter<'a> {
    /// The model of the resources listed (`v2.Server`), whose field is compared (a list
    /// without details shows less of each item than the filter reads).
    pub of: Cow<'a, str>,
    /// The field compared: JSON names, `.` between levels (`image.id`).
    pub field: Cow<'a, str>,
    /// How it compares.
    #[serde(default)]
    pub compare: Compare,
}

/// How a filter compares an item's field with the parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compare {
    /// The same value.
    #[default]
    Equals,
    /// A number at least the value (`minRam`).
    AtLeast,
}

impl Filter<'_> {
    /// Whether the item (its JSON form) is kept when the parameter is `wanted`; an item
    /// without the field is not.
    pub fn keeps(&self, item: &serde_json::Value, wanted: &str) -> bool {
        let Some(v) = crate::value_at(item, &self.field) else { return false };
        match (self.compare, v) {
            (Compare::Equals, serde_json::Value::String(s)) => s == wanted,
            (Compare::Equals, other) => wanted.parse::<serde_json::Value>().is_ok_and(|w| w == *other),
            (Compare::AtLeast, v) => matches!((v.as_f64(), wanted.trim().parse::<f64>()), (Some(have), Ok(want)) if have >= want),
        }
    }
}

/// A request header an operation documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    /// The header name.
    pub name: Cow<'a, str>,
    /// Whether it must be sent.
    pub required: bool,
    /// Its value is a credential, never to be logged.
    pub secret: bool,
}

/// A request or response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body<'a> {
    /// The body model's id.
    pub model: Cow<'a, str>,
    /// The JSON key that wraps the model, if any.
    pub wrap: Option<Cow<'a, str>>,
    /// The formats it is offered in.
    pub formats: Cow<'a, [Format]>,
    /// The format used when none is asked for.
    pub default_format: Option<Format>,
}

/// A documented normal response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The body, when it has one.
    pub body: Option<Body<'a>>,
    /// The response headers documented for it.
    pub headers: Cow<'a, [Cow<'a, str>]>,
}

/// A fault an operation lists, with the codes listed there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRef<'a> {
    /// The fault's id (`v2.itemNotFound`).
    pub fault: Cow<'a, str>,
    /// The HTTP statuses listed for it.
    pub codes: Cow<'a, [u16]>,
}

/// One documented operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation<'a> {
    /// The schema id (`v2.servers.get`).
    pub id: Cow<'a, str>,
    /// The HTTP method, upper case.
    pub method: Cow<'a, str>,
    /// The path template, `{name}` for each path parameter.
    pub path: Cow<'a, str>,
    /// What the path is relative to.
    pub base: Base,
    /// For `POST .../action` operations: the body's action key (`reboot`).
    pub action: Option<Cow<'a, str>>,
    /// How requests are authenticated.
    pub auth: AuthKind,
    /// The path parameters, in path order.
    pub path_params: Cow<'a, [Param<'a>]>,
    /// The query parameters.
    pub query: Cow<'a, [Param<'a>]>,
    /// The request headers it documents.
    pub request_headers: Cow<'a, [Header<'a>]>,
    /// The request body, if it takes one.
    pub request: Option<Body<'a>>,
    /// The normal responses.
    pub responses: Cow<'a, [Response<'a>]>,
    /// The faults it lists.
    pub faults: Cow<'a, [FaultRef<'a>]>,
    /// The ids of the limits that apply to it.
    pub limits: Cow<'a, [Cow<'a, str>]>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'a, str>,
}

/// The path parameters of a matched request, in path order, percent-decoding left to the
/// caller (the values are the raw segments).
pub type PathValues<'p> = Vec<(&'p str, &'p str)>;

impl<'a> Operation<'a> {
    /// The path parameters when `path` (relative to [`Operation::base`], without query)
    /// fits this operation's template; `None` otherwise. A placeholder takes one whole,
    /// non-empty segment; literal segments compare exactly; a trailing slash counts.
    pub fn match_path<'p>(&'p self, path: &'p str) -> Option<PathValues<'p>> {
        let mut template = self.path.split('/');
        let mut given = path.split('/');
        let mut values = Vec::new();
        loop {
            match (template.next(), given.next()) {
                (None, None) => return Some(values),
                (Some(t), Some(g)) => match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(name) if !g.is_empty() => values.push((name, g)),
                    Some(_) => return None,
                    None if t == g => {}
                    None => return None,
                },
                _ => return None,
            }
        }
    }

    /// The response of this status, if documented.
    pub fn response(&self, status: u16) -> Option<&Response<'a>> {
        self.responses.iter().find(|r| r.status == status)
    }

    /// The first documented success response (`2xx`).
    pub fn success(&self) -> Option<&Response<'a>> {
        self.responses.iter().find(|r| (200..300).contains(&r.status))
    }
}

/// What a method and path select among operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'o, 'a, 'p> {
    /// One operation (for actions: the one whose action key the body has).
    Found(&'o Operation<'a>, PathValues<'p>),
    /// Several operations share the method and path: the actions of an actions path (told
    /// apart by the body's action key, [`Operation::action`]), or an operation and an
    /// extension's description of the same call.
    Several(Vec<&'o Operation<'a>>, PathValues<'p>),
    /// The path exists, but not with this method: the methods it has.
    WrongMethod(Vec<&'o str>),
    /// No operation has this path.
    NotFound,
}

/// The operation `method` and `path` select among `ops` (of one base). Literal segments
/// win over placeholders, so `/servers/detail` is not `/servers/{server_id}`.
///
/// For many requests over one table, [`Router`] does the same with the templates split
/// once.
pub fn route<'o, 'a, 'p>(ops: &'o [Operation<'a>], method: &str, path: &'p str) -> Route<'o, 'a, 'p>
where
    'o: 'p,
{
    Router::new(ops).route(method, path)
}

/// One segment of a path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'o> {
    Literal(&'o str),
    Param(&'o str),
}

/// Operations indexed by the number of segments of their path templates, each template
/// split once: what [`route`] does, without re-reading every template for every request.
#[derive(Debug, Clone)]
pub struct Router<'o, 'a> {
    /// By segment count: the operations with that many segments, in table order.
    by_length: Vec<Vec<(&'o Operation<'a>, Vec<Segment<'o>>)>>,
}

impl<'o, 'a> Router<'o, 'a> {
    /// An index of `ops` (of one base, in table order: that order is kept among the
    /// operations one request selects).
    pub fn new(ops: impl IntoIterator<Item = &'o Operation<'a>>) -> Self {
        let mut by_length: Vec<Vec<(&'o Operation<'a>, Vec<Segment<'o>>)>> = Vec::new();
        for op in ops {
            let segments: Vec<Segment<'o>> = op
                .path
                .split('/')
                .map(|t| match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(name) => Segment::Param(name),
                    None => Segment::Literal(t),
                })
                .collect();
            if by_length.len() <= segments.len() {
                by_length.resize_with(segments.len() + 1, Vec::new);
            }
            by_length[segments.len()].push((op, segments));
        }
        Router { by_length }
    }

    /// The operation `method` and `path` select (see [`route`]).
    pub fn route<'p>(&self, method: &str, path: &'p str) -> Route<'o, 'a, 'p>
    where
        'o: 'p,
    {
        let given: Vec<&'p str> = path.split('/').collect();
        let mut best: Option<(usize, Vec<&'o Operation<'a>>, PathValues<'p>)> = None;
        let mut methods: Vec<&'o str> = Vec::new();
        for (op, template) in self.by_length.get(given.len()).map(Vec::as_slice).unwrap_or_default() {
            let Some(values) = fit(template, &given) else { continue };
            if !op.method.eq_ignore_ascii_case(method) {
                if !methods.contains(&op.method.as_ref()) {
                    methods.push(op.method.as_ref());
                }
                continue;
            }
            // Fewer placeholders is the more specific template.
            let rank = values.len();
            match &mut best {
                Some((r, found, _)) if *r == rank => found.push(op),
                Some((r, _, _)) if *r < rank => {}
                _ => best = Some((rank, vec![op], values)),
            }
        }
        match best {
            Some((_, found, values)) if found.len() == 1 && found[0].action.is_none() => Route::Found(found[0], values),
            Some((_, found, values)) => Route::Several(found, values),
            None if !methods.is_empty() => Route::WrongMethod(methods),
            None => Route::NotFound,
        }
    }
}

/// The placeholders' values when the segments fit the template (of the same length).
fn fit<'o, 'p>(template: &[Segment<'o>], given: &[&'p str]) -> Option<PathValues<'p>>
where
    'o: 'p,
{
    let mut values = Vec::new();
    for (t, g) in template.iter().zip(given) {
        match *t {
            Segment::Param(name) if !g.is_empty() => values.push((name, *g)),
            Segment::Literal(l) if l == *g => {}
            _ => return None,
        }
    }
    Some(values)
}

/// Builders for `static` operation tables in generated code.
pub mod build {
    use super::*;
    use crate::s;

    /// A parameter.
    pub const fn param(name: &'static str, ty: Type<'static>, required: bool, selects_format: bool) -> Param<'static> {
        Param { name: s(name), ty, required, selects_format, filter: None }
    }

    /// A query parameter that filters a list.
    pub const fn filter_param(name: &'static str, ty: Type<'static>, of: &'static str, field: &'static str, compare: Compare) -> Param<'static> {
        Param { name: s(name), ty, required: false, selects_format: false, filter: Some(Filter { of: s(of), field: s(field), compare }) }
    }

    /// A request header.
    pub const fn header(name: &'static str, required: bool, secret: bool) -> Header<'static> {
        Header { name: s(name), required, secret }
    }

    /// A body.
    pub const fn body(
        model: &'static str,
        wrap: Option<&'static str>,
        formats: &'static [Format],
        default_format: Option<Format>,
    ) -> Body<'static> {
        let wrap = match wrap {
            Some(w) => Some(s(w)),
            None => None,
        };
        Body { model: s(model), wrap, formats: Cow::Borrowed(formats), default_format }
    }

    /// A response.
    pub const fn response(status: u16, body: Option<Body<'static>>, headers: &'static [Cow<'static, str>]) -> Response<'static> {
        Response { status, body, headers: Cow::Borrowed(headers) }
    }

    /// A fault reference.
    pub const fn fault(fault: &'static str, codes: &'static [u16]) -> FaultRef<'static> {
        FaultRef { fault: s(fault), codes: Cow::Borrowed(codes) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scalar;

    fn op(id: &'static str, method: &'static str, path: &'static str, action: Option<&'static str>) -> Operation<'static> {
        let params: Vec<Param<'static>> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|n| build::param(n, Type::scalar(Scalar::String), true, false))
            .collect();
        Operation {
            id: Cow::Borrowed(id),
            method: Cow::Borrowed(method),
            path: Cow::Borrowed(path),
            base: Base::Endpoint,
            action: action.map(Cow::Borrowed),
            auth: AuthKind::Token,
            path_params: Cow::Owned(params),
            query: Cow::Borrowed(&[]),
            request_headers: Cow::Borrowed(&[]),
            request: None,
            responses: Cow::Borrowed(&[]),
            faults: Cow::Borrowed(&[]),
            limits: Cow::Borrowed(&[]),
            source: Cow::Borrowed("test"),
        }
    }

    fn ops() -> Vec<Operation<'static>> {
        vec![
            op("servers.list", "GET", "/servers", None),
            op("servers.detail", "GET", "/servers/detail", None),
            op("servers.get", "GET", "/servers/{server_id}", None),
            op("servers.delete", "DELETE", "/servers/{server_id}", None),
            op("servers.reboot", "POST", "/servers/{server_id}/action", Some("reboot")),
            op("servers.resize", "POST", "/servers/{server_id}/action", Some("resize")),
            op("versions.get", "GET", "/v2/", None),
        ]
    }

    #[test]
    fn literal_segments_win_over_placeholders() {
        let ops = ops();
        match route(&ops, "GET", "/servers/detail") {
            Route::Found(o, v) => assert_eq!((o.id.as_ref(), v.len()), ("servers.detail", 0)),
            other => panic!("{other:?}"),
        }
        match route(&ops, "GET", "/servers/abc") {
            Route::Found(o, v) => assert_eq!((o.id.as_ref(), v), ("servers.get", vec![("server_id", "abc")])),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_actions_path_lists_its_actions() {
        let ops = ops();
        match route(&ops, "POST", "/servers/abc/action") {
            Route::Several(found, v) => {
                let ids: Vec<&str> = found.iter().map(|o| o.id.as_ref()).collect();
                assert_eq!(ids, ["servers.reboot", "servers.resize"]);
                assert_eq!(v, vec![("server_id", "abc")]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_method_and_unknown_paths() {
        let ops = ops();
        assert_eq!(route(&ops, "PUT", "/servers/abc"), Route::WrongMethod(vec!["GET", "DELETE"]));
        assert_eq!(route(&ops, "GET", "/flavors"), Route::NotFound);
        // An empty segment is no value; a trailing slash is part of the path.
        assert_eq!(route(&ops, "GET", "/servers/"), Route::NotFound);
        assert!(matches!(route(&ops, "GET", "/v2/"), Route::Found(..)));
        assert_eq!(route(&ops, "GET", "/v2"), Route::NotFound);
    }
}
