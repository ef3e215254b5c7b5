//! The lexical layer of the CQL that `schema.cql` holds: blanks and comments, identifiers
//! (quoted and not), keywords, string/number/blob/UUID literals and option terms.
//!
//! Grammar facts from Cassandra's `Lexer.g`/`Parser.g` (`src/antlr/`),
//! <https://github.com/apache/cassandra/tree/trunk/src/antlr>.

use std::borrow::Cow;

use nom::bytes::complete::{tag, tag_no_case, take_while, take_while1};
use nom::error::{ContextError, ErrorKind, ParseError};
use nom::{IResult, Parser};

/// The parse error carried through nom: where it happened and what was expected there.
#[derive(Debug, Clone)]
pub(crate) struct PError<'a> {
    /// The input at the point of failure (its offset is recovered from its length).
    pub input: &'a str,
    /// What the parser expected there.
    pub expected: Cow<'static, str>,
}

impl<'a> PError<'a> {
    pub(crate) fn new(input: &'a str, expected: impl Into<Cow<'static, str>>) -> PError<'a> {
        PError { input, expected: expected.into() }
    }
}

impl<'a> ParseError<&'a str> for PError<'a> {
    fn from_error_kind(input: &'a str, kind: ErrorKind) -> Self {
        PError { input, expected: Cow::Owned(kind.description().to_string()) }
    }

    fn append(_input: &'a str, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    // Of two failed alternatives, report the one that got further.
    fn or(self, other: Self) -> Self {
        if other.input.len() < self.input.len() {
            other
        } else {
            self
        }
    }
}

impl<'a> ContextError<&'a str> for PError<'a> {
    fn add_context(input: &'a str, ctx: &'static str, mut other: Self) -> Self {
        // Only name what was expected when the failure is where the context began; deeper
        // failures already say something more precise.
        if other.input.len() == input.len() {
            other.expected = Cow::Borrowed(ctx);
        }
        other
    }
}

/// Result of every parser here.
pub(crate) type Res<'a, O> = IResult<&'a str, O, PError<'a>>;

/// A recoverable error (another alternative may match) at `input`.
pub(crate) fn fail<'a, O>(input: &'a str, expected: impl Into<Cow<'static, str>>) -> Res<'a, O> {
    Err(nom::Err::Error(PError::new(input, expected)))
}

/// A final error (no alternative may match) at `input`.
pub(crate) fn failure<'a, O>(input: &'a str, expected: impl Into<Cow<'static, str>>) -> Res<'a, O> {
    Err(nom::Err::Failure(PError::new(input, expected)))
}

/// Turns recoverable errors of `p` into final ones (the statement kind is known by then).
pub(crate) fn cut<'a, O>(r: Res<'a, O>) -> Res<'a, O> {
    r.map_err(|e| match e {
        nom::Err::Error(e) => nom::Err::Failure(e),
        other => other,
    })
}

/// Skips blanks and comments (`--` and `//` to end of line, `/* … */`).
pub(crate) fn sp(i: &str) -> Res<'_, ()> {
    let mut rest = i;
    loop {
        let t = rest.trim_start();
        if let Some(r) = t.strip_prefix("--").or_else(|| t.strip_prefix("//")) {
            rest = r.find('\n').map_or("", |n| &r[n..]);
        } else if let Some(r) = t.strip_prefix("/*") {
            match r.find("*/") {
                Some(n) => rest = &r[n + 2..],
                None => return failure(t, "the end `*/` of this block comment"),
            }
        } else {
            return Ok((t, ()));
        }
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Matches the keyword `word` (any case), after blanks, not followed by an identifier character.
pub(crate) fn kw<'a>(word: &'static str) -> impl Fn(&'a str) -> Res<'a, ()> {
    move |i: &'a str| {
        let (i, _) = sp(i)?;
        let (rest, _) = tag_no_case::<_, _, PError>(word).parse(i).or_else(|_| fail(i, word))?;
        if rest.starts_with(is_ident_char) {
            return fail(i, word);
        }
        Ok((rest, ()))
    }
}

/// Whether the keyword `word` comes next (without consuming it).
pub(crate) fn peek_kw(i: &str, word: &'static str) -> bool {
    kw(word)(i).is_ok()
}

