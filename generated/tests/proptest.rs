//! Arbitrary values of a representative set of generated models round-trip through JSON
//! (encode, decode, equal) and through XML (`to_xml`, text, parse, `from_xml`, equal).
//!
//! Strings include the XML-special characters `< > & ' "`, tabs and line breaks, and
//! non-ASCII text (accents, CJK, emoji); they exclude only the characters XML 1.0 cannot
//! carry at all (most C0 controls, U+FFFE, U+FFFF).
//!
//! What XML cannot distinguish, and so the XML strategies do not generate (the JSON
//! strategies do):
//! - fields with no XML form (`json_only` in the schema: `config_drive`, `key_name`,
//!   `RAX-SERVER:bandwidth`, `OS-FLV-DISABLED:disabled`) are `None`;
//! - an optional list written as repeated elements without a wrapper (`links`) is `None` or
//!   non-empty: an empty list and an absent one are the same XML;
//! - a nullable field (`OS-EXT-STS:task_state`) is never `Some(None)` (JSON `null`): XML
//!   has no null, the attribute is absent;
//! - values held in element text (fault `message`/`details`, metadata values, plain-text
//!   bodies) have no leading or trailing whitespace: decoders trim element text, which
//!   documents indent.
//!
//! Numbers (`rxtx_factor`) are multiples of 1/8 below 2^37 (exact in binary, at most 15
//! significant digits): serde_json without its `float_roundtrip` feature may read a
//! longer decimal back one unit in the last place off.

// Needs the v2, v1_0, rackconnect, identity APIs.
#![cfg(all(feature = "v2", feature = "v1_0", feature = "rackconnect", feature = "identity"))]

#[macro_use]
mod build_macro;

use cloudservers::{identity, rackconnect, v1_0, v2};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use runtime::xml::{decode_root, FromXml, ToXml};
use runtime::Secret;
use std::fmt::Debug;

// ------------------------------------------------------------------ helpers

/// Whether XML 1.0 can carry the character (escaped or not).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// A string of letters, XML-special characters, whitespace and non-ASCII text.
fn text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => select(vec!['<', '>', '&', '\'', '"', ';', '=', ':', '/', '#']),
        1 => select(vec![' ', '\t', '\n', '\r']),
        2 => select(vec!['é', 'ß', 'ü', 'ž', '中', '文', 'Ω', '😀', '\u{A0}', '\u{2028}']),
        1 => any::<char>().prop_filter("XML 1.0 character", |c| xml_char(*c)),
    ];
    vec(c, 0..12).prop_map(|cs| cs.into_iter().collect())
}

/// A string without leading or trailing whitespace (for values held in element text).
fn trimmed() -> impl Strategy<Value = String> {
    text().prop_map(|s| s.trim().to_string())
}

fn secret() -> impl Strategy<Value = Secret> {
    text().prop_map(Secret::new)
}

/// A value of a generated enum: a documented spelling, or anything else (`Unknown`).
fn enumeration<T: for<'a> From<&'a str> + Debug>(documented: &'static [&'static str]) -> impl Strategy<Value = T> {
    prop_oneof![select(documented).prop_map(String::from), text()].prop_map(|s| T::from(s.as_str()))
}

/// An optional list: in XML (no wrapper element) never `Some(empty)`.
fn opt_list<T: Debug>(item: impl Strategy<Value = T>, xml: bool) -> impl Strategy<Value = Option<Vec<T>>> {
    let min = usize::from(xml);
    option::of(vec(item, min..3))
}

/// Text that an element holds: trimmed in XML.
fn content(xml: bool) -> BoxedStrategy<String> {
    if xml {
        trimmed().boxed()
    } else {
        text().boxed()
    }
}

/// A date-time as received: any text is kept.
fn stamp() -> impl Strategy<Value = runtime::Timestamp> {
    text().prop_map(runtime::Timestamp::new)
}

