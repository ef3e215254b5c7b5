//! Parser for Cassandra's marshal type strings (the grammar of `db.marshal.TypeParser`):
//! `Name`, `Name(param, param, ...)`; a parameter is a type, `hexname:Type` (UDT fields),
//! `alias=>Type` (dynamic composite aliases) or a bare identifier/number (UDT keyspace and
//! name, vector dimension).

use super::{CqlType, UdtType, ValueError, MARSHAL_PACKAGE};

/// One node of the parsed type string, before it is given meaning.
#[derive(Debug)]
enum Param {
    Type(Node),
    Named(String, Node),
    Word(String),
}

#[derive(Debug)]
struct Node {
    name: String,
    params: Option<Vec<Param>>,
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    text: &'a str,
}

impl<'a> Parser<'a> {
    fn err(&self, what: &str) -> ValueError {
        ValueError(format!("bad type string at char {} ({what}): {:?}", self.pos, self.text))
    }

    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn ident(&mut self) -> String {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.s.len() && is_ident_char(self.s[self.pos]) {
            self.pos += 1;
        }
        self.text[start..self.pos].to_string()
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }

    fn node_after(&mut self, name: String) -> Result<Node, ValueError> {
        if self.peek() != Some(b'(') {
            return Ok(Node { name, params: None });
        }
        self.pos += 1;
        let mut params = Vec::new();
        if self.peek() == Some(b')') {
            self.pos += 1;
            return Ok(Node { name, params: Some(params) });
        }
        loop {
            params.push(self.param()?);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b')') => {
                    self.pos += 1;
                    return Ok(Node { name, params: Some(params) });
                }
                _ => return Err(self.err("expected ',' or ')'")),
            }
        }
    }

    fn param(&mut self) -> Result<Param, ValueError> {
        let word = self.ident();
        if word.is_empty() {
            return Err(self.err("expected a name"));
        }
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                let inner = self.ident();
                Ok(Param::Named(word, self.node_after(inner)?))
            }
            Some(b'=') if self.s.get(self.pos + 1) == Some(&b'>') => {
                self.pos += 2;
                let inner = self.ident();
                Ok(Param::Named(word, self.node_after(inner)?))
            }
            Some(b'(') => Ok(Param::Type(self.node_after(word)?)),
            _ => Ok(Param::Word(word)),
        }
    }
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.' | b'_' | b'&')
}

pub(super) fn parse_type(text: &str) -> Result<CqlType, ValueError> {
    let mut p = Parser { s: text.as_bytes(), pos: 0, text };
    let name = p.ident();
    if name.is_empty() {
        return Err(p.err("expected a type name"));
    }
    let node = p.node_after(name)?;
    if p.peek().is_some() {
        return Err(p.err("trailing characters"));
    }
    to_type(node, false)
}

fn word_to_type(word: String) -> Result<CqlType, ValueError> {
    to_type(Node { name: word, params: None }, false)
}

fn param_type(param: Param) -> Result<CqlType, ValueError> {
    match param {
        Param::Type(node) => to_type(node, false),
        Param::Word(word) => word_to_type(word),
        Param::Named(name, _) => Err(ValueError(format!("unexpected named parameter {name:?}"))),
    }
}

fn one_param(name: &str, params: Option<Vec<Param>>) -> Result<Param, ValueError> {
    match params {
        Some(mut p) if p.len() == 1 => Ok(p.remove(0)),
        _ => Err(ValueError(format!("{name} takes exactly one type parameter"))),
    }
}

fn hex_to_string(hex: &str) -> Result<String, ValueError> {
    if hex.len() % 2 != 0 {
        return Err(ValueError(format!("odd-length hex {hex:?}")));
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| ValueError(format!("bad hex {hex:?}")))?;
    String::from_utf8(bytes).map_err(|_| ValueError(format!("hex {hex:?} is not UTF-8")))
}

