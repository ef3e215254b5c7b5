//! CQL column types as `schema.cql` writes them (`CQL3Type.toString()`): native types,
//! `list`/`set`/`map`, `tuple`, `vector`, `frozen<…>`, user-defined type names and quoted
//! custom classes such as `'org.apache.cassandra.db.marshal.EmptyType'`.
//!
//! Facts from `org.apache.cassandra.cql3.CQL3Type` and `SchemaCQLHelper.toCqlType`,
//! <https://github.com/apache/cassandra/blob/trunk/src/java/org/apache/cassandra/cql3/CQL3Type.java>.

use std::fmt;

use super::lex::{cut, fail, failure, punct, qualified_name, sp, string_literal, unsigned, QualifiedName, Res};

/// The built-in CQL types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NativeType {
    /// `ascii`
    Ascii,
    /// `bigint`
    Bigint,
    /// `blob`
    Blob,
    /// `boolean`
    Boolean,
    /// `counter`
    Counter,
    /// `date`
    Date,
    /// `decimal`
    Decimal,
    /// `double`
    Double,
    /// `duration`
    Duration,
    /// `float`
    Float,
    /// `inet`
    Inet,
    /// `int`
    Int,
    /// `smallint`
    Smallint,
    /// `text` (also written `varchar`)
    Text,
    /// `time`
    Time,
    /// `timestamp`
    Timestamp,
    /// `timeuuid`
    Timeuuid,
    /// `tinyint`
    Tinyint,
    /// `uuid`
    Uuid,
    /// `varint`
    Varint,
    /// `empty` (compact tables' hidden value column)
    Empty,
}

impl NativeType {
    /// Every native type with its CQL name.
    pub const NAMES: [(&'static str, NativeType); 22] = [
        ("ascii", NativeType::Ascii),
        ("bigint", NativeType::Bigint),
        ("blob", NativeType::Blob),
        ("boolean", NativeType::Boolean),
        ("counter", NativeType::Counter),
        ("date", NativeType::Date),
        ("decimal", NativeType::Decimal),
        ("double", NativeType::Double),
        ("duration", NativeType::Duration),
        ("float", NativeType::Float),
        ("inet", NativeType::Inet),
        ("int", NativeType::Int),
        ("smallint", NativeType::Smallint),
        ("text", NativeType::Text),
        ("varchar", NativeType::Text),
        ("time", NativeType::Time),
        ("timestamp", NativeType::Timestamp),
        ("timeuuid", NativeType::Timeuuid),
        ("tinyint", NativeType::Tinyint),
        ("uuid", NativeType::Uuid),
        ("varint", NativeType::Varint),
        ("empty", NativeType::Empty),
    ];

    /// The type's CQL name (`text` for `varchar`).
    pub fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(_, t)| *t == self).map_or("?", |(n, _)| n)
    }

    /// The native type named `name` (lower case), if any.
    pub fn from_name(name: &str) -> Option<NativeType> {
        Self::NAMES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }
}

/// A CQL type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CqlType {
    /// A built-in type.
    Native(NativeType),
    /// `list<T>` (multi-cell unless inside `frozen`).
    List(Box<CqlType>),
    /// `set<T>` (multi-cell unless inside `frozen`).
    Set(Box<CqlType>),
    /// `map<K, V>` (multi-cell unless inside `frozen`).
    Map(Box<CqlType>, Box<CqlType>),
    /// `tuple<A, B, …>` (always frozen, whether written so or not).
    Tuple(Vec<CqlType>),
    /// `vector<T, N>` (always a single cell).
    Vector(Box<CqlType>, u32),
    /// `frozen<T>`: the value is one cell.
    Frozen(Box<CqlType>),
    /// A user-defined type, by name (multi-cell unless inside `frozen`).
    Udt(QualifiedName),
    /// A custom type given by its Java class name (`'org.apache.cassandra.db.marshal.EmptyType'`).
    Custom(String),
}

impl CqlType {
    /// Whether this is the `counter` type.
    pub fn is_counter(&self) -> bool {
        matches!(self, CqlType::Native(NativeType::Counter))
    }

