//! Paged lists: which operations page, by which parameters, and where a page keeps its
//! items, its next link and each item's marker — read from the pagination and
//! changes-since limits and the field roles, so no consumer recognises them by name.

use crate::limits::{LimitKind, PageParams};
use crate::models::{Field, FieldRole, Model, TypeExpr};
use crate::{Operation, Schema};

/// How a list operation pages.
#[derive(Debug, Clone, Copy)]
pub struct Paging<'a> {
    /// The pagination limit's id.
    pub limit: &'a str,
    /// Its query parameters by what they do.
    pub params: &'a PageParams,
    /// The item field that identifies an item (the next marker, for marker paging).
    pub id_field: Option<&'a str>,
    /// The link relation of the next page, if collections carry links.
    pub next_rel: Option<&'a str>,
}

/// Where one page of a list model keeps what a pager needs.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// The array of items.
    pub items: &'a Field,
    /// The items' model.
    pub item: &'a Model,
    /// The array of links, with the link model, when the list has one.
    pub links: Option<Links<'a>>,
}

/// A links array of a list model, and the fields of its link model.
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    /// The array field.
    pub field: &'a Field,
    /// The relation field of a link (role `link-rel`).
    pub rel: &'a Field,
    /// The target field of a link (role `link-href`).
    pub href: &'a Field,
}

/// The changes-since parameter of an operation.
#[derive(Debug, Clone, Copy)]
pub struct ChangesSince<'a> {
    /// The limit's id.
    pub limit: &'a str,
    /// The query parameter.
    pub param: &'a str,
}

impl Schema {
    /// How `op` pages, when a pagination limit applies to it.
    pub fn paging_of(&self, op: &Operation) -> Option<Paging<'_>> {
        self.limits.iter().find_map(|l| match &l.kind {
            LimitKind::Pagination { params, id_field, next_rel, applies_to, .. } if applies_to.contains(&op.id) => {
                Some(Paging { limit: &l.id, params, id_field: id_field.as_deref(), next_rel: next_rel.as_deref() })
            }
            _ => None,
        })
    }

    /// The changes-since parameter of `op`, when a changes-since limit applies to it.
    pub fn changes_since_of(&self, op: &Operation) -> Option<ChangesSince<'_>> {
        self.limits.iter().find_map(|l| match &l.kind {
            LimitKind::ChangesSince { param, applies_to, .. } if applies_to.contains(&op.id) => {
                Some(ChangesSince { limit: &l.id, param })
            }
            _ => None,
        })
    }

    /// The links array of a model, when it has one: an array of a model whose fields have
    /// the roles `link-rel` and `link-href`.
    pub fn links_of<'a>(&'a self, m: &'a Model) -> Option<Links<'a>> {
        m.fields.iter().find_map(|f| {
            let lm = self.array_model(f)?;
            Some(Links { field: f, rel: lm.field_with_role(FieldRole::LinkRel)?, href: lm.field_with_role(FieldRole::LinkHref)? })
        })
    }

    /// The page shape of a list model: its one array of items (an array of a model that is
    /// not a links array) and its links.
    pub fn page_of<'a>(&'a self, m: &'a Model) -> Option<Page<'a>> {
        let links = self.links_of(m);
        let mut items = m
            .fields
            .iter()
            .filter(|f| links.is_none_or(|l| !std::ptr::eq(l.field, *f)))
            .filter_map(|f| Some((f, self.array_model(f)?)));
        let (items, item) = items.next().filter(|_| items.next().is_none())?;
        Some(Page { items, item, links })
    }

    fn array_model(&self, f: &Field) -> Option<&Model> {
        match &f.ty {
            TypeExpr::Array(inner) => match inner.as_ref() {
                TypeExpr::Model(id) => self.model(id),
                _ => None,
            },
            _ => None,
        }
    }
}
