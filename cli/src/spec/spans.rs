//! Where each node of a YAML document is: JSON pointer -> (key span, value span).
//!
//! serde_yaml gives values without positions, so a second pass over the parser events of `saphyr-parser` (which
//! carry spans) records every node's location under the same JSON pointer the value has in the loaded
//! `serde_json::Value`. Diagnostics look a node up by pointer and fall back to its nearest located ancestor.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser};

use crate::diag::Span;

/// The deepest nesting of collections a spec may have: serde_yaml's own recursion limit. The span index stops at
/// the first collection deeper than this, so the loader can refuse the document before serde_yaml parses it: its
/// parser (libyaml) takes quadratic time in the depth of nested flow mappings (`{a: {a: ...}}` 100,000 deep: minutes).
pub const MAX_DEPTH: usize = 128;

/// Locations of one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpans {
    /// The mapping key naming this node; `None` for sequence items and the root.
    pub key: Option<Span>,
    /// The value itself. For mappings and sequences it runs from their first to their last character.
    pub value: Span,
}

/// JSON pointer -> locations, for one YAML document.
/// A key repeated in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key's pointer (the same for both occurrences).
    pub pointer: String,
    /// The repeated key.
    pub span: Span,
    /// Its first occurrence.
    pub first: Span,
}

#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    nodes: HashMap<String, NodeSpans>,
    duplicates: Vec<DuplicateKey>,
    too_deep: Option<Span>,
}

impl SpanIndex {
    /// Indexes `source`. Best effort: a document the event parser rejects (serde_yaml reports the syntax error)
    /// keeps what was indexed before the error.
    pub fn build(source: &str) -> SpanIndex {
        let mut builder = Builder::default();
        for event in Parser::new_from_str(source) {
            match event {
                Ok((event, span)) => {
                    if builder.on_event(event, span.start, span.end) {
                        break;
                    }
                }
                Err(err) => {
                    // The scanner refuses flow collections nested 256 deep before emitting their events.
                    if err.info() == "recursion limit exceeded" {
                        let at = err.marker();
                        builder.too_deep = Some(Span::point(at.line(), at.col() + 1));
                    }
                    break;
                }
            }
        }
        SpanIndex {
            nodes: builder.nodes,
            duplicates: builder.duplicates,
            too_deep: builder.too_deep,
        }
    }

    /// Where the first collection nested deeper than [`MAX_DEPTH`] starts, if any (indexing stopped there).
    pub fn too_deep(&self) -> Option<Span> {
        self.too_deep
    }

    /// Keys that appear a second time in the same mapping. serde_yaml silently keeps the last one when loading
    /// into a JSON value, so the index reports them.
    pub fn duplicate_keys(&self) -> &[DuplicateKey] {
        &self.duplicates
    }

    /// The recorded spans of exactly this pointer.
    pub fn get(&self, pointer: &str) -> Option<NodeSpans> {
        self.nodes.get(pointer).copied()
    }

    /// The span of the value at `pointer`, or of its nearest located ancestor.
    pub fn value(&self, pointer: &str) -> Option<Span> {
        self.nearest(pointer).map(|n| n.value)
    }

    /// The span of the key naming `pointer` (the value's when it has no key), or of its nearest located ancestor.
    pub fn key(&self, pointer: &str) -> Option<Span> {
        self.nearest(pointer).map(|n| n.key.unwrap_or(n.value))
    }