/// Matches the punctuation `p` after blanks.
pub(crate) fn punct<'a>(p: &'static str) -> impl Fn(&'a str) -> Res<'a, ()> {
    move |i: &'a str| {
        let (i, _) = sp(i)?;
        match tag::<_, _, PError>(p).parse(i) {
            Ok((rest, _)) => Ok((rest, ())),
            Err(_) => fail(i, format!("`{p}`")),
        }
    }
}

/// An identifier after blanks: `"Quoted ""name"""` keeps its case, an unquoted one is folded
/// to lower case (CQL identifiers are case-insensitive unless quoted).
pub(crate) fn ident(i: &str) -> Res<'_, String> {
    let (i, _) = sp(i)?;
    if i.starts_with('"') {
        return quoted(i, '"', "the closing `\"` of this quoted identifier");
    }
    let (rest, word) = take_while1::<_, _, PError>(is_ident_char).parse(i).or_else(|_| fail(i, "an identifier"))?;
    if !word.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return fail(i, "an identifier");
    }
    Ok((rest, word.to_ascii_lowercase()))
}

/// `keyspace.name` or `name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualifiedName {
    /// The keyspace, when the name is qualified.
    pub keyspace: Option<String>,
    /// The object's own name.
    pub name: String,
}

impl std::fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(ks) = &self.keyspace {
            write!(f, "{}.", maybe_quote(ks))?;
        }
        f.write_str(&maybe_quote(&self.name))
    }
}

/// An identifier optionally qualified by a keyspace.
pub(crate) fn qualified_name(i: &str) -> Res<'_, QualifiedName> {
    let (i, first) = ident(i)?;
    // No blanks are allowed around the dot in what Cassandra writes, but CQL allows them.
    if let Ok((rest, _)) = punct(".")(i) {
        let (rest, second) = cut(ident(rest))?;
        return Ok((rest, QualifiedName { keyspace: Some(first), name: second }));
    }
    Ok((i, QualifiedName { keyspace: None, name: first }))
}

/// A string literal `'it''s'` after blanks, unescaped.
pub(crate) fn string_literal(i: &str) -> Res<'_, String> {
    let (i, _) = sp(i)?;
    if !i.starts_with('\'') {
        return fail(i, "a string literal");
    }
    quoted(i, '\'', "the closing `'` of this string")
}

/// Text between `q` quotes where a doubled `q` stands for one (`i` starts with `q`).
fn quoted<'a>(i: &'a str, q: char, closing: &'static str) -> Res<'a, String> {
    let mut out = String::new();
    let mut rest = &i[q.len_utf8()..];
    loop {
        let Some(n) = rest.find(q) else { return failure(i, closing) };
        out.push_str(&rest[..n]);
        rest = &rest[n + q.len_utf8()..];
        match rest.strip_prefix(q) {
            Some(r) => {
                out.push(q);
                rest = r;
            }
            None => return Ok((rest, out)),
        }
    }
}

/// A `$$ … $$` string (function bodies).
fn dollar_string(i: &str) -> Res<'_, &str> {
    let Some(body) = i.strip_prefix("$$") else { return fail(i, "`$$`") };
    match body.find("$$") {
        Some(n) => Ok((&body[n + 2..], &body[..n])),
        None => failure(i, "the closing `$$`"),
    }
}

/// An unsigned integer after blanks.
pub(crate) fn unsigned(i: &str) -> Res<'_, u64> {
    let (i, _) = sp(i)?;
    let (rest, digits) = take_while1::<_, _, PError>(|c: char| c.is_ascii_digit()).parse(i).or_else(|_| fail(i, "a number"))?;
    match digits.parse() {
        Ok(n) => Ok((rest, n)),
        Err(_) => failure(i, "a number that fits in 64 bits"),
    }
}

/// A signed 64-bit integer after blanks.
pub(crate) fn signed(i: &str) -> Res<'_, i64> {
    let (i, _) = sp(i)?;
    let (body, neg) = match i.strip_prefix('-') {
        Some(r) => (r, true),
        None => (i, false),
    };
    let (rest, digits) = take_while1::<_, _, PError>(|c: char| c.is_ascii_digit()).parse(body).or_else(|_| fail(i, "an integer"))?;
    let text = if neg { format!("-{digits}") } else { digits.to_string() };
    match text.parse() {
        Ok(n) => Ok((rest, n)),
        Err(_) => failure(i, "an integer that fits in 64 bits"),
    }
}

