//! A small JSON tree and its two printers: sstabledump's layout (two-space indents, leaf
//! objects and arrays on one line) and one line per document (`-l`).

/// A JSON value. `Raw` holds an already-rendered fragment (a value's `toJSONString`).
#[derive(Debug, Clone)]
pub(crate) enum Json {
    Raw(String),
    Str(String),
    Int(i64),
    Bool(bool),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

impl Json {
    fn is_leaf_container(&self) -> bool {
        match self {
            Json::Arr(items) => items.iter().all(|i| !matches!(i, Json::Arr(_) | Json::Obj(_))),
            Json::Obj(fields) => {
                fields.iter().all(|(_, v)| !matches!(v, Json::Obj(_)) && !matches!(v, Json::Arr(a) if a.iter().any(|i| matches!(i, Json::Obj(_)))))
            }
            _ => true,
        }
    }

    /// Appends the one-line form.
    pub fn write_compact(&self, out: &mut String) {
        match self {
            Json::Raw(s) => out.push_str(s),
            Json::Str(s) => crate::types::format::push_json_string(out, s),
            Json::Int(i) => out.push_str(&i.to_string()),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    crate::types::format::push_json_string(out, k);
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
        }
    }

    /// Appends the indented form, the first line at the current position, nested lines at
    /// `indent` levels.
    pub fn write_pretty(&self, out: &mut String, indent: usize) {
        let pad = |out: &mut String, n: usize| {
            for _ in 0..n {
                out.push_str("  ");
            }
        };
        match self {
            Json::Arr(items) if items.is_empty() => out.push_str("[ ]"),
            Json::Obj(fields) if fields.is_empty() => out.push_str("{ }"),
            Json::Arr(items) if self.is_leaf_container() => {
                out.push_str("[ ");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_pretty(out, indent);
                }
                out.push_str(" ]");
            }
            Json::Obj(fields) if self.is_leaf_container() => {
                out.push_str("{ ");
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    crate::types::format::push_json_string(out, k);
                    out.push_str(" : ");
                    v.write_pretty(out, indent);
                }
                out.push_str(" }");
            }
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    pad(out, indent + 1);
                    item.write_pretty(out, indent + 1);
                }
                out.push('\n');
                pad(out, indent);
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    pad(out, indent + 1);
                    crate::types::format::push_json_string(out, k);
                    out.push_str(" : ");
                    v.write_pretty(out, indent + 1);
                }
                out.push('\n');
                pad(out, indent);
                out.push('}');
            }
            leaf => leaf.write_compact(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_leaves_inline_and_nests_the_rest() {
        let doc = Json::Obj(vec![
            ("partition", Json::Obj(vec![("key", Json::Arr(vec![Json::Str("a\"b".into())])), ("position", Json::Int(3))])),
            ("rows", Json::Arr(vec![])),
            ("v", Json::Raw("1.5".into())),
            ("b", Json::Bool(true)),
        ]);
        let mut pretty = String::new();
        doc.write_pretty(&mut pretty, 0);
        assert_eq!(pretty, "{\n  \"partition\" : { \"key\" : [ \"a\\\"b\" ], \"position\" : 3 },\n  \"rows\" : [ ],\n  \"v\" : 1.5,\n  \"b\" : true\n}");
        let mut compact = String::new();
        doc.write_compact(&mut compact);
        assert_eq!(compact, r#"{"partition":{"key":["a\"b"],"position":3},"rows":[],"v":1.5,"b":true}"#);
    }
}
