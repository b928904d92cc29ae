//! RackConnect v2.0: a cloud server asks about its own automation, identified by its
//! source address (bound to a server through the control API). Its status is the state
//! of the server's automation walk, the one the server's metadata shows too.

use crate::compute::{automation_machines, settle};
use crate::http::{Answer, Call};
use crate::wire::{self, Fault, FaultStyle};
use cloudservers::rackconnect::{self, models as m};
use runtime::faults::FaultInfo;
use runtime::shapes::Format;

/// RackConnect faults: the document gives them no body model, so they are written as
/// plain text (the message).
pub struct PlainFaults;

impl FaultStyle for PlainFaults {
    fn faults(&self) -> &'static [FaultInfo] {
        rackconnect::faults::FAULTS
    }

    fn json(&self, fault: &Fault) -> serde_json::Value {
        serde_json::Value::String(fault.message.clone())
    }

    fn xml(&self, fault: &Fault) -> String {
        fault.message.clone()
    }

    fn plain(&self) -> bool {
        true
    }
}

/// The fault style of RackConnect.
pub static FAULTS: PlainFaults = PlainFaults;

/// Answers a RackConnect operation for the calling server.
pub fn handle(call: &Call<'_>) -> Answer {
    let server_id = call.server.clone().ok_or_else(|| call.fault(403, "this address is no cloud server of an account"))?;
    let now = call.app.clock.now();
    let mut store = call.app.store();
    let server = store
        .tenants
        .get_mut(&call.tenant)
        .and_then(|t| t.server_mut(&server_id))
        .ok_or_else(|| call.fault(404, format!("server {server_id} does not exist")))?;
    settle(server, now);
    // The automation machine of this API: its states are RackConnect's statuses.
    let own: Vec<String> = rackconnect::machines::MACHINES.iter().map(|m| m.id.to_string()).collect();
    let status = server.automation.iter().find(|(id, _)| own.contains(id)).map(|(_, l)| m::AutomationStatus::from(l.state.as_str()));
    let serial = server.serial;
    drop(store);
    let id = call.op.id.strip_prefix("rackconnect.").unwrap_or_default();
    match id {
        "automation-status.get" => {
            let status = status.ok_or_else(|| call.fault(404, "the server runs no RackConnect automation"))?;
            text_or(call, &m::AutomationStatusText(status.clone()), |s| s.to_text_body())
        }
        "automation-status-details.get" => {
            let mut out = m::AutomationStatusDetails::default();
            out.automation_status = status;
            Ok(wire::reply(call.op, call.success(), &out, call.format, cloudservers::ns::PREFIXES))
        }
        "gateway-ip.get" => {
            // The gateway of the server's private network (the provider's are 10.176.x.0/24).
            let gw = m::GatewayIp(format!("10.176.{}.1", (serial / 250) % 250));
            text_or(call, &gw, |g| g.to_text_body())
        }
        "automation-features.get" => {
            // Every documented feature key other than a machine's own key, enabled.
            let keys: Vec<String> = automation_machines().iter().filter_map(|m| m.metadata.as_ref().map(|s| s.key.to_string())).collect();
            let enabled = m::AutomationFeatureStatus::DOCUMENTED.first().copied().unwrap_or_default();
            let features = m::MetadataKey::DOCUMENTED.iter().filter(|k| !keys.iter().any(|own| own == *k)).map(|k| (k.to_string(), enabled.to_string())).collect();
            Ok(wire::reply(call.op, call.success(), &m::AutomationFeatures(features), call.format, cloudservers::ns::PREFIXES))
        }
        _ => Err(crate::http::unserved(call)),
    }
}

/// A text answer when text is asked for, else the model in JSON or XML.
fn text_or<T: runtime::strict::Shaped + serde::Serialize + runtime::xml::ToXml>(call: &Call<'_>, value: &T, text: impl Fn(&T) -> String) -> Answer {
    match call.format {
        Format::Text => Ok(wire::text(call.success(), text(value))),
        _ => Ok(wire::reply(call.op, call.success(), value, call.format, cloudservers::ns::PREFIXES)),
    }
}