/// A UUID written bare (`ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18`), returned lower-case.
pub(crate) fn uuid_literal(i: &str) -> Res<'_, String> {
    let (i, _) = sp(i)?;
    let (rest, text) = take_while::<_, _, PError>(|c: char| c.is_ascii_hexdigit() || c == '-').parse(i)?;
    let groups: Vec<&str> = text.split('-').collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    if lens != [8, 4, 4, 4, 12] || rest.starts_with(is_ident_char) {
        return fail(i, "a UUID");
    }
    Ok((rest, text.to_ascii_lowercase()))
}

/// The value of a table, keyspace or index option, parsed (the raw text is kept beside it).
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    /// `'text'`, unescaped.
    Str(String),
    /// A number as written (`0.01`, `864000`, `-1`, `NaN`).
    Number(String),
    /// `true` or `false`.
    Bool(bool),
    /// `0x…` hex blob, without the `0x`.
    Blob(String),
    /// A bare identifier or UUID.
    Ident(String),
    /// `{k: v, …}` in written order.
    Map(Vec<(OptionValue, OptionValue)>),
    /// `{a, b}` or `[a, b]`.
    List(Vec<OptionValue>),
}

impl OptionValue {
    /// The text of a string, number or identifier value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            OptionValue::Str(s) | OptionValue::Number(s) | OptionValue::Ident(s) | OptionValue::Blob(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` of a map value whose keys are strings.
    pub fn get(&self, key: &str) -> Option<&OptionValue> {
        match self {
            OptionValue::Map(entries) => entries.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A number literal: integers, decimals, exponents, `NaN`, `Infinity`, `-Infinity`.
fn number(i: &str) -> Res<'_, String> {
    let start = i;
    let mut rest = i.strip_prefix('-').unwrap_or(i);
    for special in ["NaN", "Infinity"] {
        if let Some(r) = rest.strip_prefix(special) {
            if !r.starts_with(is_ident_char) {
                let len = start.len() - r.len();
                return Ok((r, start[..len].to_string()));
            }
        }
    }
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let n = digits(rest);
    if n == 0 {
        return fail(start, "a number");
    }
    rest = &rest[n..];
    if let Some(r) = rest.strip_prefix('.') {
        rest = &r[digits(r)..];
    }
    if let Some(r) = rest.strip_prefix(['e', 'E']) {
        let r2 = r.strip_prefix(['+', '-']).unwrap_or(r);
        let n = digits(r2);
        if n > 0 {
            rest = &r2[n..];
        }
    }
    if rest.starts_with(is_ident_char) {
        return fail(start, "a number");
    }
    let len = start.len() - rest.len();
    Ok((rest, start[..len].to_string()))
}

/// An option term: string, number, boolean, blob, UUID, identifier, map, set or list.
pub(crate) fn term(i: &str) -> Res<'_, OptionValue> {
    let (i, _) = sp(i)?;
    if i.starts_with('\'') {
        let (r, s) = string_literal(i)?;
        return Ok((r, OptionValue::Str(s)));
    }
    if let Some(body) = i.strip_prefix("0x").or_else(|| i.strip_prefix("0X")) {
        let (r, hex) = take_while::<_, _, PError>(|c: char| c.is_ascii_hexdigit()).parse(body)?;
        if !r.starts_with(is_ident_char) {
            return Ok((r, OptionValue::Blob(hex.to_ascii_lowercase())));
        }
    }
    if let Ok((r, u)) = uuid_literal(i) {
        return Ok((r, OptionValue::Ident(u)));
    }
    if let Ok((r, n)) = number(i) {
        return Ok((r, OptionValue::Number(n)));
    }
    if let Some(body) = i.strip_prefix('{') {
        return braces(i, body);
    }
    if let Some(body) = i.strip_prefix('[') {
        let (r, items) = items_until(body, "]")?;
        return Ok((r, OptionValue::List(items)));
    }
    match ident(i) {
        Ok((r, w)) if w == "true" => Ok((r, OptionValue::Bool(true))),
        Ok((r, w)) if w == "false" => Ok((r, OptionValue::Bool(false))),
        Ok((r, w)) => Ok((r, OptionValue::Ident(w))),
        Err(_) => fail(i, "a value (string, number, boolean, blob, map or list)"),
    }
}

/// `{}` , `{k: v, …}` or `{a, b}` (the opening brace already consumed from `body`).
fn braces<'a>(start: &'a str, body: &'a str) -> Res<'a, OptionValue> {
    if let Ok((r, _)) = punct("}")(body) {
        return Ok((r, OptionValue::Map(Vec::new())));
    }
    let (r, first) = cut(term(body))?;
    if let Ok((mut r, _)) = punct(":")(r) {
        let mut entries = Vec::new();
        let (r2, v) = cut(term(r))?;
        entries.push((first, v));
        r = r2;
        loop {
            if let Ok((r2, _)) = punct("}")(r) {
                return Ok((r2, OptionValue::Map(entries)));
            }
            let (r2, _) = cut(punct(",")(r))?;
            let (r2, k) = cut(term(r2))?;
            let (r2, _) = cut(punct(":")(r2))?;
            let (r2, v) = cut(term(r2))?;
            entries.push((k, v));
            r = r2;
        }
    }
    let _ = start;
    let mut items = vec![first];
    let mut r = r;
    loop {
        if let Ok((r2, _)) = punct("}")(r) {
            return Ok((r2, OptionValue::List(items)));
        }
        let (r2, _) = cut(punct(",")(r))?;
        let (r2, v) = cut(term(r2))?;
        items.push(v);
        r = r2;
    }
}

/// Comma-separated terms up to `close`.
fn items_until<'a>(body: &'a str, close: &'static str) -> Res<'a, Vec<OptionValue>> {
    let mut items = Vec::new();
    if let Ok((r, _)) = punct(close)(body) {
        return Ok((r, items));
    }
    let mut r = body;
    loop {
        let (r2, v) = cut(term(r))?;
        items.push(v);
        if let Ok((r3, _)) = punct(close)(r2) {
            return Ok((r3, items));
        }
        let (r3, _) = cut(punct(",")(r2))?;
        r = r3;
    }
}

/// Consumes the rest of a statement up to (not including) its `;` or the end of input,
/// stepping over strings, quoted identifiers, `$$` bodies and comments. Returns the
/// statement text trimmed.
pub(crate) fn rest_of_statement(i: &str) -> Res<'_, &str> {
    let mut rest = i;
    loop {
        let Some(n) = rest.find(['\'', '"', '$', '-', '/', ';']) else {
            return Ok(("", i.trim_end()));
        };
        let at = &rest[n..];
        if at.starts_with(';') {
            let len = i.len() - at.len();
            return Ok((at, i[..len].trim_end()));
        } else if at.starts_with('\'') {
            rest = string_literal(at)?.0;
        } else if at.starts_with('"') {
            rest = ident(at)?.0;
        } else if at.starts_with("$$") {
            rest = dollar_string(at)?.0;
        } else if at.starts_with("--") || at.starts_with("//") || at.starts_with("/*") {
            rest = sp(at)?.0;
        } else {
            rest = &at[1..];
        }
    }
}