    fn nearest(&self, pointer: &str) -> Option<NodeSpans> {
        let mut p = pointer;
        loop {
            if let Some(n) = self.nodes.get(p) {
                return Some(*n);
            }
            if p.is_empty() {
                return None;
            }
            p = &p[..p.rfind('/').unwrap_or(0)];
        }
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn to_span(start: Marker, end: Marker) -> Span {
    Span::new(start.line(), start.col() + 1, end.line(), end.col() + 1)
}

enum Frame {
    Mapping {
        pointer: String,
        start: Marker,
        key: Option<(String, Span)>,
        /// Each key's first occurrence, to point a duplicate at it.
        seen: HashMap<String, Span>,
    },
    Sequence {
        pointer: String,
        start: Marker,
        next: usize,
    },
}

#[derive(Default)]
struct Builder {
    nodes: HashMap<String, NodeSpans>,
    duplicates: Vec<DuplicateKey>,
    too_deep: Option<Span>,
    stack: Vec<Frame>,
    /// End of the last event with a width, used as the end of block collections (whose end events are empty).
    last_end: Marker,
    /// Nesting depth inside a complex (non-scalar) mapping key, which has no pointer and is skipped.
    skip: usize,
}

impl Builder {
    /// Feeds one event; returns true at the end of the first document (only one is supported) or when the
    /// nesting gets deeper than [`MAX_DEPTH`].
    fn on_event(&mut self, event: Event<'_>, start: Marker, end: Marker) -> bool {
        let has_width = end.index() > start.index();
        if matches!(event, Event::MappingStart(..) | Event::SequenceStart(..))
            && self.stack.len() + self.skip >= MAX_DEPTH
        {
            self.too_deep = Some(to_span(start, end));
            return true;
        }
        if self.skip > 0 {
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) => self.skip += 1,
                Event::MappingEnd | Event::SequenceEnd => {
                    self.skip -= 1;
                    if self.skip == 0 {
                        self.set_key_of_top(String::new(), to_span(start, end));
                    }
                }
                _ => {}
            }
            return false;
        }
        match event {
            Event::DocumentEnd => return true,
            Event::Scalar(text, ..) => {
                if self.expects_key() {
                    self.set_key_of_top(text.into_owned(), to_span(start, end));
                } else if let Some(pointer) = self.child_pointer() {
                    self.record(pointer, to_span(start, end));
                }
            }
            Event::Alias(_) => {
                if self.expects_key() {
                    self.set_key_of_top(String::new(), to_span(start, end));
                } else if let Some(pointer) = self.child_pointer() {
                    self.record(pointer, to_span(start, end));
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if self.expects_key() {
                    self.skip = 1;
                } else if let Some(pointer) = self.child_pointer() {
                    self.stack.push(match event {
                        Event::MappingStart(..) => Frame::Mapping {
                            pointer,
                            start,
                            key: None,
                            seen: HashMap::new(),
                        },
                        _ => Frame::Sequence {
                            pointer,
                            start,
                            next: 0,
                        },
                    });
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let close = if has_width { end } else { self.last_end };
                if let Some(frame) = self.stack.pop() {
                    let (pointer, open) = match frame {
                        Frame::Mapping { pointer, start, .. }
                        | Frame::Sequence { pointer, start, .. } => (pointer, start),
                    };
                    // A collection of empty values (`- `) has no event with a width: it ends where it starts.
                    let close = if (close.line(), close.col()) < (open.line(), open.col()) {
                        open
                    } else {
                        close
                    };
                    self.record(pointer, to_span(open, close));
                }
            }
            _ => {}
        }
        if has_width {
            self.last_end = end;
        }
        false
    }

    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }))
    }

    fn set_key_of_top(&mut self, name: String, span: Span) {
        if let Some(Frame::Mapping {
            pointer, key, seen, ..
        }) = self.stack.last_mut()
        {
            match seen.get(&name) {
                Some(&first) => self.duplicates.push(DuplicateKey {
                    pointer: format!("{pointer}/{}", escape_segment(&name)),
                    span,
                    first,
                }),
                None => {
                    seen.insert(name.clone(), span);
                }
            }
            *key = Some((name, span));
        }
    }

    /// The pointer of the node that starts now, in the current collection (or the root). For a mapping value the
    /// pending key is consumed; its span is remembered until the value is recorded.
    fn child_pointer(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Sequence { pointer, next, .. }) => {
                let p = format!("{pointer}/{next}");
                *next += 1;
                Some(p)
            }
            Some(Frame::Mapping { pointer, key, .. }) => {
                let (name, span) = key.as_ref()?;
                let p = format!("{pointer}/{}", escape_segment(name));
                self.nodes.insert(
                    p.clone(),
                    NodeSpans {
                        key: Some(*span),
                        value: *span,
                    },
                );
                Some(p)
            }
        }
    }

    fn record(&mut self, pointer: String, value: Span) {
        let key = self.nodes.get(&pointer).and_then(|n| n.key);
        self.nodes.insert(pointer, NodeSpans { key, value });
        // The value of a mapping entry is complete: the mapping expects its next key.
        if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
            *key = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(line: usize, column: usize, end_line: usize, end_column: usize) -> Span {
        Span::new(line, column, end_line, end_column)
    }

    #[test]
    fn block_and_flow_nodes_are_located() {
        let src = "a: 1\nb:\n  c: [x, {d: yes}]\n  e:\n    - f\n    - g: h\n";
        let idx = SpanIndex::build(src);
        assert_eq!(
            idx.get("/a"),
            Some(NodeSpans {
                key: Some(s(1, 1, 1, 2)),
                value: s(1, 4, 1, 5)
            })
        );
        assert_eq!(idx.get("/b/c").unwrap().value, s(3, 6, 3, 19));
        assert_eq!(idx.get("/b/c/1/d").unwrap().value, s(3, 14, 3, 17));
        assert_eq!(
            idx.get("/b/e/0").unwrap(),
            NodeSpans {
                key: None,
                value: s(5, 7, 5, 8)
            }
        );
        assert_eq!(idx.get("/b/e/1/g").unwrap().key, Some(s(6, 7, 6, 8)));
        assert_eq!(idx.get("/b").unwrap().key, Some(s(2, 1, 2, 2)));
        assert_eq!(idx.get("/b").unwrap().value, s(3, 3, 6, 11));
    }

    #[test]
    fn lookups_fall_back_to_ancestors() {
        let idx = SpanIndex::build("server:\n  name: x\n");
        assert_eq!(idx.value("/server/version"), idx.value("/server"));
        assert_eq!(idx.key("/server/name/deeper"), Some(s(2, 3, 2, 7)));
    }

    #[test]
    fn escaped_keys_and_aliases() {
        let idx = SpanIndex::build("x/y: &a 1\nz~: *a\n");
        assert!(idx.get("/x~1y").is_some());
        assert_eq!(idx.get("/z~0").unwrap().value, s(2, 5, 2, 7));
    }

    #[test]
    fn nesting_is_indexed_up_to_the_limit_serde_yaml_accepts() {
        for (depth, deep) in [(MAX_DEPTH, false), (MAX_DEPTH + 1, true)] {
            for src in [
                "[".repeat(depth) + &"]".repeat(depth),
                "{a: ".repeat(depth) + "1" + &"}".repeat(depth),
                // The mapping holding the key is one level.
                "? ".to_owned() + &"[".repeat(depth - 1) + &"]".repeat(depth - 1) + "\n: 1\n",
            ] {
                let parsed = serde_yaml::from_str::<serde_json::Value>(&src);
                assert_eq!(SpanIndex::build(&src).too_deep().is_some(), deep, "{src}");
                // serde_yaml agrees except for complex keys, which a JSON value cannot hold at all.
                if !src.starts_with('?') {
                    assert_eq!(parsed.is_err(), deep, "{src}");
                }
            }
        }
        // Deeper than the scanner's own limit: it stops before emitting the collections' events.
        for src in ["[".repeat(100_000), "{a: ".repeat(100_000)] {
            assert!(SpanIndex::build(&src).too_deep().is_some());
        }
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let at = SpanIndex::build(&block)
            .too_deep()
            .map(|s| (s.line, s.column));
        assert_eq!(at, Some((MAX_DEPTH + 1, MAX_DEPTH + 1)));
    }

    #[test]
    fn collections_of_empty_values_end_where_they_start() {
        for src in ["- ", "a:\n", "- \n- \n"] {
            let value = SpanIndex::build(src).get("").unwrap().value;
            assert!(
                (value.end_line, value.end_column) >= (value.line, value.column),
                "{src:?}: {value:?}"
            );
        }
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let idx = SpanIndex::build(
            "a:
  b: 1
  c: 2
  b: 3
",
        );
        assert_eq!(
            idx.duplicate_keys(),
            [DuplicateKey {
                pointer: "/a/b".to_owned(),
                span: s(4, 3, 4, 4),
                first: s(2, 3, 2, 4),
            }]
        );
    }
}
