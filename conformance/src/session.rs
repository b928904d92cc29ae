//! A run's connection to the target: requests built from the schema's operations, with
//! documented bodies, the run's credentials and the parameters the fixture captured.

use crate::checks::Wire as Format;
use crate::fixture::Fixture;
use crate::wire::{Incoming, Outgoing, Wire};
use schema::examples::{Direction, ExampleFormat};
use schema::models::{FieldRole, TypeExpr};
use schema::operations::{HeaderRole, Operation};
use schema::Schema;
use serde_json::Value;
use std::time::Duration;

/// A step into a JSON document.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// What a path segment escapes: all but the unreserved characters.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// How long things may take, and what the run sends in place of documented values.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The longest wait for a resource to settle.
    pub wait_timeout: Duration,
    /// Between polls on a real clock.
    pub poll_interval: Duration,
    /// How far a virtual clock is moved between polls.
    pub clock_step: Duration,
    /// Documented values and what the run sends instead (an image of the target for the
    /// documents' image id, ...), applied to requests and to expected responses.
    pub substitutions: Vec<(String, String)>,
    /// The run's user name and secrets, for the identity operations.
    pub username: Option<String>,
    /// The password, when the run has one.
    pub password: Option<String>,
    /// The API key, when the run has one.
    pub api_key: Option<String>,
    /// The run's tenant (account), when known.
    pub tenant: Option<String>,
    /// The address the run's requests come from, as the target sees it.
    pub source_address: String,
    /// What the names of resources the run makes start with, so that they are its own.
    pub prefix: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            wait_timeout: Duration::from_secs(600),
            poll_interval: Duration::from_secs(5),
            clock_step: Duration::from_secs(30),
            substitutions: Vec::new(),
            username: None,
            password: None,
            api_key: None,
            tenant: None,
            source_address: "127.0.0.1".to_string(),
            prefix: format!("cst{:06x}-", std::process::id() ^ 0x5a5a5a),
        }
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// Its media type.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The documented names it gives resources, and the names the run sent instead.
    pub names: Vec<(String, String)>,
    /// The resources it refers to (the schema's `value_from`), and the run's values of them.
    pub references: Vec<(schema::operations::ParamSource, String)>,
}

impl Body {
    /// A body of these bytes, naming nothing.
    pub fn new(content_type: impl Into<String>, bytes: Vec<u8>) -> Body {
        Body { content_type: content_type.into(), bytes, names: Vec::new(), references: Vec::new() }
    }
}

/// What came of a call.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A response.
    Received(Incoming),
    /// No response: the transport failed (timeout, reset, ...).
    Failed(String),
    /// The request could not be built (the target lacks the API).
    Unsent(String),
}

/// The shared state of a run.
pub struct Session<'s> {
    /// The schema the checks come from.
    pub schema: &'s Schema,
    /// The wire to the target.
    pub wire: Wire,
    /// The shared prerequisites.
    pub fixture: Fixture,
    /// Timeouts and substitutions.
    pub settings: Settings,
    /// How many names the run has given.
    pub names_given: std::sync::atomic::AtomicU64,
}

impl<'s> Session<'s> {
    /// The URL of `op` with its path parameters, or why there is none.
    pub fn url(&self, op: &Operation, params: &[(String, String)], format: Format) -> Result<String, String> {
        let root = match op.base {
            shapes::operations::Base::Endpoint => self.wire.endpoints.endpoint_of(op.api),
            _ => self.wire.endpoints.host_of(op.api),
        }
        .ok_or_else(|| format!("the target has no endpoint of the {} API", op.api.as_str()))?;
        let mut path = op.path.clone();
        for (k, v) in params {
            path = path.replace(&format!("{{{k}}}"), &percent_encoding::utf8_percent_encode(v, SEGMENT).to_string());
        }
        let mut url = format!("{}{}", root.trim_end_matches('/'), if path == "/" { "/" } else { &path });
        // A documented format parameter asks for the format.
        if let Some(q) = op.query.iter().find(|q| q.selects_format) {
            url.push_str(&format!("?{}={}", q.name, format.as_str()));
        }
        Ok(url)
    }

