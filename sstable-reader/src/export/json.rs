//! A streaming JSON writer with sstabledump's two layouts: indented (two spaces a level, leaf
//! objects and arrays on one line) and one line per document (`-l`).
//!
//! The writer appends to one reused `String`; nothing is built as a tree. Whether an object or
//! array goes on one line is the caller's call when it opens it: sstabledump puts a container
//! on one line when it holds no object and no array of objects, which the exporter knows from
//! the shape of what it writes (a cell without `deletion_info`, a `clustering` array...).

/// An open object or array.
#[derive(Debug, Clone, Copy)]
struct Level {
    /// Written on one line.
    inline: bool,
    /// Holds an item already.
    items: bool,
}

/// A field name and what follows it, in both layouts: one copy per field instead of three.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    pub(crate) pretty: &'static str,
    pub(crate) compact: &'static str,
}

/// The [`Key`] of a field name that needs no escaping.
macro_rules! key {
    ($name:literal) => {
        $crate::export::json::Key { pretty: concat!("\"", $name, "\" : "), compact: concat!("\"", $name, "\":") }
    };
}
pub(crate) use key;

/// A point to go back to with [`JsonWriter::rewind`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    len: usize,
    depth: usize,
    top: Option<Level>,
}

/// Appends JSON to [`JsonWriter::out`].
#[derive(Debug)]
pub(crate) struct JsonWriter {
    /// The text written so far (the exporter drains it into its output).
    pub out: String,
    pretty: bool,
    /// Indent levels of the document itself (1 inside sstabledump's top-level array).
    base_indent: usize,
    stack: Vec<Level>,
}

impl JsonWriter {
    /// A writer in sstabledump's indented layout (`pretty`, documents at `base_indent`) or one
    /// line per document.
    pub fn new(pretty: bool, base_indent: usize) -> JsonWriter {
        JsonWriter { out: String::with_capacity(1 << 17), pretty, base_indent, stack: Vec::with_capacity(8) }
    }

    /// Writes `separator` (`,` or nothing), a line break and the indent of `levels` levels in
    /// one copy (this runs for every field of every cell).
    fn break_line(&mut self, separator: bool, levels: usize) {
        const BREAK: &str = ",\n                                                                ";
        let end = 2 + 2 * (self.base_indent + levels);
        let from = usize::from(!separator);
        match BREAK.get(from..end) {
            Some(text) => self.out.push_str(text),
            None => {
                self.out.push_str(&BREAK[from..2]);
                for _ in 0..self.base_indent + levels {
                    self.out.push_str("  ");
                }
            }
        }
    }

    /// Starts an item of the open array (or a field, from [`JsonWriter::key`]): writes the
    /// separator before it.
    pub fn item(&mut self) {
        let depth = self.stack.len();
        let Some(level) = self.stack.last_mut() else { return };
        let first = !level.items;
        level.items = true;
        let inline = level.inline;
        match (self.pretty, inline) {
            (false, _) => {
                if !first {
                    self.out.push(',');
                }
            }
            (true, true) => self.out.push_str(if first { " " } else { ", " }),
            (true, false) => self.break_line(!first, depth),
        }
    }

    /// Starts a field of the open object.
    pub fn key(&mut self, key: Key) {
        self.item();
        self.out.push_str(if self.pretty { key.pretty } else { key.compact });
    }

    /// Writes a field whose value is a string that needs no escaping.
    pub fn plain_field(&mut self, key: Key, value: &str) {
        self.key(key);
        self.out.push('"');
        self.out.push_str(value);
        self.out.push('"');
    }

    /// Opens an object, on one line when `inline`.
    pub fn begin_object(&mut self, inline: bool) {
        self.out.push('{');
        self.stack.push(Level { inline, items: false });
    }

    /// Opens an array, on one line when `inline`.
    pub fn begin_array(&mut self, inline: bool) {
        self.out.push('[');
        self.stack.push(Level { inline, items: false });
    }

    /// Closes the open object.
    pub fn end_object(&mut self) {
        self.end('}');
    }

    /// Closes the open array.
    pub fn end_array(&mut self) {
        self.end(']');
    }

    fn end(&mut self, close: char) {
        let level = self.stack.pop().expect("a container is open");
        if self.pretty {
            if level.inline || !level.items {
                self.out.push(' ');
            } else {
                self.break_line(false, self.stack.len());
            }
        }
        self.out.push(close);
    }

    /// The current point, to [`JsonWriter::rewind`] to.
    pub fn mark(&self) -> Mark {
        Mark { len: self.out.len(), depth: self.stack.len(), top: self.stack.last().copied() }
    }

    /// Forgets everything written since `mark` (which must not predate a drain of `out`).
    pub fn rewind(&mut self, mark: Mark) {
        self.out.truncate(mark.len);
        self.stack.truncate(mark.depth);
        if let (Some(top), Some(level)) = (mark.top, self.stack.last_mut()) {
            *level = top;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(w: &mut JsonWriter) {
        w.begin_object(false);
        w.key(key!("partition"));
        w.begin_object(true);
        w.key(key!("key"));
        w.begin_array(true);
        w.item();
        crate::types::format::push_json_string(&mut w.out, "a\"b");
        w.end_array();
        w.key(key!("position"));
        w.out.push('3');
        w.end_object();
        w.key(key!("rows"));
        w.begin_array(false);
        w.end_array();
        w.key(key!("cells"));
        w.begin_array(false);
        w.item();
        w.begin_object(true);
        w.plain_field(key!("name"), "v");
        w.end_object();
        w.end_array();
        w.key(key!("v"));
        w.out.push_str("1.5");
        w.end_object();
    }

    #[test]
    fn prints_leaves_inline_and_nests_the_rest() {
        let mut w = JsonWriter::new(true, 0);
        doc(&mut w);
        assert_eq!(
            w.out,
            "{\n  \"partition\" : { \"key\" : [ \"a\\\"b\" ], \"position\" : 3 },\n  \"rows\" : [ ],\n  \"cells\" : [\n    { \"name\" : \"v\" }\n  ],\n  \"v\" : 1.5\n}"
        );
        let mut w = JsonWriter::new(false, 0);
        doc(&mut w);
        assert_eq!(w.out, r#"{"partition":{"key":["a\"b"],"position":3},"rows":[],"cells":[{"name":"v"}],"v":1.5}"#);
    }

    #[test]
    fn deep_nesting_indents_past_the_prepared_spaces() {
        let mut w = JsonWriter::new(true, 1);
        for _ in 0..40 {
            w.begin_array(false);
            w.item();
        }
        w.out.push('1');
        for _ in 0..40 {
            w.end_array();
        }
        let last = w.out.lines().last().unwrap();
        assert_eq!(last, "  ]");
        assert!(w.out.lines().any(|l| l == format!("{}1", "  ".repeat(41))));
    }

    #[test]
    fn rewinding_forgets_text_and_items() {
        let mut w = JsonWriter::new(true, 1);
        w.begin_array(false);
        let mark = w.mark();
        w.item();
        w.out.push('1');
        w.rewind(mark);
        w.end_array();
        assert_eq!(w.out, "[ ]");
    }
}
