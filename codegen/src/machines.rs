//! State machines: transition tables as data, and status queries on the status enums.
//!
//! Per API, the `machines` module holds one `static` `runtime::machines::StateMachine`
//! per machine of the schema (states with their kinds, initial states, every transition
//! with its operation and source, and the mapping table if any), `MACHINES` listing them,
//! and on each machine's subject enum (in the models module) `kind()`, `is_transient()`,
//! `is_stable()`, `is_error()`, `is_terminal()`, `is_settled()` and `can_transition_to()`.

use crate::faults::source_text;
use crate::names::{screaming, snake};
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::machines::{StateKind, StateMachine};
use schema::models::{ModelKind, TypeExpr};
use schema::Api;

/// The constant name of a machine (`v2.server-status` -> `SERVER_STATUS`).
fn machine_const(m: &StateMachine) -> String {
    let local = m.id.strip_prefix(m.api.as_str()).and_then(|r| r.strip_prefix('.')).unwrap_or(&m.id);
    screaming(local)
}

fn kind_tokens(k: StateKind) -> TokenStream {
    match k {
        StateKind::Stable => quote!(::runtime::machines::StateKind::Stable),
        StateKind::Transient => quote!(::runtime::machines::StateKind::Transient),
        StateKind::Error => quote!(::runtime::machines::StateKind::Error),
        StateKind::Terminal => quote!(::runtime::machines::StateKind::Terminal),
    }
}