/// A field with no XML form: `None` in XML.
fn json_only<T: Debug + 'static>(s: impl Strategy<Value = T> + 'static, xml: bool) -> BoxedStrategy<Option<T>> {
    if xml {
        Just(()).prop_map(|()| None).boxed()
    } else {
        option::of(s).boxed()
    }
}

fn json_round_trip<T>(v: &T) -> Result<(), TestCaseError>
where
    T: runtime::serde::Serialize + runtime::serde::de::DeserializeOwned + PartialEq + Debug,
{
    let text = serde_json::to_string(v).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert_eq!(&back, v, "JSON: {}", text);
    Ok(())
}

fn xml_round_trip<T: FromXml + ToXml + PartialEq + Debug>(v: &T, ns: Option<&str>, local: &str) -> Result<(), TestCaseError> {
    let text = v.to_xml(ns, local).to_xml(cloudservers::ns::PREFIXES);
    let back: T = decode_root(&text, ns, local).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert_eq!(&back, v, "XML: {}", text);
    Ok(())
}

// ------------------------------------------------------------------ v2

fn v2_link() -> impl Strategy<Value = v2::models::Link> {
    (text(), text(), option::of(text())).prop_map(|(rel, href, type_)| build!(v2::models::Link { rel, href, type_ }))
}

fn v2_metadata(xml: bool) -> impl Strategy<Value = v2::models::Metadata> {
    btree_map(text(), content(xml), 0..4).prop_map(v2::models::Metadata)
}

fn v2_image_metadata(xml: bool) -> impl Strategy<Value = v2::models::ImageMetadata> {
    // XML has no null: an entry always has text.
    let value = if xml { content(xml).prop_map(Some).boxed() } else { option::of(content(xml)).boxed() };
    btree_map(text(), value, 0..4).prop_map(v2::models::ImageMetadata)
}

fn v2_addresses() -> impl Strategy<Value = v2::models::Addresses> {
    let address = (any::<i64>(), text()).prop_map(|(version, addr)| build!(v2::models::Address { version, addr }));
    btree_map(text(), vec(address, 0..3), 0..3).prop_map(v2::models::Addresses)
}

fn v2_async_fault(xml: bool) -> impl Strategy<Value = v2::models::AsyncFault> {
    (any::<i64>(), option::of(stamp()), content(xml), option::of(content(xml)))
        .prop_map(|(code, created, message, details)| build!(v2::models::AsyncFault { code, created, message, details }))
}

fn v2_image_ref(xml: bool) -> impl Strategy<Value = v2::models::ImageRef> {
    (text(), option::of(text()), opt_list(v2_link(), xml)).prop_map(|(id, name, links)| build!(v2::models::ImageRef { id, name, links }))
}

fn v2_flavor_ref(xml: bool) -> impl Strategy<Value = v2::models::FlavorRef> {
    (text(), option::of(text()), opt_list(v2_link(), xml)).prop_map(|(id, name, links)| build!(v2::models::FlavorRef { id, name, links }))
}

fn v2_bandwidth() -> impl Strategy<Value = v2::models::BandwidthInterface> {
    (text(), any::<i64>(), any::<i64>(), stamp(), stamp()).prop_map(
        |(interface, bandwidth_inbound, bandwidth_outbound, audit_period_start, audit_period_end)| {
            build!(v2::models::BandwidthInterface { interface, bandwidth_inbound, bandwidth_outbound, audit_period_start, audit_period_end })
        },
    )
}

