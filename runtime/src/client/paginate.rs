//! Pagination: a stream of pages that follows `next` links, or else pages by marker
//! (v2: the last item's id) or offset (v1.0) with the same `limit`. No item is yielded
//! twice: a server that ignores `marker` or `offset` (answering with the same page
//! again) ends the stream instead of looping.

use futures::stream::{self, Stream, StreamExt};
use reqwest::Url;
use std::collections::HashSet;
use std::future::Future;

/// A page of a paginated collection (a generated list model).
pub trait Paged {
    /// The item type.
    type Item;
    /// The items of this page.
    fn items(&self) -> &[Self::Item];
    /// The `href` of the collection link with `rel="next"` (JSON `<x>_links`, XML
    /// `atom:link`), if any.
    fn next_link(&self) -> Option<&str>;
    /// The id of an item, the marker of the page after it.
    fn item_id(item: &Self::Item) -> Option<String>;
    /// Keeps only the items for which `keep` is true (the pager drops items an earlier
    /// page already yielded).
    fn retain_items(&mut self, keep: &mut dyn FnMut(&Self::Item) -> bool);
    /// The items, by value.
    fn into_items(self) -> Vec<Self::Item>;
}

/// The items of a stream of pages, one after another; an error ends the stream after it.
pub fn items<P: Paged, E>(pages: impl Stream<Item = Result<P, E>>) -> impl Stream<Item = Result<P::Item, E>> {
    pages.flat_map(|page| match page {
        Ok(p) => stream::iter(p.into_items().into_iter().map(Ok).collect::<Vec<_>>()),
        Err(e) => stream::iter(vec![Err(e)]),
    })
}

/// How to ask for the next page when a page carries no `next` link: the query parameter
/// of the page size, and how the next page is named. The generated clients take both
/// from the schema's pagination limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageStyle {
    /// The parameter of the page size (`limit`).
    pub size: &'static str,
    /// How the page after the last item is asked for.
    pub by: PageBy,
}

/// How a pager names the next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageBy {
    /// This parameter takes the id of the last item (`marker`, v2).
    Marker(&'static str),
    /// This parameter takes the count of items seen so far (`offset`, v1.0).
    Offset(&'static str),
}

impl PageStyle {
    /// Marker paging: `size` sets the page size, `marker` names the last item seen.
    pub const fn marker(size: &'static str, marker: &'static str) -> Self {
        PageStyle { size, by: PageBy::Marker(marker) }
    }

    /// Offset paging: `size` sets the page size, `offset` counts the items seen.
    pub const fn offset(size: &'static str, offset: &'static str) -> Self {
        PageStyle { size, by: PageBy::Offset(offset) }
    }
}

fn get<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn set(q: &mut Vec<(String, String)>, key: &str, value: String) {
    match q.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => q.push((key.to_string(), value)),
    }
}

/// The query of the page a `next` link points at: the current query with the link's
/// parameters replacing or adding to it. Only the link's parameters are taken: the
/// request goes to the client's own endpoint (never to a host named in a response, so
/// a token is never sent elsewhere), in the client's own format.
fn follow(current: &[(String, String)], link: &str) -> Option<Vec<(String, String)>> {
    let url = Url::parse(link).or_else(|_| Url::parse("http://relative.invalid/")?.join(link)).ok()?;
    let mut q = current.to_vec();
    for (k, v) in url.query_pairs() {
        set(&mut q, &k, v.into_owned());
    }
    Some(q)
}

struct State<F> {
    fetch: F,
    query: Vec<(String, String)>,
    style: PageStyle,
    seen_next_link: bool,
    /// The ids of every item yielded so far.
    yielded: HashSet<String>,
    done: bool,
}