    /// Whether a column of this type is stored as several cells (a non-frozen collection or
    /// user-defined type: Cassandra's "complex" columns).
    pub fn is_multi_cell(&self) -> bool {
        matches!(self, CqlType::List(_) | CqlType::Set(_) | CqlType::Map(..) | CqlType::Udt(_))
    }

    /// The type without a top-level `frozen<…>`.
    pub fn unfrozen(&self) -> &CqlType {
        match self {
            CqlType::Frozen(inner) => inner.unfrozen(),
            other => other,
        }
    }

    /// Names of the user-defined types this type refers to, innermost first.
    pub fn referenced_udts(&self) -> Vec<&QualifiedName> {
        let mut out = Vec::new();
        self.collect_udts(&mut out);
        out
    }

    fn collect_udts<'a>(&'a self, out: &mut Vec<&'a QualifiedName>) {
        match self {
            CqlType::Udt(name) => out.push(name),
            CqlType::List(t) | CqlType::Set(t) | CqlType::Vector(t, _) | CqlType::Frozen(t) => t.collect_udts(out),
            CqlType::Map(k, v) => {
                k.collect_udts(out);
                v.collect_udts(out);
            }
            CqlType::Tuple(ts) => ts.iter().for_each(|t| t.collect_udts(out)),
            CqlType::Native(_) | CqlType::Custom(_) => {}
        }
    }
}

impl fmt::Display for CqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, ts: &[CqlType]| -> fmt::Result {
            for (n, t) in ts.iter().enumerate() {
                if n > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{t}")?;
            }
            Ok(())
        };
        match self {
            CqlType::Native(t) => f.write_str(t.name()),
            CqlType::List(t) => write!(f, "list<{t}>"),
            CqlType::Set(t) => write!(f, "set<{t}>"),
            CqlType::Map(k, v) => write!(f, "map<{k}, {v}>"),
            CqlType::Tuple(ts) => {
                f.write_str("tuple<")?;
                list(f, ts)?;
                f.write_str(">")
            }
            CqlType::Vector(t, n) => write!(f, "vector<{t}, {n}>"),
            CqlType::Frozen(t) => write!(f, "frozen<{t}>"),
            CqlType::Udt(name) => write!(f, "{name}"),
            CqlType::Custom(class) => write!(f, "'{}'", class.replace('\'', "''")),
        }
    }
}