fn to_type(node: Node, frozen: bool) -> Result<CqlType, ValueError> {
    let short = node.name.strip_prefix(MARSHAL_PACKAGE).unwrap_or(&node.name);
    let simple = match short {
        "AsciiType" => Some(CqlType::Ascii),
        "LongType" => Some(CqlType::BigInt),
        "BytesType" => Some(CqlType::Blob),
        "BooleanType" => Some(CqlType::Boolean),
        "CounterColumnType" => Some(CqlType::Counter),
        "SimpleDateType" => Some(CqlType::Date),
        "DecimalType" => Some(CqlType::Decimal),
        "DoubleType" => Some(CqlType::Double),
        "DurationType" => Some(CqlType::Duration),
        "EmptyType" => Some(CqlType::Empty),
        "FloatType" => Some(CqlType::Float),
        "InetAddressType" => Some(CqlType::Inet),
        "Int32Type" => Some(CqlType::Int),
        "ShortType" => Some(CqlType::SmallInt),
        "UTF8Type" => Some(CqlType::Text),
        "TimeType" => Some(CqlType::Time),
        "TimestampType" => Some(CqlType::Timestamp),
        "DateType" => Some(CqlType::LegacyTimestamp),
        "TimeUUIDType" => Some(CqlType::TimeUuid),
        "ByteType" => Some(CqlType::TinyInt),
        "UUIDType" => Some(CqlType::Uuid),
        "LexicalUUIDType" => Some(CqlType::LexicalUuid),
        "IntegerType" => Some(CqlType::Varint),
        _ => None,
    };
    if let Some(t) = simple {
        return Ok(t);
    }
    let params = node.params;
    match short {
        "FrozenType" => match one_param(short, params)? {
            Param::Type(inner) => to_type(inner, true),
            other => param_type(other),
        },
        "ReversedType" => Ok(CqlType::Reversed(Box::new(param_type(one_param(short, params)?)?))),
        "ListType" => Ok(CqlType::List { element: Box::new(param_type(one_param(short, params)?)?), frozen }),
        "SetType" => Ok(CqlType::Set { element: Box::new(param_type(one_param(short, params)?)?), frozen }),
        "MapType" => {
            let mut p = params.unwrap_or_default();
            if p.len() != 2 {
                return Err(ValueError("MapType takes two type parameters".into()));
            }
            let value = param_type(p.remove(1))?;
            let key = param_type(p.remove(0))?;
            Ok(CqlType::Map { key: Box::new(key), value: Box::new(value), frozen })
        }
        "TupleType" => Ok(CqlType::Tuple(params.unwrap_or_default().into_iter().map(param_type).collect::<Result<_, _>>()?)),
        "CompositeType" => Ok(CqlType::Composite(params.unwrap_or_default().into_iter().map(param_type).collect::<Result<_, _>>()?)),
        "DynamicCompositeType" => {
            let mut parts = Vec::new();
            for p in params.unwrap_or_default() {
                match p {
                    Param::Named(alias, node) if alias.chars().count() == 1 => {
                        let c = alias.chars().next().unwrap_or('?');
                        parts.push((c, to_type(node, false)?));
                    }
                    _ => return Err(ValueError("DynamicCompositeType parameters are alias=>Type".into())),
                }
            }
            Ok(CqlType::DynamicComposite(parts))
        }
        "VectorType" => {
            let mut p = params.unwrap_or_default();
            if p.len() != 2 {
                return Err(ValueError("VectorType takes a type and a dimension".into()));
            }
            let dimension = match p.remove(1) {
                Param::Word(w) => w.parse::<u32>().map_err(|_| ValueError(format!("bad vector dimension {w:?}")))?,
                _ => return Err(ValueError("bad vector dimension".into())),
            };
            let element = param_type(p.remove(0))?;
            Ok(CqlType::Vector { element: Box::new(element), dimension })
        }
        "UserType" => {
            let mut it = params.unwrap_or_default().into_iter();
            let keyspace = match it.next() {
                Some(Param::Word(w)) => w,
                _ => return Err(ValueError("UserType needs a keyspace".into())),
            };
            let name = match it.next() {
                Some(Param::Word(w)) => hex_to_string(&w)?,
                _ => return Err(ValueError("UserType needs a hex name".into())),
            };
            let mut fields = Vec::new();
            for p in it {
                match p {
                    Param::Named(hex, node) => fields.push((hex_to_string(&hex)?, to_type(node, false)?)),
                    _ => return Err(ValueError("UserType fields are hexname:Type".into())),
                }
            }
            Ok(CqlType::Udt(Box::new(UdtType { keyspace, name, fields, frozen })))
        }
        _ if params.is_none() && !short.is_empty() => Ok(CqlType::Custom(node.name)),
        _ => Err(ValueError(format!("unknown parameterized type {:?}", node.name))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_and_parameterized_types() {
        let m = parse_type("org.apache.cassandra.db.marshal.MapType(org.apache.cassandra.db.marshal.UTF8Type,org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type)))").unwrap();
        assert_eq!(
            m,
            CqlType::Map { key: Box::new(CqlType::Text), value: Box::new(CqlType::List { element: Box::new(CqlType::Int), frozen: true }), frozen: false }
        );
        let v = parse_type("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType, 3)").unwrap();
        assert_eq!(v, CqlType::Vector { element: Box::new(CqlType::Float), dimension: 3 });
        let d = parse_type(
            "org.apache.cassandra.db.marshal.DynamicCompositeType(b=>org.apache.cassandra.db.marshal.BytesType,s=>org.apache.cassandra.db.marshal.UTF8Type)",
        )
        .unwrap();
        assert_eq!(d, CqlType::DynamicComposite(vec![('b', CqlType::Blob), ('s', CqlType::Text)]));
        let u = parse_type("org.apache.cassandra.db.marshal.UserType(ks,61646472,737472656574:org.apache.cassandra.db.marshal.UTF8Type,7a6970:org.apache.cassandra.db.marshal.Int32Type)").unwrap();
        match u {
            CqlType::Udt(udt) => {
                assert_eq!(udt.keyspace, "ks");
                assert_eq!(udt.name, "addr");
                assert_eq!(udt.fields, vec![("street".to_string(), CqlType::Text), ("zip".to_string(), CqlType::Int)]);
                assert!(!udt.frozen);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parse_type("UTF8Type").unwrap(), CqlType::Text);
        assert_eq!(parse_type("com.example.MyType").unwrap(), CqlType::Custom("com.example.MyType".into()));
    }

    #[test]
    fn rejects_malformed_strings() {
        for bad in ["", "ListType(", "MapType(Int32Type)", "ListType(Int32Type))", "VectorType(FloatType,x)", "UserType(ks,6)", "Foo(Int32Type)"] {
            assert!(parse_type(bad).is_err(), "{bad}");
        }
    }
}