/// Consumes balanced text up to the next `,`, `)` or `;` at nesting depth 0 or the end (not consuming it),
/// stepping over strings. Used for column extras such as `MASKED WITH mask_inner(1, null)`.
pub(crate) fn balanced_until_comma_or_paren(i: &str) -> Res<'_, &str> {
    let mut depth = 0usize;
    let mut rest = i;
    loop {
        let Some(n) = rest.find(['\'', '"', '(', ')', ',', '<', '>', ';']) else {
            return Ok(("", i.trim()));
        };
        let at = &rest[n..];
        let c = at.as_bytes()[0];
        match c {
            b'\'' => rest = string_literal(at)?.0,
            b'"' => rest = ident(at)?.0,
            b'(' | b'<' => {
                depth += 1;
                rest = &at[1..];
            }
            b')' | b'>' if depth > 0 => {
                depth -= 1;
                rest = &at[1..];
            }
            b',' if depth > 0 => rest = &at[1..],
            _ => {
                let len = i.len() - at.len();
                return Ok((at, i[..len].trim()));
            }
        }
    }
}

/// Cassandra's reserved keywords: an identifier equal to one of them must be quoted.
const RESERVED: &[&str] = &[
    "add", "aggregate", "allow", "alter", "and", "apply", "asc", "authorize", "batch", "begin", "by", "columnfamily",
    "create", "delete", "desc", "describe", "drop", "entries", "execute", "from", "full", "grant", "if", "in", "index",
    "infinity", "insert", "into", "is", "keyspace", "limit", "materialized", "mbean", "mbeans", "modify", "nan",
    "norecursive", "not", "null", "of", "on", "or", "order", "primary", "rename", "replace", "revoke", "schema",
    "select", "set", "table", "to", "token", "truncate", "unlogged", "unset", "update", "use", "using", "view",
    "where", "with",
];