fn v2_server(xml: bool) -> impl Strategy<Value = v2::models::Server> {
    use v2::models::{DiskConfig, ServerStatus, TaskState, VmState};
    let ids = (
        text(),
        option::of(text()),
        option::of(text()),
        option::of(text()),
        option::of(enumeration::<ServerStatus>(ServerStatus::DOCUMENTED)),
        option::of(any::<i64>()),
        option::of(text()),
        option::of(stamp()),
        option::of(stamp()),
        option::of(text()),
        option::of(text()),
        option::of(secret()),
    );
    let parts = (
        option::of(v2_image_ref(xml)),
        option::of(v2_flavor_ref(xml)),
        option::of(v2_metadata(xml)),
        option::of(v2_addresses()),
        option::of(v2_async_fault(xml)),
        opt_list(v2_link(), xml),
        json_only(text(), xml),
        json_only(option::of(text()), xml),
    );
    let task_state = if xml {
        option::of(enumeration::<TaskState>(TaskState::DOCUMENTED)).prop_map(|t| t.map(Some)).boxed()
    } else {
        option::of(option::of(enumeration::<TaskState>(TaskState::DOCUMENTED))).boxed()
    };
    let extensions = (
        option::of(enumeration::<DiskConfig>(DiskConfig::DOCUMENTED)),
        option::of(enumeration::<VmState>(VmState::DOCUMENTED)),
        task_state,
        option::of(any::<i64>()),
        option::of(vec(v2_bandwidth(), 0..3)),
        json_only(vec(v2_bandwidth(), 0..3), xml),
        option::of(vec((text(), text()).prop_map(|(name, href)| build!(v2::models::VolumeRef { name, href })), 0..3)),
    );
    (ids, parts, extensions).prop_map(
        |(
            (id, name, tenant_id, user_id, status, progress, host_id, created, updated, access_ipv4, access_ipv6, admin_pass),
            (image, flavor, metadata, addresses, fault, links, config_drive, key_name),
            (
                os_dcf_disk_config,
                os_ext_sts_vm_state,
                os_ext_sts_task_state,
                os_ext_sts_power_state,
                rax_bandwidth_bandwidth,
                rax_server_bandwidth,
                rs_cbs_volumes,
            ),
        )| build!(v2::models::Server {
            id,
            name,
            tenant_id,
            user_id,
            status,
            progress,
            host_id,
            created,
            updated,
            access_ipv4,
            access_ipv6,
            admin_pass,
            image,
            flavor,
            metadata,
            addresses,
            fault,
            links,
            config_drive,
            key_name,
            os_dcf_disk_config,
            os_ext_sts_vm_state,
            os_ext_sts_task_state,
            os_ext_sts_power_state,
            rax_bandwidth_bandwidth,
            rax_server_bandwidth,
            rs_cbs_volumes,
        }),
    )
}

fn v2_flavor(xml: bool) -> impl Strategy<Value = v2::models::Flavor> {
    (
        text(),
        text(),
        any::<i64>(),
        any::<i64>(),
        any::<i64>(),
        option::of(any::<i64>()),
        option::of((-(1i64 << 40)..(1i64 << 40)).prop_map(|n| n as f64 / 8.0)),
        opt_list(v2_link(), xml),
        json_only(any::<bool>(), xml),
    )
        .prop_map(|(id, name, ram, disk, vcpus, swap, rxtx_factor, links, os_flv_disabled_disabled)| build!(v2::models::Flavor {
            id,
            name,
            ram,
            disk,
            vcpus,
            swap,
            rxtx_factor,
            links,
            os_flv_disabled_disabled,
        }))
}

fn v2_image(xml: bool) -> impl Strategy<Value = v2::models::Image> {
    use v2::models::{DiskConfig, ImageStatus};
    let server = (text(), opt_list(v2_link(), xml)).prop_map(|(id, links)| build!(v2::models::ServerRef { id, links }));
    (
        (
            text(),
            text(),
            option::of(enumeration::<ImageStatus>(ImageStatus::DOCUMENTED)),
            option::of(any::<i64>()),
            option::of(stamp()),
            option::of(stamp()),
            option::of(any::<i64>()),
            option::of(any::<i64>()),
        ),
        (
            option::of(v2_image_metadata(xml)),
            option::of(server),
            option::of(v2_async_fault(xml)),
            opt_list(v2_link(), xml),
            option::of(enumeration::<DiskConfig>(DiskConfig::DOCUMENTED)),
        ),
    )
        .prop_map(
            |(
                (id, name, status, progress, created, updated, min_disk, min_ram),
                (metadata, server, fault, links, os_dcf_disk_config),
            )| build!(v2::models::Image {
                id,
                name,
                status,
                progress,
                created,
                updated,
                min_disk,
                min_ram,
                metadata,
                server,
                fault,
                links,
                os_dcf_disk_config,
            }),
        )
}

