//! State machines: transition tables as data, and status queries on the status enums.
//!
//! Per API, the `machines` module holds one `static` `runtime::machines::StateMachine`
//! per machine of the schema (states with their kinds, initial states, every transition
//! with its operation and source, and the mapping table if any), `MACHINES` listing them,
//! and on each machine's subject enum (in the models module) `kind()`, `is_transient()`,
//! `is_stable()`, `is_error()`, `is_terminal()`, `is_settled()` and `can_transition_to()`.

use crate::names::{screaming, snake};
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::machines::StateMachine;
use schema::Api;
use shapes::machines as table;
use std::borrow::Cow;

/// The constant name of a machine (`v2.server-status` -> `SERVER_STATUS`).
fn machine_const(m: &StateMachine) -> String {
    let local = m.id.strip_prefix(m.api.as_str()).and_then(|r| r.strip_prefix('.')).unwrap_or(&m.id);
    screaming(local)
}

/// A string of a table: `Cow::Borrowed("...")` (the generated module imports `Cow`).
pub(crate) fn text(s: &str) -> TokenStream {
    quote!(Cow::Borrowed(#s))
}

/// An optional string of a table.
pub(crate) fn opt_text(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => {
            let t = text(s);
            quote!(Some(#t))
        }
        None => quote!(None),
    }
}

/// The name of a fieldless enum's variant (`StateKind::Stable` -> `Stable`).
pub(crate) fn variant(v: impl std::fmt::Debug) -> proc_macro2::Ident {
    format_ident!("{}", format!("{v:?}"))
}

/// A slice of a table, from its items' literals.
pub(crate) fn slice(items: impl IntoIterator<Item = TokenStream>) -> TokenStream {
    let items = items.into_iter();
    quote!(Cow::Borrowed(&[#(#items),*]))
}

/// A slice of strings of a table.
pub(crate) fn texts(v: &[Cow<'static, str>]) -> TokenStream {
    slice(v.iter().map(|s| text(s)))
}

/// The literal of a machine in table form.
fn machine_literal(t: &table::StateMachine) -> TokenStream {
    let states = t.states.iter().map(|s| {
        let (name, doc, src) = (text(&s.name), text(&s.doc), text(&s.source));
        let kind = variant(s.kind);
        quote!(::runtime::machines::State { name: #name, kind: ::runtime::machines::StateKind::#kind, doc: #doc, source: #src })
    });
    let transitions = t.transitions.iter().map(|x| {
        let (id, from, to, src) = (text(&x.id), text(&x.from), text(&x.to), text(&x.source));
        let op = opt_text(x.operation.as_deref());
        let on_error = x.on_error;
        let when = match &x.when {
            Some(c) => {
                let (field, equals, absent) = (text(&c.field), text(&c.equals), c.absent);
                quote!(Some(::runtime::machines::Condition { field: #field, equals: #equals, absent: #absent }))
            }
            None => quote!(None),
        };
        quote!(::runtime::machines::Transition { id: #id, from: #from, to: #to, operation: #op, on_error: #on_error, when: #when, source: #src })
    });
    let rows = t.mapping.iter().map(|row| {
        let cells = slice(row.cells.iter().map(|(k, v)| {
            let (k, v) = (text(k), opt_text(v.as_deref()));
            quote!((#k, #v))
        }));
        let notes = slice(row.notes.iter().map(|(k, v)| {
            let (k, v) = (text(k), text(v));
            quote!((#k, #v))
        }));
        let src = text(&row.source);
        quote!(::runtime::machines::MappingRow { cells: #cells, notes: #notes, source: #src })
    });
    let (id, subject, source) = (text(&t.id), opt_text(t.subject.as_deref()), text(&t.source));
    let metadata = match &t.metadata {
        Some(m) => {
            let (model, key) = (text(&m.model), text(&m.key));
            quote!(Some(::runtime::machines::MetadataSlot { model: #model, key: #key }))
        }
        None => quote!(None),
    };
    let (states, initial, transitions, rows) = (slice(states), texts(&t.initial), slice(transitions), slice(rows));
    quote! {
        ::runtime::machines::StateMachine {
            id: #id,
            subject: #subject,
            states: #states,
            initial: #initial,
            transitions: #transitions,
            mapping: #rows,
            metadata: #metadata,
            source: #source,
        }
    }
}

impl Context<'_> {
    /// The path of a model's type as seen from a sibling of the models module of `from`.
    pub(crate) fn sibling_model_path(&self, from: Api, id: &str) -> TokenStream {
        self.type_path(crate::models::Scope::Sibling(from), id)
    }

    /// Whether `m` is the first machine (in schema order) with its subject enum, so one
    /// subject gets one set of query methods.
    fn first_with_subject(&self, m: &StateMachine, subject: &str) -> bool {
        self.schema
            .state_machines
            .iter()
            .find(|o| o.subject_enum(self.schema).is_some_and(|e| e.id == subject))
            .is_some_and(|o| o.id == m.id)
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
        let cow = if machines.is_empty() { quote!() } else { quote!(use ::std::borrow::Cow;) };
        quote! {
            /// State machines: the statuses of resources, their kinds and the transitions
            /// operations cause, as data; and status queries on the status enums.
            pub mod machines {
                #cow

                /// Every state machine of this API.
                pub static MACHINES: &[&::runtime::machines::StateMachine] = &[#(#refs),*];

                #(#items)*
            }
        }
    }

    fn machine_item(&self, api: Api, m: &StateMachine) -> TokenStream {
        let c = format_ident!("{}", machine_const(m));
        let t = m.table(self.schema);
        let literal = machine_literal(&t);

        let mut doc_text = m.doc.clone().unwrap_or_else(|| format!("State machine `{}`.", m.id));
        let state_list: Vec<String> = t.states.iter().map(|s| format!("`{}` ({})", s.name, s.kind)).collect();
        doc_text.push_str(&format!(" States: {}.", state_list.join(", ")));
        let doc = crate::doc_lines(Some(&doc_text), &m.source, &m.errata);

        let mapping_fn = if t.mapping.is_empty() {
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

        let subject_impl = match t.subject.as_deref() {
            Some(e) if self.first_with_subject(m, e) && self.schema.model(e).and_then(|x| x.api()).is_some_and(|a| self.apis.contains(&a)) => {
                self.subject_impl(api, &t, e, &c)
            }
            _ => quote!(),
        };

        quote! {
            #doc
            pub static #c: ::runtime::machines::StateMachine = #literal;

            #mapping_fn

            #subject_impl
        }
    }

    fn subject_impl(&self, api: Api, t: &table::StateMachine, subject: &str, c: &proc_macro2::Ident) -> TokenStream {
        let ty = self.sibling_model_path(api, subject);
        let machine_doc = format!(" The state machine of these values ([`{c}`], `{}`).", t.id);
        let mapping = match t.state_column() {
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
                    self.kind().is_some_and(::runtime::machines::StateKind::is_settled)
                }

                /// A resource starts in this state.
                pub fn is_initial(&self) -> bool {
                    #c.is_initial(self.as_str())
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