/// Writes an identifier as CQL needs it: bare when it is lower-case `[a-z][a-z0-9_]*` and not
/// reserved, otherwise double-quoted with inner quotes doubled (Cassandra's `maybeQuote`).
pub fn maybe_quote(name: &str) -> Cow<'_, str> {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&name);
    if plain {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("\"{}\"", name.replace('"', "\"\"")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_fold_case_unless_quoted() {
        assert_eq!(ident("  MyCol rest").unwrap(), (" rest", "mycol".to_string()));
        assert_eq!(ident("\"My\"\"Col\" x").unwrap(), (" x", "My\"Col".to_string()));
        assert!(ident("1abc").is_err());
        assert!(matches!(ident("\"open"), Err(nom::Err::Failure(_))));
    }

    #[test]
    fn blanks_and_all_comment_styles_are_skipped() {
        assert_eq!(sp("  -- c\n // d\n /* e\n f */ x").unwrap().0, "x");
        assert!(sp("/* never closed").is_err());
    }

    #[test]
    fn keywords_need_a_word_boundary() {
        assert!(kw("table")("  TABLE x").is_ok());
        assert!(kw("table")("tables").is_err());
    }

    #[test]
    fn terms_cover_what_table_options_use() {
        let (_, v) = term("{'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32'}").unwrap();
        assert_eq!(v.get("max_threshold"), Some(&OptionValue::Str("32".into())));
        assert_eq!(term(" 0.01").unwrap().1, OptionValue::Number("0.01".into()));
        assert_eq!(term("-1e-5,").unwrap(), (",", OptionValue::Number("-1e-5".into())));
        assert_eq!(term("false").unwrap().1, OptionValue::Bool(false));
        assert_eq!(term("{'ext1': 0x76616C31}").unwrap().1, OptionValue::Map(vec![(OptionValue::Str("ext1".into()), OptionValue::Blob("76616c31".into()))]));
        assert_eq!(term("{ }").unwrap().1, OptionValue::Map(vec![]));
        assert_eq!(term("'it''s'").unwrap().1, OptionValue::Str("it's".into()));
        assert_eq!(term("NaN").unwrap().1, OptionValue::Number("NaN".into()));
        assert_eq!(term("5a1c395e-b41f-11e5-9f22-ba0be0483c18").unwrap().1, OptionValue::Ident("5a1c395e-b41f-11e5-9f22-ba0be0483c18".into()));
        assert_eq!(term("['a', 'b']").unwrap().1, OptionValue::List(vec![OptionValue::Str("a".into()), OptionValue::Str("b".into())]));
    }

    #[test]
    fn rest_of_statement_steps_over_strings_and_bodies() {
        let (r, s) = rest_of_statement("AS $$ return a; $$ AND x = 'a;b'; next").unwrap();
        assert_eq!(s, "AS $$ return a; $$ AND x = 'a;b'");
        assert_eq!(r, "; next");
    }

    #[test]
    fn quoting_matches_cassandra_rules() {
        assert_eq!(maybe_quote("abc_1"), "abc_1");
        assert_eq!(maybe_quote("Abc"), "\"Abc\"");
        assert_eq!(maybe_quote("select"), "\"select\"");
        assert_eq!(maybe_quote("a\"b"), "\"a\"\"b\"");
    }
}