fn v2_limits() -> impl Strategy<Value = v2::models::Limits> {
    use v2::models::{RateLimitUnit, RateLimitVerb};
    let limit = (
        enumeration::<RateLimitVerb>(RateLimitVerb::DOCUMENTED),
        any::<i64>(),
        any::<i64>(),
        enumeration::<RateLimitUnit>(RateLimitUnit::DOCUMENTED),
        stamp(),
    )
        .prop_map(|(verb, value, remaining, unit, next_available)| build!(v2::models::RateLimit {
            verb,
            value,
            remaining,
            unit,
            next_available,
        }));
    let rate = (text(), text(), vec(limit, 0..3)).prop_map(|(uri, regex, limit)| build!(v2::models::RateLimits { uri, regex, limit }));
    (vec(rate, 0..3), btree_map(text(), any::<i64>(), 0..5))
        .prop_map(|(rate, absolute)| build!(v2::models::Limits { rate, absolute: v2::models::AbsoluteLimits(absolute) }))
}

// ------------------------------------------------------------------ v1.0

fn v1_server(xml: bool) -> impl Strategy<Value = v1_0::models::Server> {
    use v1_0::models::ServerStatus;
    let addresses = (vec(text(), 0..3), vec(text(), 0..3))
        .prop_map(|(public, private)| build!(v1_0::models::Addresses { public, private }));
    (
        any::<i64>(),
        text(),
        any::<i64>(),
        any::<i64>(),
        text(),
        enumeration::<ServerStatus>(ServerStatus::DOCUMENTED),
        option::of(any::<i64>()),
        option::of(secret()),
        option::of(btree_map(text(), content(xml), 0..4).prop_map(v1_0::models::Metadata)),
        addresses,
    )
        .prop_map(|(id, name, image_id, flavor_id, host_id, status, progress, admin_pass, metadata, addresses)| {
            build!(v1_0::models::Server { id, name, image_id, flavor_id, host_id, status, progress, admin_pass, metadata, addresses })
        })
}

fn v1_backup_schedule() -> impl Strategy<Value = v1_0::models::BackupSchedule> {
    use v1_0::models::{DailyBackup, WeeklyBackup};
    (
        any::<bool>(),
        option::of(enumeration::<WeeklyBackup>(WeeklyBackup::DOCUMENTED)),
        option::of(enumeration::<DailyBackup>(DailyBackup::DOCUMENTED)),
    )
        .prop_map(|(enabled, weekly, daily)| build!(v1_0::models::BackupSchedule { enabled, weekly, daily }))
}

fn v1_shared_ip_group() -> impl Strategy<Value = v1_0::models::SharedIpGroup> {
    (any::<i64>(), text(), vec(any::<i64>(), 0..4)).prop_map(|(id, name, servers)| build!(v1_0::models::SharedIpGroup { id, name, servers }))
}

// ------------------------------------------------------------------ rackconnect, identity

fn rc_details() -> impl Strategy<Value = rackconnect::models::AutomationStatusDetails> {
    use rackconnect::models::{AutomationStatus, AutomationStatusDetails, AutomationTask};
    let task = (option::of(text()), option::of(text())).prop_map(|(name, status)| build!(AutomationTask { name, status }));
    (option::of(enumeration::<AutomationStatus>(AutomationStatus::DOCUMENTED)), option::of(vec(task, 0..3)))
        .prop_map(|(automation_status, tasks)| build!(AutomationStatusDetails { automation_status, tasks }))
}

fn rc_features(xml: bool) -> impl Strategy<Value = rackconnect::models::AutomationFeatures> {
    btree_map(text(), content(xml), 0..4).prop_map(rackconnect::models::AutomationFeatures)
}