    /// Sends `op` with the parameters and body, asking for `format`; extra headers after.
    pub async fn call(&self, check: &str, op: &Operation, params: &[(String, String)], body: Option<&Body>, format: Format, headers: &[(String, String)]) -> Answer {
        self.call_traced(check, op, params, body, format, headers).await.0
    }

    /// [`Session::call`], with the `curl` line of what was sent.
    pub async fn call_traced(&self, check: &str, op: &Operation, params: &[(String, String)], body: Option<&Body>, format: Format, headers: &[(String, String)]) -> (Answer, String) {
        self.send_op(check, op, params, body, format, headers, true).await
    }

    /// [`Session::call_traced`], answering a `413` as it comes (the check asked for it).
    pub async fn call_once(&self, check: &str, op: &Operation, params: &[(String, String)], body: Option<&Body>, format: Format) -> (Answer, String) {
        self.send_op(check, op, params, body, format, &[], false).await
    }

    /// [`Session::call_traced`] at a URL of the operation's the caller has: with query
    /// parameters of its own, or a link a response gave.
    pub async fn call_at(&self, check: &str, op: &Operation, url: String, format: Format) -> (Answer, String) {
        self.send_to(check, op, url, None, format, &[], true).await
    }

    /// The URL of `op` with its path parameters and these query parameters besides the
    /// format one.
    pub fn url_with_query(&self, op: &Operation, params: &[(String, String)], query: &[(&str, &str)], format: Format) -> Result<String, String> {
        let mut url = self.url(op, params, format)?;
        for (k, v) in query {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&percent_encoding::utf8_percent_encode(k, SEGMENT).to_string());
            url.push('=');
            url.push_str(&percent_encoding::utf8_percent_encode(v, SEGMENT).to_string());
        }
        Ok(url)
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_op(&self, check: &str, op: &Operation, params: &[(String, String)], body: Option<&Body>, format: Format, headers: &[(String, String)], wait_out_limits: bool) -> (Answer, String) {
        let url = match self.url(op, params, format) {
            Ok(u) => u,
            Err(why) => return (Answer::Unsent(why), String::new()),
        };
        self.send_to(check, op, url, body, format, headers, wait_out_limits).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_to(&self, check: &str, op: &Operation, url: String, body: Option<&Body>, format: Format, headers: &[(String, String)], wait_out_limits: bool) -> (Answer, String) {
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let token_header = (op.auth == schema::operations::Auth::Token).then(|| self.schema.token_header().unwrap_or("X-Auth-Token").to_string());
        let mut all = self.credential_headers(op);
        all.extend(headers.iter().cloned());
        let accept = (!op.query.iter().any(|q| q.selects_format)).then_some(format.format());
        let out = Outgoing { operation: op.id.clone(), method, url, headers: all, body: body.map(|b| (b.content_type.clone(), b.bytes.clone())), accept, asked: format.format(), token_header };
        // A rate limit of the target is waited out as it asks (the run's own pace is not
        // what a check is about); the limits themselves are checked on purpose elsewhere.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let x = self.wire.send(check, out.clone()).await;
            let curl = crate::target::redact(&x.reproduction());
            match x.response {
                Ok(r) => {
                    let wait = if wait_out_limits && attempts < 10 { self.retry_wait(op, &r).await } else { None };
                    match wait {
                        // The target's clock may not be the run's: a wait that did not do
                        // is doubled.
                        Some(d) => self.wait_out(d.max(Duration::from_secs(1 << attempts.min(9)))).await,
                        None => return (Answer::Received(r), curl),
                    }
                }
                Err(e) => return (Answer::Failed(e), curl),
            }
        }
    }