/// Parses a CQL type after blanks.
pub(crate) fn cql_type(i: &str) -> Res<'_, CqlType> {
    let (i, _) = sp(i)?;
    if i.starts_with('\'') {
        let (r, class) = string_literal(i)?;
        return Ok((r, CqlType::Custom(class)));
    }
    let (after_name, name) = match qualified_name(i) {
        Ok(ok) => ok,
        Err(_) => return fail(i, "a CQL type"),
    };
    // A qualified name is always a user-defined type; so is a quoted name.
    let quoted = i.starts_with('"');
    if name.keyspace.is_some() || quoted {
        return Ok((after_name, CqlType::Udt(name)));
    }
    let word = name.name.as_str();
    let generic = |r| -> Res<'_, Vec<CqlType>> {
        let (mut r, _) = cut(punct("<")(r))?;
        let mut args = Vec::new();
        loop {
            let (r2, t) = cut(cql_type(r))?;
            args.push(t);
            if let Ok((r3, _)) = punct(">")(r2) {
                return Ok((r3, args));
            }
            let (r3, _) = cut(punct(",")(r2))?;
            r = r3;
        }
    };
    let one = |r, what: &'static str| -> Res<'_, CqlType> {
        let (r2, mut args) = generic(r)?;
        if args.len() != 1 {
            return failure(r, what);
        }
        Ok((r2, args.remove(0)))
    };
    match word {
        "frozen" if punct("<")(after_name).is_ok() => {
            let (r, t) = one(after_name, "one type inside frozen<…>")?;
            Ok((r, CqlType::Frozen(Box::new(t))))
        }
        "list" if punct("<")(after_name).is_ok() => {
            let (r, t) = one(after_name, "one element type in list<…>")?;
            Ok((r, CqlType::List(Box::new(t))))
        }
        "set" if punct("<")(after_name).is_ok() => {
            let (r, t) = one(after_name, "one element type in set<…>")?;
            Ok((r, CqlType::Set(Box::new(t))))
        }
        "map" if punct("<")(after_name).is_ok() => {
            let (r, mut args) = generic(after_name)?;
            if args.len() != 2 {
                return failure(after_name, "a key and a value type in map<…, …>");
            }
            let v = args.remove(1);
            let k = args.remove(0);
            Ok((r, CqlType::Map(Box::new(k), Box::new(v))))
        }
        "tuple" if punct("<")(after_name).is_ok() => {
            let (r, args) = generic(after_name)?;
            Ok((r, CqlType::Tuple(args)))
        }
        "vector" if punct("<")(after_name).is_ok() => {
            let (r, _) = punct("<")(after_name)?;
            let (r, t) = cut(cql_type(r))?;
            let (r, _) = cut(punct(",")(r))?;
            let (r2, n) = cut(unsigned(r))?;
            let Ok(n) = u32::try_from(n) else { return failure(r, "a vector dimension that fits in 32 bits") };
            let (r2, _) = cut(punct(">")(r2))?;
            Ok((r2, CqlType::Vector(Box::new(t), n)))
        }
        _ => match NativeType::from_name(word) {
            Some(t) => Ok((after_name, CqlType::Native(t))),
            None => {
                // Any other bare name is a user-defined type of the table's keyspace.
                Ok((after_name, CqlType::Udt(name)))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> CqlType {
        let (rest, t) = cql_type(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        assert!(rest.trim().is_empty(), "{s}: left {rest:?}");
        t
    }

    #[test]
    fn every_native_type_parses_and_prints() {
        for (name, t) in NativeType::NAMES {
            assert_eq!(parse(name), CqlType::Native(t));
            assert_eq!(parse(&name.to_uppercase()), CqlType::Native(t));
        }
        assert_eq!(parse("varchar").to_string(), "text");
    }

    #[test]
    fn nested_collections_tuples_vectors_and_udts_round_trip() {
        for s in [
            "frozen<list<int>>",
            "map<text, frozen<set<bigint>>>",
            "frozen<map<frozen<list<int>>, tuple<int, text, frozen<my_udt>>>>",
            "tuple<int, tuple<text, blob>>",
            "vector<float, 1536>",
            "list<frozen<vector<double, 3>>>",
            "frozen<ks.addr>",
            "frozen<\"Addr\">",
            "'org.apache.cassandra.db.marshal.EmptyType'",
            "set<frozen<udt_a>>",
        ] {
            assert_eq!(parse(s).to_string(), s);
        }
        assert_eq!(parse("map < text , int >").to_string(), "map<text, int>");
    }

    #[test]
    fn multi_cell_means_non_frozen_collection_or_udt() {
        assert!(parse("list<int>").is_multi_cell());
        assert!(parse("my_udt").is_multi_cell());
        assert!(!parse("frozen<list<int>>").is_multi_cell());
        assert!(!parse("tuple<int, int>").is_multi_cell());
        assert!(!parse("vector<float, 2>").is_multi_cell());
        assert!(parse("counter").is_counter());
    }

    #[test]
    fn referenced_udts_are_listed() {
        let t = parse("map<frozen<a>, frozen<list<ks.b>>>");
        let names: Vec<String> = t.referenced_udts().iter().map(|n| n.to_string()).collect();
        assert_eq!(names, ["a", "ks.b"]);
    }

    #[test]
    fn bad_types_fail_at_the_right_place() {
        let e = cql_type("map<int>").unwrap_err();
        let nom::Err::Failure(e) = e else { panic!("{e:?}") };
        assert_eq!(e.expected, "a key and a value type in map<…, …>");
        assert!(cql_type("list<int").is_err());
        assert!(cql_type("vector<float>").is_err());
        assert!(cql_type("(").is_err());
    }
}