impl Context<'_> {
    /// The path of a model's type as seen from a sibling of the models module of `from`.
    pub(crate) fn sibling_model_path(&self, from: Api, id: &str) -> TokenStream {
        self.type_path(crate::models::Scope::Sibling(from), id)
    }

    /// The enum model whose values are a machine's states: `subject` names it directly
    /// (`v2.ServerStatus`) or as a model field (`v2.Server.status`).
    fn subject_enum(&self, m: &StateMachine) -> Option<String> {
        let subject = m.subject.as_deref()?;
        if let Some(model) = self.schema.model(subject) {
            return (model.kind == ModelKind::Enum).then(|| model.id.clone());
        }
        let (model_id, field) = subject.rsplit_once('.')?;
        let f = self.schema.model(model_id)?.fields.iter().find(|f| f.name == field)?;
        match &f.ty {
            TypeExpr::Enum(id) | TypeExpr::Model(id) => {
                let e = self.schema.model(id)?;
                (e.kind == ModelKind::Enum).then(|| e.id.clone())
            }
            _ => None,
        }
    }

    /// Whether `m` is the first machine (in schema order) with its subject enum, so one
    /// subject gets one set of query methods.
    fn first_with_subject(&self, m: &StateMachine, subject: &str) -> bool {
        self.schema
            .state_machines
            .iter()
            .find(|o| self.subject_enum(o).as_deref() == Some(subject))
            .is_some_and(|o| o.id == m.id)
    }

    /// The mapping column whose every cell is one of the machine's states (`vm_state`).
    fn state_column(m: &StateMachine) -> Option<String> {
        let first = m.mapping.first()?;
        first.keys().find(|k| {
            k.as_str() != "source"
                && m.mapping.iter().all(|row| {
                    row.get(k.as_str()).and_then(|v| v.as_str()).is_some_and(|v| m.state(v).is_some())
                })
        }).cloned()
    }

    /// Generates the machines module of one API.
    pub(crate) fn machines_module(&self, api: Api) -> TokenStream {
        let machines: Vec<&StateMachine> = self.schema.state_machines.iter().filter(|m| m.api == api).collect();
        let items: Vec<TokenStream> = machines.iter().map(|m| self.machine_item(api, m)).collect();
        let refs: Vec<TokenStream> = machines
            .iter()
            .map(|m| {
                let c = format_ident!("{}", machine_const(m));
                quote!(&#c)
            })
            .collect();
        quote! {
            /// State machines: the statuses of resources, their kinds and the transitions
            /// operations cause, as data; and status queries on the status enums.
            pub mod machines {
                /// Every state machine of this API.
                pub static MACHINES: &[&::runtime::machines::StateMachine] = &[#(#refs),*];

                #(#items)*
            }
        }
    }

    fn machine_item(&self, api: Api, m: &StateMachine) -> TokenStream {
        let c = format_ident!("{}", machine_const(m));
        let id = &m.id;
        let source = source_text(&m.source);
        let subject_enum = self.subject_enum(m);
        let subject = match &subject_enum {
            Some(s) => quote!(Some(#s)),
            None => quote!(None),
        };
        let states: Vec<TokenStream> = m
            .states
            .iter()
            .map(|s| {
                let name = &s.name;
                let kind = kind_tokens(s.kind);
                let doc = s.doc.clone().unwrap_or_default();
                let src = source_text(s.source.as_ref().unwrap_or(&m.source));
                quote!(::runtime::machines::State { name: #name, kind: #kind, doc: #doc, source: #src })
            })
            .collect();
        let initial = &m.initial;
        let transitions: Vec<TokenStream> = m
            .transitions
            .iter()
            .map(|t| {
                let tid = &t.id;
                let from = &t.from;
                let to = &t.to;
                let op = match &t.operation {
                    Some(o) => quote!(Some(#o)),
                    None => quote!(None),
                };
                let on_error = t.on_error;
                let src = source_text(&t.source);
                quote!(::runtime::machines::Transition { id: #tid, from: #from, to: #to, operation: #op, on_error: #on_error, source: #src })
            })
            .collect();
        let rows: Vec<TokenStream> = m
            .mapping
            .iter()
            .map(|row| {
                let cells = row.iter().filter(|(k, _)| k.as_str() != "source").map(|(k, v)| {
                    let value = match v {
                        serde_json::Value::Null => quote!(None),
                        serde_json::Value::String(s) => quote!(Some(#s)),
                        other => {
                            let s = other.to_string();
                            quote!(Some(#s))
                        }
                    };
                    quote!((#k, #value))
                });
                let src = row
                    .get("source")
                    .and_then(|s| serde_json::from_value::<schema::Source>(s.clone()).ok())
                    .map_or_else(|| source.clone(), |s| source_text(&s));
                quote!(::runtime::machines::MappingRow { cells: &[#(#cells),*], source: #src })
            })
            .collect();

        let mut doc_text = m.doc.clone().unwrap_or_else(|| format!("State machine `{}`.", m.id));
        let state_list: Vec<String> = m.states.iter().map(|s| format!("`{}` ({})", s.name, kind_name(s.kind))).collect();
        doc_text.push_str(&format!(" States: {}.", state_list.join(", ")));
        let doc = crate::doc_lines(Some(&doc_text), &m.source, &m.errata);

        let mapping_fn = if m.mapping.is_empty() {
            quote!()
        } else {
            let f = format_ident!("{}_row", snake(&machine_const(m).to_ascii_lowercase()));
            let fdoc = format!(
                " The first row of [`{c}`]'s mapping whose cells match every `(column, value)` given (`None`: a null cell), e.g. `&[(\"vm_state\", Some(\"active\")), (\"task_state\", None)]`."
            );
            quote! {
                #[doc = #fdoc]
                pub fn #f(given: &[(&str, Option<&str>)]) -> Option<&'static ::runtime::machines::MappingRow> {
                    #c.find_row(given)
                }
            }
        };

        let subject_impl = match &subject_enum {
            Some(e) if self.first_with_subject(m, e) && self.schema.model(e).and_then(|x| x.api()).is_some_and(|a| self.apis.contains(&a)) => {
                self.subject_impl(api, m, e, &c)
            }
            _ => quote!(),
        };

        quote! {
            #doc
            pub static #c: ::runtime::machines::StateMachine = ::runtime::machines::StateMachine {
                id: #id,
                subject: #subject,
                states: &[#(#states),*],
                initial: &[#(#initial),*],
                transitions: &[#(#transitions),*],
                mapping: &[#(#rows),*],
                source: #source,
            };

            #mapping_fn

            #subject_impl
        }
    }

    fn subject_impl(&self, api: Api, m: &StateMachine, subject: &str, c: &proc_macro2::Ident) -> TokenStream {
        let ty = self.sibling_model_path(api, subject);
        let machine_doc = format!(" The state machine of these values ([`{c}`], `{}`).", m.id);
        let mapping = match Self::state_column(m) {
            Some(col) => {
                let d = format!(" The rows of [`{c}`]'s mapping whose `{col}` is this value.");
                quote! {
                    #[doc = #d]
                    pub fn mapping_rows(&self) -> impl Iterator<Item = &'static ::runtime::machines::MappingRow> + '_ {
                        #c.rows_where(#col, Some(self.as_str()))
                    }
                }
            }
            None => quote!(),
        };
        quote! {
            /// Status queries from the state machine.
            ///
            /// A value is looked up by its wire spelling among the machine's states, so the
            /// documented `UNKNOWN` (held in `Unknown("UNKNOWN")`) has the kind the schema gives
            /// it. A value the machine does not list has no kind: it is neither stable,
            /// transient, error nor terminal, since nothing is known of it; a waiter should
            /// keep polling it until its own timeout rather than stop or fail.
            impl #ty {
                #[doc = #machine_doc]
                pub fn machine() -> &'static ::runtime::machines::StateMachine {
                    &#c
                }

                /// The state this value is, if the machine lists it.
                pub fn state(&self) -> Option<&'static ::runtime::machines::State> {
                    #c.state(self.as_str())
                }

                /// The kind of this state; `None` for a value the machine does not list.
                pub fn kind(&self) -> Option<::runtime::machines::StateKind> {
                    #c.kind_of(self.as_str())
                }

                /// The service is working and the state will change by itself.
                pub fn is_transient(&self) -> bool {
                    self.kind() == Some(::runtime::machines::StateKind::Transient)
                }

                /// The resource stays here until asked to change (error states excluded).
                pub fn is_stable(&self) -> bool {
                    self.kind() == Some(::runtime::machines::StateKind::Stable)
                }

                /// The work failed (stable, but a failure).
                pub fn is_error(&self) -> bool {
                    self.kind() == Some(::runtime::machines::StateKind::Error)
                }

                /// The resource is gone.
                pub fn is_terminal(&self) -> bool {
                    self.kind() == Some(::runtime::machines::StateKind::Terminal)
                }

                /// The service is done: a listed state that is stable, error or terminal.
                pub fn is_settled(&self) -> bool {
                    matches!(self.kind(), Some(k) if k != ::runtime::machines::StateKind::Transient)
                }

                /// A resource starts in this state.
                pub fn is_initial(&self) -> bool {
                    #c.initial.contains(&self.as_str())
                }

                /// Whether a documented transition leads from this state to `other`.
                pub fn can_transition_to(&self, other: &Self) -> bool {
                    #c.can_transition(self.as_str(), other.as_str())
                }

                #mapping
            }
        }
    }
}

fn kind_name(k: StateKind) -> &'static str {
    match k {
        StateKind::Stable => "stable",
        StateKind::Transient => "transient",
        StateKind::Error => "error",
        StateKind::Terminal => "terminal",
    }
}