    /// How long a `413` of a rate limit asks to wait, when it says and it is not longer
    /// than a resource may take to settle.
    async fn retry_wait(&self, op: &Operation, r: &Incoming) -> Option<Duration> {
        if r.status != 413 {
            return None;
        }
        let facts = crate::target::api_facts(op.api)?;
        // The target's time: its virtual clock's, else its Date header's, else the run's.
        let virtual_now = self.control_answer("clock", &serde_json::json!({"advance_seconds": 0})).await.ok().and_then(|v| v.get("now")?.as_str()?.parse::<jiff::Timestamp>().ok());
        let now = virtual_now
            .map(std::time::SystemTime::from)
            .or_else(|| r.header("date").and_then(|d| httpdate::parse_http_date(d).ok()))
            .unwrap_or_else(std::time::SystemTime::now);
        // A virtual clock passes any wait at once (a daily limit too); a real one only what
        // a resource may take to settle.
        let longest = if self.wire.endpoints.control.is_some() { Duration::from_secs(2 * 86_400) } else { self.settings.wait_timeout };
        // Without a time the run can read, it waits as for one that passed: doubling.
        Some(runtime::client::retry_delay(r.status, &r.headers, &r.body, facts.faults, now).unwrap_or_default()).filter(|d| *d <= longest)
    }

    /// Lets `d` pass: on a virtual clock at once, else by sleeping.
    async fn wait_out(&self, d: Duration) {
        let step = d + Duration::from_secs(1);
        if self.control("clock", &serde_json::json!({"advance_seconds": step.as_secs_f64()})).await.is_err() {
            tokio::time::sleep(step).await;
        }
    }