/// A stream of pages. `fetch` lists one page with the given query parameters (`None`
/// for a response without a page, such as `304 Not Modified`, which ends the stream);
/// the first call gets `query`. After each page the stream follows the page's `next` link; when a
/// page has none and no earlier page had one, it asks for the page after the last item
/// (`marker`, or `offset`), keeping `limit`. It stops after an empty page, a page
/// shorter than `limit`, a page without a `next` link once links were seen, a link or
/// marker that does not move, or an error (which it yields).
///
/// Items an earlier page already yielded (by [`Paged::item_id`]) are dropped from a
/// page; a page of nothing but such items (a server ignoring `marker`, `offset` or
/// `limit`) is not yielded and ends the stream, so no item is yielded twice and a
/// server that answers every request alike cannot make the stream loop.
pub fn pages<P, E, Fut, F>(query: Vec<(String, String)>, style: PageStyle, fetch: F) -> impl Stream<Item = Result<P, E>>
where
    P: Paged,
    F: FnMut(Vec<(String, String)>) -> Fut,
    Fut: Future<Output = Result<Option<P>, E>>,
{
    let state = State { fetch, query, style, seen_next_link: false, yielded: HashSet::new(), done: false };
    stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        let mut page = match (st.fetch)(st.query.clone()).await {
            Ok(Some(p)) => p,
            Ok(None) => return None,
            Err(e) => {
                st.done = true;
                return Some((Err(e), st));
            }
        };
        // The server's own count and last item decide what to ask next; repeats are
        // dropped from what is yielded.
        let n = page.items().len();
        let last_id = page.items().last().and_then(P::item_id);
        let yielded = &mut st.yielded;
        page.retain_items(&mut |item| P::item_id(item).is_none_or(|id| yielded.insert(id)));
        if n > 0 && page.items().is_empty() {
            tracing::debug!(items = n, "the page repeats items already yielded: the server ignores the marker; stopping");
            return None;
        }
        let limit = get(&st.query, st.style.size).and_then(|l| l.trim().parse::<usize>().ok());
        let next = if n == 0 {
            None
        } else if let Some(link) = page.next_link() {
            st.seen_next_link = true;
            follow(&st.query, link)
        } else if st.seen_next_link || limit.is_some_and(|l| n < l) {
            None
        } else {
            let mut q = st.query.clone();
            match st.style.by {
                PageBy::Marker(marker) => match last_id {
                    Some(id) => {
                        set(&mut q, marker, id);
                        Some(q)
                    }
                    None => None,
                },
                PageBy::Offset(offset) => {
                    let seen = get(&q, offset).and_then(|o| o.trim().parse::<usize>().ok()).unwrap_or(0);
                    set(&mut q, offset, (seen + n).to_string());
                    Some(q)
                }
            }
        };
        match next {
            Some(q) if q != st.query => st.query = q,
            _ => st.done = true,
        }
        Some((Ok(page), st))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use std::cell::RefCell;

    #[derive(Debug, Clone, PartialEq)]
    struct Page {
        ids: Vec<String>,
        next: Option<String>,
    }

    impl Paged for Page {
        type Item = String;
        fn items(&self) -> &[String] {
            &self.ids
        }
        fn next_link(&self) -> Option<&str> {
            self.next.as_deref()
        }
        fn item_id(item: &String) -> Option<String> {
            Some(item.clone())
        }
        fn retain_items(&mut self, keep: &mut dyn FnMut(&String) -> bool) {
            self.ids.retain(|i| keep(i));
        }
        fn into_items(self) -> Vec<String> {
            self.ids
        }
    }

    fn page(ids: &[&str], next: Option<&str>) -> Page {
        Page { ids: ids.iter().map(|s| s.to_string()).collect(), next: next.map(str::to_string) }
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Runs the pager over a fixed answer per call, recording the queries sent.
    fn run(start: Vec<(String, String)>, style: PageStyle, answers: Vec<Page>) -> (Vec<Page>, Vec<Vec<(String, String)>>) {
        let sent = RefCell::new(Vec::new());
        let answers = RefCell::new(answers.into_iter());
        let got: Vec<Page> = futures::executor::block_on(
            pages(start, style, |query| {
                sent.borrow_mut().push(query);
                let next = answers.borrow_mut().next();
                async move { next.map(Some).ok_or("no more answers") }
            })
            .map(|r| r.unwrap())
            .collect(),
        );
        (got, sent.into_inner())
    }

    #[test]
    fn follows_next_links_until_none() {
        let (got, sent) = run(
            q(&[("limit", "1"), ("name", "x")]),
            PageStyle::marker("limit", "marker"),
            vec![
                page(&["a"], Some("http://elsewhere.example/v2/1/images?limit=1&marker=a")),
                page(&["b"], Some("http://elsewhere.example/v2/1/images?limit=1&marker=b")),
                page(&["c"], None),
            ],
        );
        assert_eq!(got.len(), 3);
        assert_eq!(sent[1], q(&[("limit", "1"), ("name", "x"), ("marker", "a")]));
        assert_eq!(sent[2], q(&[("limit", "1"), ("name", "x"), ("marker", "b")]));
        assert_eq!(sent.len(), 3, "no request after a page without a next link once links were seen");
    }

    #[test]
    fn markers_until_short_or_empty_page() {
        let (got, sent) = run(q(&[("limit", "2")]), PageStyle::marker("limit", "marker"), vec![page(&["a", "b"], None), page(&["c"], None)]);
        assert_eq!(got.len(), 2);
        assert_eq!(sent[1], q(&[("limit", "2"), ("marker", "b")]));
        // Without a limit, paging goes on until an empty page.
        let (got, sent) = run(vec![], PageStyle::marker("limit", "marker"), vec![page(&["a"], None), page(&["b"], None), page(&[], None)]);
        assert_eq!((got.len(), sent.len()), (3, 3));
        assert_eq!(sent[2], q(&[("marker", "b")]));
    }

    #[test]
    fn offsets_for_v1_0() {
        let (_, sent) = run(
            q(&[("limit", "2")]),
            PageStyle::offset("limit", "offset"),
            vec![page(&["a", "b"], None), page(&["c", "d"], None), page(&["e"], None)],
        );
        assert_eq!(sent.len(), 3);
        assert_eq!(sent[1], q(&[("limit", "2"), ("offset", "2")]));
        assert_eq!(sent[2], q(&[("limit", "2"), ("offset", "4")]));
    }

    #[test]
    fn stops_without_a_page() {
        let calls = RefCell::new(0);
        let got: Vec<Result<Page, &str>> = futures::executor::block_on(
            pages(vec![], PageStyle::offset("limit", "offset"), |_| {
                *calls.borrow_mut() += 1;
                async { Ok(None) }
            })
            .collect(),
        );
        assert!(got.is_empty());
        assert_eq!(*calls.borrow(), 1);
    }

    #[test]
    fn stops_when_nothing_moves_and_on_errors() {
        // A next link that repeats the current query would loop forever.
        let (got, _) = run(q(&[("marker", "a")]), PageStyle::marker("limit", "marker"), vec![page(&["a"], Some("/images?marker=a")), page(&["z"], None)]);
        assert_eq!(got.len(), 1);
        let sent = RefCell::new(0);
        let results: Vec<Result<Page, &str>> = futures::executor::block_on(
            pages(vec![], PageStyle::marker("limit", "marker"), |_| {
                *sent.borrow_mut() += 1;
                async { Err("boom") }
            })
            .collect(),
        );
        assert_eq!(results, vec![Err("boom")]);
        assert_eq!(*sent.borrow(), 1);
    }

    #[test]
    fn a_server_ignoring_the_marker_ends_the_stream() {
        // Every request gets the first page again: one page, then the stream ends.
        let same = page(&["a", "b"], None);
        let (got, sent) = run(q(&[("limit", "2")]), PageStyle::marker("limit", "marker"), vec![same.clone(), same.clone(), same.clone()]);
        assert_eq!(got, vec![same.clone()]);
        assert_eq!(sent.len(), 2);
        // Also when it keeps sending a next link that moves.
        let linked = page(&["a", "b"], Some("/images?marker=b"));
        let (got, sent) = run(vec![], PageStyle::marker("limit", "marker"), vec![linked.clone(), page(&["a", "b"], Some("/images?marker=z")), page(&["c"], None)]);
        assert_eq!(got, vec![linked]);
        assert_eq!(sent.len(), 2);
        // Offsets ignored (v1.0): the same.
        let (got, sent) = run(q(&[("limit", "2")]), PageStyle::offset("limit", "offset"), vec![same.clone(), same.clone(), same]);
        assert_eq!((got.len(), sent.len()), (1, 2));
    }

    #[test]
    fn overlapping_pages_yield_only_new_items() {
        // A server ignoring `limit` returns more than asked; the next page overlaps.
        let (got, sent) = run(
            q(&[("limit", "2")]),
            PageStyle::marker("limit", "marker"),
            vec![page(&["a", "b"], None), page(&["b", "c"], None), page(&["c"], None)],
        );
        let items: Vec<String> = got.iter().flat_map(|p| p.ids.clone()).collect();
        assert_eq!(items, ["a", "b", "c"]);
        assert_eq!(sent[1], q(&[("limit", "2"), ("marker", "b")]));
        assert_eq!(sent[2], q(&[("limit", "2"), ("marker", "c")]));
        assert_eq!(sent.len(), 3, "the page of only `c` again ends the stream");
    }
}