fn rc_status_text() -> impl Strategy<Value = rackconnect::models::AutomationStatusText> {
    use rackconnect::models::AutomationStatus;
    prop_oneof![select(AutomationStatus::DOCUMENTED).prop_map(String::from), trimmed()]
        .prop_map(|s| rackconnect::models::AutomationStatusText(AutomationStatus::from(s.as_str())))
}

fn identity_auth_request() -> impl Strategy<Value = identity::models::AuthRequest> {
    use identity::models::{ApiKeyCredentials, AuthRequest, PasswordCredentials};
    (
        option::of((text(), secret()).prop_map(|(username, password)| build!(PasswordCredentials { username, password }))),
        option::of((text(), secret()).prop_map(|(username, api_key)| build!(ApiKeyCredentials { username, api_key }))),
    )
        .prop_map(|(password_credentials, rax_kskey_api_key_credentials)| build!(AuthRequest {
            password_credentials,
            rax_kskey_api_key_credentials,
        }))
}

// ------------------------------------------------------------------ properties

const V2: Option<&str> = Some(cloudservers::ns::V2);
const V1_0: Option<&str> = Some(cloudservers::ns::V1_0);
const COMMON: Option<&str> = Some(cloudservers::ns::COMMON);

proptest! {
    // Failures print the minimal input; nothing is written into the source tree.
    // 256 cases each unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn v2_server_json(v in v2_server(false)) { json_round_trip(&v)?; }
    #[test]
    fn v2_server_xml(v in v2_server(true)) { json_round_trip(&v)?; xml_round_trip(&v, V2, "server")?; }

    #[test]
    fn v2_flavor_json(v in v2_flavor(false)) { json_round_trip(&v)?; }
    #[test]
    fn v2_flavor_xml(v in v2_flavor(true)) { xml_round_trip(&v, V2, "flavor")?; }

    #[test]
    fn v2_image_json(v in v2_image(false)) { json_round_trip(&v)?; }
    #[test]
    fn v2_image_xml(v in v2_image(true)) { xml_round_trip(&v, V2, "image")?; }

    #[test]
    fn v2_limits_both(v in v2_limits()) { json_round_trip(&v)?; xml_round_trip(&v, COMMON, "limits")?; }

    #[test]
    fn v1_0_server_json(v in v1_server(false)) { json_round_trip(&v)?; }
    #[test]
    fn v1_0_server_xml(v in v1_server(true)) { xml_round_trip(&v, V1_0, "server")?; }

    #[test]
    fn v1_0_backup_schedule_both(v in v1_backup_schedule()) {
        json_round_trip(&v)?;
        xml_round_trip(&v, V1_0, "backupSchedule")?;
    }

    #[test]
    fn v1_0_shared_ip_group_both(v in v1_shared_ip_group()) {
        json_round_trip(&v)?;
        xml_round_trip(&v, V1_0, "sharedIpGroup")?;
    }

    #[test]
    fn rackconnect_details_both(v in rc_details()) {
        json_round_trip(&v)?;
        xml_round_trip(&v, None, "automation_status_details")?;
    }

    #[test]
    fn rackconnect_features_json(v in rc_features(false)) { json_round_trip(&v)?; }
    #[test]
    fn rackconnect_features_xml(v in rc_features(true)) { xml_round_trip(&v, None, "automation_features")?; }

    #[test]
    fn rackconnect_text_bodies(v in rc_status_text(), ip in trimmed()) {
        json_round_trip(&v)?;
        xml_round_trip(&v, None, "automation_status")?;
        let back = rackconnect::models::AutomationStatusText::from_text_body(&v.to_text_body());
        prop_assert_eq!(back.as_ref(), Ok(&v));
        let ip = rackconnect::models::GatewayIp(ip);
        json_round_trip(&ip)?;
        xml_round_trip(&ip, None, "gateway_ip")?;
        prop_assert_eq!(rackconnect::models::GatewayIp::from_text_body(&ip.to_text_body()), Ok(ip));
    }

    /// The identity models have no XML mapping in the schema: JSON only.
    #[test]
    fn identity_auth_request_json(v in identity_auth_request()) { json_round_trip(&v)?; }
}