    /// The run's credentials in the headers of a credentials exchange (v1.0 auth).
    fn credential_headers(&self, op: &Operation) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let (Some(h), Some(u)) = (op.request_header_with_role(HeaderRole::AuthUser), &self.settings.username) {
            out.push((h.name.clone(), u.clone()));
        }
        if let (Some(h), Some(k)) = (op.request_header_with_role(HeaderRole::AuthKey), &self.settings.api_key) {
            out.push((h.name.clone(), k.clone()));
        }
        out
    }

    /// The first documented request body of `op` in `format` (with the run's values
    /// substituted), or `None` when the operation takes no body or none is documented.
    pub fn documented_request(&self, op: &Operation, format: Format) -> Option<Body> {
        let e = self.request_example(op, format)?;
        self.request_body(op, e)
    }

    /// The first documented request of `op` in `format`; for an operation without one, the
    /// first of another operation that takes the same body (set and update of metadata).
    pub fn request_example(&self, op: &Operation, format: Format) -> Option<&'s schema::examples::Example> {
        let body = op.request.as_ref()?;
        let of = |o: &Operation| {
            self.schema.examples.iter().find(|e| e.operation == o.id && e.direction == Direction::Request && (example_format(e.format) == Some(format) || (format == Format::Json && e.shell_payload().is_some())))
        };
        of(op).or_else(|| {
            self.schema
                .operations
                .iter()
                .filter(|o| o.api == op.api && o.request.as_ref().is_some_and(|b| b.model == body.model && b.wrap == body.wrap))
                .find_map(of)
        })
    }

    /// The body of a request example, with the run's credentials and substitutions.
    pub fn request_body(&self, op: &Operation, e: &schema::examples::Example) -> Option<Body> {
        let shell = (e.direction == Direction::Request).then(|| e.shell_payload()).flatten();
        let format = example_format(e.format).or(shell.as_ref().map(|_| Format::Json))?;
        let mut names = Vec::new();
        let bytes = match format {
            Format::Json => {
                let mut v = shell.or_else(|| e.body.clone())?;
                if let Some(b) = &op.request {
                    self.fill_json(&b.model, b.wrap.as_deref(), &mut v, &mut names);
                }
                serde_json::to_vec(&v).ok()?
            }
            _ => {
                let mut text = e.body_text()?.to_string();
                for (from, to) in self.credential_substitutions(e) {
                    text = text.replace(&from, &to);
                }
                for (from, to) in &self.settings.substitutions {
                    text = text.replace(&format!("\"{from}\""), &format!("\"{to}\""));
                }
                if let (Some(b), Ok(root)) = (&op.request, xml_dom::parse(&text)) {
                    for (attribute, old) in self.xml_names(&b.model, &root) {
                        let own = self.own_name(&old, &mut names);
                        text = text.replacen(&format!("{attribute}=\"{old}\""), &format!("{attribute}=\"{own}\""), 1);
                    }
                }
                text.into_bytes()
            }
        };
        Some(Body { content_type: format.format().media_type().to_string(), bytes, names, references: Vec::new() })
    }

    /// The first documented request of `op` in `format`, its references to other
    /// resources (the schema's `value_from`) replaced by the target's.
    pub async fn prepared_request(&self, op: &Operation, format: Format) -> Result<Option<Body>, String> {
        match self.documented_request(op, format) {
            Some(b) => self.resolve_references(op, b).await.map(Some),
            None => Ok(None),
        }
    }

    /// A request body with the values of fields that refer to other resources (an image,
    /// a flavor, a server) replaced by those the target yields, captured by the fixture.
    pub async fn resolve_references(&self, op: &Operation, body: Body) -> Result<Body, String> {
        self.resolve_references_as(op, body, &mut None).await
    }

    /// [`Session::resolve_references`]; with `own` given, a resource another operation
    /// makes (a server an image is made of, a server a shared IP group is made with) is
    /// made afresh for this request, and its id pushed to `own` (the caller releases it).
    pub async fn resolve_references_as(&self, op: &Operation, body: Body, own: &mut Option<Vec<(schema::operations::ParamSource, String)>>) -> Result<Body, String> {
        let Some(req) = &op.request else { return Ok(body) };
        if let Ok(mut v) = serde_json::from_slice::<Value>(&body.bytes) {
            let mut found = Vec::new();
            let inner = match &req.wrap {
                Some(w) => v.get(w).cloned().unwrap_or(Value::Null),
                None => v.clone(),
            };
            self.json_references(&req.model, &inner, &mut Vec::new(), &mut found);
            let mut references = Vec::new();
            for (path, source) in found {
                let value = self.reference(source, own).await?;
                references.push((source.clone(), value.clone()));
                let mut at = match &req.wrap {
                    Some(w) => v.get_mut(w),
                    None => Some(&mut v),
                };
                for step in &path {
                    at = at.and_then(|x| match step {
                        Step::Key(k) => x.get_mut(k),
                        Step::Index(i) => x.get_mut(*i),
                    });
                }
                if let Some(slot) = at {
                    *slot = match (slot.is_number(), value.parse::<i64>()) {
                        (true, Ok(n)) => Value::from(n),
                        _ => Value::String(value),
                    };
                }
            }
            return Ok(Body { bytes: serde_json::to_vec(&v).unwrap_or(body.bytes), references, ..body });
        }
        let text = String::from_utf8_lossy(&body.bytes).into_owned();
        let Ok(root) = xml_dom::parse(&text) else { return Ok(body) };
        let mut found = Vec::new();
        self.xml_references(&req.model, &root, &mut found);
        let mut text = text;
        let mut references = Vec::new();
        for (attribute, old, source) in found {
            let value = self.reference(source, own).await?;
            text = text.replace(&format!("{attribute}=\"{old}\""), &format!("{attribute}=\"{value}\""));
            references.push((source.clone(), value));
        }
        Ok(Body { bytes: text.into_bytes(), references, ..body })
    }

    /// A request body of `op` that also refers to these resources: each field of the
    /// request's model whose values come from one of their sources, and that the body
    /// leaves out, is set to the resource's value (a server made for a check that shares
    /// an address of a group is made in that group).
    pub fn relate(&self, op: &Operation, body: Body, related: &[(schema::operations::ParamSource, String)]) -> Body {
        let Some(req) = &op.request else { return body };
        let Some(model) = self.schema.model(&req.model) else { return body };
        let Ok(mut v) = serde_json::from_slice::<Value>(&body.bytes) else { return body };
        let inner = match &req.wrap {
            Some(w) => v.get_mut(w),
            None => Some(&mut v),
        };
        let Some(Value::Object(fields)) = inner else { return body };
        for f in &model.fields {
            let Some(value) = f.value_from.as_ref().and_then(|src| related.iter().find(|(r, _)| self.same_resource(r, src))).map(|(_, v)| v) else { continue };
            if fields.contains_key(&f.name) {
                continue;
            }
            let number = matches!(f.ty, TypeExpr::Scalar(shapes::Scalar::Integer)).then(|| value.parse::<i64>().ok()).flatten();
            fields.insert(f.name.clone(), number.map_or_else(|| Value::String(value.clone()), Value::from));
        }
        Body { bytes: serde_json::to_vec(&v).unwrap_or(body.bytes), ..body }
    }

    /// Whether two sources yield ids of the same kind of resource: the same source, or
    /// operations of one collection (its list and its create share a path) and the same
    /// last key (`/sharedIpGroups/0/id`, `/sharedIpGroup/id`).
    fn same_resource(&self, a: &schema::operations::ParamSource, b: &schema::operations::ParamSource) -> bool {
        if crate::fixture::same(a, b) {
            return true;
        }
        let (Some(x), Some(y)) = (self.schema.operation(&a.operation), self.schema.operation(&b.operation)) else { return false };
        x.api == y.api && x.path == y.path && a.pointer.rsplit('/').next() == b.pointer.rsplit('/').next()
    }

    /// The value of a reference: shared, or the request's own for a made resource.
    async fn reference(&self, source: &schema::operations::ParamSource, own: &mut Option<Vec<(schema::operations::ParamSource, String)>>) -> Result<String, String> {
        let made = self.schema.operation(&source.operation).is_some_and(|o| o.method == "POST");
        match own {
            Some(list) if made => {
                let v = Box::pin(self.fixture.make(self, source, "fixture")).await?;
                list.push((source.clone(), v.clone()));
                Ok(v)
            }
            _ => Box::pin(self.fixture.shared(self, source)).await,
        }
    }

    fn json_references(&self, model: &str, v: &Value, path: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, &'s schema::operations::ParamSource)>) {
        let Some(m) = self.schema.model(model) else { return };
        let Value::Object(map) = v else { return };
        for f in &m.fields {
            let Some(fv) = map.get(&f.name) else { continue };
            path.push(Step::Key(f.name.clone()));
            match (&f.value_from, &f.ty) {
                (Some(src), _) => out.push((path.clone(), src)),
                (None, TypeExpr::Model(id)) => self.json_references(id, fv, path, out),
                (None, TypeExpr::Array(inner)) => {
                    if let (TypeExpr::Model(id), Value::Array(items)) = (inner.as_ref(), fv) {
                        for (i, item) in items.iter().enumerate() {
                            path.push(Step::Index(i));
                            self.json_references(id, item, path, out);
                            path.pop();
                        }
                    }
                }
                _ => {}
            }
            path.pop();
        }
    }

    /// A name of the run's own for a documented one: the run's prefix and a number, so that
    /// no two resources the run makes share a name; kept for the body being built.
    fn own_name(&self, documented: &str, names: &mut Vec<(String, String)>) -> String {
        let n = self.names_given.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let own = format!("{}{n}-{documented}", self.settings.prefix);
        names.push((documented.to_string(), own.clone()));
        own
    }

    /// The attributes of an XML request that hold the names of resources it makes.
    fn xml_names(&self, model: &str, el: &xml_dom::Element) -> Vec<(String, String)> {
        let Some(m) = self.schema.model(model) else { return Vec::new() };
        m.fields
            .iter()
            .filter(|f| f.role == Some(FieldRole::ResourceName))
            .filter_map(|f| f.xml.as_ref()?.attribute.clone())
            .filter_map(|a| el.attributes.iter().find(|(n, _)| n.local == a).map(|(_, v)| (a, v.clone())))
            .collect()
    }

    fn xml_references(&self, model: &str, el: &xml_dom::Element, out: &mut Vec<(String, String, &'s schema::operations::ParamSource)>) {
        let Some(m) = self.schema.model(model) else { return };
        for f in &m.fields {
            let Some(x) = &f.xml else { continue };
            if let (Some(src), Some(a)) = (&f.value_from, &x.attribute) {
                if let Some((_, old)) = el.attributes.iter().find(|(n, _)| n.local == *a) {
                    out.push((a.clone(), old.clone(), src));
                }
            }
            let nested = match &f.ty {
                TypeExpr::Model(id) => Some(id),
                TypeExpr::Array(inner) => match inner.as_ref() {
                    TypeExpr::Model(id) => Some(id),
                    _ => None,
                },
                _ => None,
            };
            // A scalar in an attribute of its own element (`<server id="422"/>`).
            if let (Some(src), Some(name), Some(va)) = (&f.value_from, &x.element, &x.value_attribute) {
                for c in el.children.iter().filter(|c| c.name.local == *name) {
                    if let Some((_, old)) = c.attributes.iter().find(|(n, _)| n.local == *va) {
                        out.push((va.clone(), old.clone(), src));
                    }
                }
            }
            if let (Some(id), Some(name)) = (nested, &x.element) {
                for c in el.children.iter().filter(|c| c.name.local == *name) {
                    self.xml_references(id, c, out);
                }
            }
        }
    }

    /// The documented credentials of an example and the run's in their place.
    fn credential_substitutions(&self, e: &schema::examples::Example) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let Some(text) = e.body_text().map(str::to_string).or_else(|| e.body.as_ref().map(Value::to_string)) else { return out };
        for m in &self.schema.models {
            for f in &m.fields {
                let run = match f.role {
                    Some(FieldRole::CredentialUser) => self.settings.username.clone(),
                    Some(FieldRole::CredentialSecret) => self.settings.password.clone().or(self.settings.api_key.clone()),
                    _ => None,
                };
                let Some(run) = run else { continue };
                // The documented value of the field, as an XML attribute of the example.
                let name = f.xml.as_ref().and_then(|x| x.attribute.clone()).unwrap_or_else(|| f.name.clone());
                let pat = format!("{name}=\"");
                if let Some(i) = text.find(&pat) {
                    let rest = &text[i + pat.len()..];
                    if let Some(j) = rest.find('"') {
                        out.push((format!("{pat}{}\"", &rest[..j]), format!("{pat}{run}\"")));
                    }
                }
            }
        }
        out
    }

    /// A request of the credentials exchange `op` signed in as `user` with `secret`: its
    /// first documented request with password credentials, those filled in.
    pub fn signed_in_as(&self, op: &Operation, user: &str, secret: &str) -> Option<Body> {
        let req = op.request.as_ref()?;
        let documented = self.schema.examples.iter().filter(|e| e.operation == op.id && e.direction == Direction::Request).filter_map(|e| match e.format {
            ExampleFormat::Json => e.body.clone(),
            _ => e.shell_payload(),
        });
        for mut v in documented {
            let inner = match &req.wrap {
                Some(w) => v.get_mut(w),
                None => Some(&mut v),
            };
            if inner.is_some_and(|i| self.put_credentials(&req.model, i, None, user, secret)) {
                return serde_json::to_vec(&v).ok().map(|bytes| Body::new(Format::Json.format().media_type(), bytes));
            }
        }
        None
    }

    /// Sets the user and secret of password credentials in a value of `model`; whether it
    /// held them.
    fn put_credentials(&self, model: &str, v: &mut Value, kind: Option<FieldRole>, user: &str, secret: &str) -> bool {
        let (Some(m), Value::Object(map)) = (self.schema.model(model), v) else { return false };
        let mut held = false;
        for f in &m.fields {
            let Some(fv) = map.get_mut(&f.name) else { continue };
            match (f.role, kind) {
                (Some(FieldRole::CredentialUser), Some(FieldRole::PasswordCredentials)) => *fv = Value::String(user.to_string()),
                (Some(FieldRole::CredentialSecret), Some(FieldRole::PasswordCredentials)) => {
                    *fv = Value::String(secret.to_string());
                    held = true;
                }
                _ => {}
            }
            if let TypeExpr::Model(id) = &f.ty {
                held |= self.put_credentials(id, fv, f.role.filter(|r| *r == FieldRole::PasswordCredentials).or(kind), user, secret);
            }
        }
        held
    }

    /// The kind of credentials a request body of `op` holds that the run has no secret of
    /// (API key credentials when the run signs in with a password only).
    pub fn lacking_secret(&self, op: &Operation, body: &Body) -> Option<&'static str> {
        let req = op.request.as_ref()?;
        let v: Value = serde_json::from_slice(&body.bytes).ok()?;
        let inner = match &req.wrap {
            Some(w) => v.get(w)?,
            None => &v,
        };
        let mut kinds = Vec::new();
        self.credential_kinds(&req.model, inner, &mut kinds);
        kinds.into_iter().find_map(|k| match k {
            FieldRole::ApiKeyCredentials if self.settings.api_key.is_none() => Some("an API key"),
            FieldRole::PasswordCredentials if self.settings.password.is_none() => Some("a password"),
            _ => None,
        })
    }

    fn credential_kinds(&self, model: &str, v: &Value, out: &mut Vec<FieldRole>) {
        let (Some(m), Value::Object(map)) = (self.schema.model(model), v) else { return };
        for f in &m.fields {
            let Some(fv) = map.get(&f.name) else { continue };
            if let Some(r) = f.role.filter(|r| matches!(r, FieldRole::PasswordCredentials | FieldRole::ApiKeyCredentials)) {
                out.push(r);
            }
            if let TypeExpr::Model(id) = &f.ty {
                self.credential_kinds(id, fv, out);
            }
        }
    }

    /// Fills a JSON request: fields with credential roles get the run's credentials
    /// (the secret of the credentials' kind), and substitutions apply to every string.
    fn fill_json(&self, model: &str, wrap: Option<&str>, v: &mut Value, names: &mut Vec<(String, String)>) {
        let inner = match wrap {
            Some(w) => match v.get_mut(w) {
                Some(i) => i,
                None => return,
            },
            None => v,
        };
        self.fill_model(model, inner, None, names);
    }

    fn fill_model(&self, model: &str, v: &mut Value, kind: Option<FieldRole>, names: &mut Vec<(String, String)>) {
        let Some(m) = self.schema.model(model) else { return };
        match v {
            Value::Object(map) => {
                for f in &m.fields {
                    let Some(fv) = map.get_mut(&f.name) else { continue };
                    let secret = match kind {
                        Some(FieldRole::ApiKeyCredentials) => self.settings.api_key.clone(),
                        _ => self.settings.password.clone(),
                    };
                    match f.role {
                        Some(FieldRole::ResourceName) => {
                            if let Value::String(n) = fv {
                                let own = self.own_name(n, names);
                                *n = own;
                            }
                        }
                        Some(FieldRole::CredentialUser) if kind.is_some() => {
                            if let Some(u) = &self.settings.username {
                                *fv = Value::String(u.clone());
                            }
                        }
                        Some(FieldRole::CredentialSecret) if kind.is_some() => {
                            if let Some(s) = secret {
                                *fv = Value::String(s);
                            }
                        }
                        // A secret the request gives what it makes (a new user's password):
                        // the run's own, never the documents' or the run's credentials.
                        Some(FieldRole::CredentialSecret) => {
                            let fresh = format!("Cst-{}", uuid::Uuid::new_v4().simple());
                            crate::target::remember_secret(&fresh);
                            *fv = Value::String(fresh);
                        }
                        _ => {}
                    }
                    let inner_kind = f.role.filter(|r| matches!(r, FieldRole::PasswordCredentials | FieldRole::ApiKeyCredentials)).or(kind);
                    self.fill_type(&f.ty, fv, inner_kind, names);
                }
            }
            other => self.substitute(other),
        }
    }

    fn fill_type(&self, ty: &TypeExpr, v: &mut Value, kind: Option<FieldRole>, names: &mut Vec<(String, String)>) {
        match (ty, v) {
            (TypeExpr::Model(id), v) => self.fill_model(id, v, kind, names),
            (TypeExpr::Array(inner), Value::Array(items)) => items.iter_mut().for_each(|i| self.fill_type(inner, i, kind, names)),
            (TypeExpr::Map(inner), Value::Object(m)) => m.values_mut().for_each(|i| self.fill_type(inner, i, kind, names)),
            (_, v) => self.substitute(v),
        }
    }

    fn substitute(&self, v: &mut Value) {
        if let Value::String(s) = v {
            if let Some((_, to)) = self.settings.substitutions.iter().find(|(from, _)| from == s) {
                *s = to.clone();
            }
        }
    }

    /// Lets time pass for the target's resources: moves a virtual clock when the target
    /// has a control API, else sleeps.
    pub async fn pass_time(&self) {
        if self.control("clock", &serde_json::json!({"advance_seconds": self.settings.clock_step.as_secs_f64()})).await.is_ok() {
            return;
        }
        tokio::time::sleep(self.settings.poll_interval).await;
    }

    /// Posts to the target's control API; `Err` when it has none or refuses.
    pub async fn control(&self, what: &str, body: &Value) -> Result<(), String> {
        self.control_answer(what, body).await.map(drop)
    }

    /// [`Session::control`], with the control API's answer.
    pub async fn control_answer(&self, what: &str, body: &Value) -> Result<Value, String> {
        let Some(base) = &self.wire.endpoints.control else { return Err("the target has no control API".into()) };
        let out = Outgoing {
            operation: format!("control.{what}"),
            method: reqwest::Method::POST,
            url: format!("{base}/{what}"),
            headers: Vec::new(),
            body: Some(("application/json".into(), serde_json::to_vec(body).unwrap_or_default())),
            accept: None,
            asked: shapes::Format::Json,
            token_header: None,
        };
        match self.wire.send("control", out).await.response {
            Ok(r) if r.status < 300 => Ok(serde_json::from_slice(&r.body).unwrap_or(Value::Null)),
            Ok(r) => Err(format!("the control API answered {}: {}", r.status, gist(&r.text()))),
            Err(e) => Err(e),
        }
    }
}

/// The check format of an example's format.
pub fn example_format(f: ExampleFormat) -> Option<Format> {
    match f {
        ExampleFormat::Json => Some(Format::Json),
        ExampleFormat::Xml => Some(Format::Xml),
        ExampleFormat::Text => Some(Format::Text),
        _ => None,
    }
}

/// The JSON body of a shell example that is a request of a credentials exchange (the
/// run sends its own credentials in it): requests that act on the account are replayed
/// from JSON and XML examples only.
pub fn shell_request(schema: &Schema, e: &schema::examples::Example) -> Option<Value> {
    let op = schema.operation(&e.operation)?;
    (e.direction == Direction::Request && op.auth == schema::operations::Auth::Credentials).then(|| e.shell_payload()).flatten()
}

/// The start of a body, on one line, for messages.
pub fn gist(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut t: String = one.chars().take(160).collect();
    if one.chars().count() > 160 {
        t.push('…');
    }
    crate::target::redact(&t)
}
