//! CQL types as the SSTable names them, and their values.
//!
//! Statistics.db's serialization header names every column type by its Cassandra marshal
//! class, e.g. `org.apache.cassandra.db.marshal.MapType(org.apache.cassandra.db.marshal.UTF8Type,
//! org.apache.cassandra.db.marshal.Int32Type)`. [`CqlType::parse`] turns such a string into a
//! [`CqlType`]; the row decoder then needs only two facts from it: whether a value's length is
//! fixed ([`CqlType::fixed_length`], Cassandra's `AbstractType.valueLengthIfFixed`: fixed-length
//! values are stored without a length prefix) and whether a column is multi-cell
//! ([`CqlType::is_multi_cell`]: non-frozen collections and UDTs are stored one cell per element).
//!
//! Values stay serialized bytes until someone asks: [`CqlType::decode`] turns bytes into a
//! [`CqlValue`], and [`format`] renders bytes the way Cassandra's `sstabledump` does
//! (`AbstractType.toJSONString` / `getString`).
//!
//! Format facts: `org.apache.cassandra.db.marshal` and `org.apache.cassandra.serializers` in
//! <https://github.com/apache/cassandra>.

pub mod compare;
pub mod format;
mod numeric;
mod parse;
mod value;

pub use numeric::{decimal_to_string, varint_to_string};
pub use value::{composite_components, counter_total, CqlValue, ValueError};

/// The name prefix of Cassandra's built-in marshal classes.
pub const MARSHAL_PACKAGE: &str = "org.apache.cassandra.db.marshal.";

/// A column, key or element type, as named in the serialization header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CqlType {
    /// `AsciiType`: US-ASCII text.
    Ascii,
    /// `LongType`: 64-bit signed integer.
    BigInt,
    /// `BytesType`: arbitrary bytes.
    Blob,
    /// `BooleanType`: one byte, non-zero is true.
    Boolean,
    /// `CounterColumnType`: a counter context (shards); its value is the sum of the shards.
    Counter,
    /// `SimpleDateType`: days as an unsigned 32-bit integer with the epoch at 2^31.
    Date,
    /// `DecimalType`: 32-bit scale then a varint unscaled value.
    Decimal,
    /// `DoubleType`: IEEE 754 64-bit.
    Double,
    /// `DurationType`: three zig-zag vints: months, days, nanoseconds.
    Duration,
    /// `EmptyType`: always empty (the value column of some COMPACT STORAGE tables).
    Empty,
    /// `FloatType`: IEEE 754 32-bit.
    Float,
    /// `InetAddressType`: 4 or 16 address bytes.
    Inet,
    /// `Int32Type`: 32-bit signed integer.
    Int,
    /// `ShortType`: 16-bit signed integer.
    SmallInt,
    /// `UTF8Type`: UTF-8 text (CQL `text` and `varchar`).
    Text,
    /// `TimeType`: nanoseconds since midnight, 64-bit.
    Time,
    /// `TimestampType`: milliseconds since the Unix epoch, 64-bit signed.
    Timestamp,
    /// `DateType`: the pre-2.0 timestamp type (same bytes as `TimestampType`).
    LegacyTimestamp,
    /// `TimeUUIDType`: a version 1 UUID.
    TimeUuid,
    /// `ByteType`: 8-bit signed integer.
    TinyInt,
    /// `UUIDType`: any UUID.
    Uuid,
    /// `LexicalUUIDType`: a UUID compared as bytes (Thrift era).
    LexicalUuid,
    /// `IntegerType`: arbitrary-precision two's-complement big-endian integer.
    Varint,
    /// `ListType`.
    List {
        /// Element type.
        element: Box<CqlType>,
        /// Whether the list is stored as one cell (`FrozenType(...)`).
        frozen: bool,
    },
    /// `SetType`.
    Set {
        /// Element type.
        element: Box<CqlType>,
        /// Whether the set is stored as one cell.
        frozen: bool,
    },
    /// `MapType`.
    Map {
        /// Key type.
        key: Box<CqlType>,
        /// Value type.
        value: Box<CqlType>,
        /// Whether the map is stored as one cell.
        frozen: bool,
    },
    /// `TupleType`: always stored as one cell.
    Tuple(Vec<CqlType>),
    /// `UserType`: a user-defined type.
    Udt(Box<UdtType>),
    /// `VectorType(element, dimension)` (Cassandra 5.0).
    Vector {
        /// Element type.
        element: Box<CqlType>,
        /// Number of elements.
        dimension: u32,
    },
    /// `ReversedType(t)`: a clustering column with DESC order; values are those of `t`.
    Reversed(Box<CqlType>),
    /// `CompositeType(t1, t2, ...)`: a composite partition key.
    Composite(Vec<CqlType>),
    /// `DynamicCompositeType(a=>t1, ...)`: components each carrying their own type alias.
    DynamicComposite(Vec<(char, CqlType)>),
    /// A marshal class this reader does not know; its values are treated as variable-length
    /// bytes and rendered as hex.
    Custom(String),
}

/// A user-defined type's definition, as the serialization header spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UdtType {
    /// Keyspace of the type.
    pub keyspace: String,
    /// Type name (decoded from the header's hex).
    pub name: String,
    /// Field names (decoded from hex) and types, in declaration order.
    pub fields: Vec<(String, CqlType)>,
    /// Whether the value is stored as one cell (`FrozenType(UserType(...))`).
    pub frozen: bool,
}

impl CqlType {
    /// Parses a marshal type string from the serialization header or a schema table, e.g.
    /// `org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type)`.
    ///
    /// # Errors
    /// A [`ValueError`] describing where the string stops making sense.
    pub fn parse(s: &str) -> Result<CqlType, ValueError> {
        parse::parse_type(s)
    }

    /// The type with any `ReversedType` wrapper removed: the type of the values.
    pub fn base(&self) -> &CqlType {
        match self {
            CqlType::Reversed(inner) => inner.base(),
            other => other,
        }
    }

    /// Whether a column of this type stores one cell per element (non-frozen collections and
    /// non-frozen UDTs). Such columns are "complex" in Cassandra's terms.
    pub fn is_multi_cell(&self) -> bool {
        match self.base() {
            CqlType::List { frozen, .. } | CqlType::Set { frozen, .. } | CqlType::Map { frozen, .. } => !frozen,
            CqlType::Udt(udt) => !udt.frozen,
            _ => false,
        }
    }

    /// Whether this is a counter column.
    pub fn is_counter(&self) -> bool {
        matches!(self.base(), CqlType::Counter)
    }

    /// The stored length of every value of this type when it is fixed (Cassandra's
    /// `valueLengthIfFixed`), else `None`: such values are written without a length prefix in
    /// cells and clustering prefixes.
    ///
    /// Only the types Cassandra declares fixed count: `smallint`, `tinyint`, `date` and `time`
    /// are constant-size in practice but length-prefixed on disk.
    pub fn fixed_length(&self) -> Option<usize> {
        match self {
            CqlType::Boolean => Some(1),
            CqlType::Int | CqlType::Float => Some(4),
            CqlType::BigInt | CqlType::Double | CqlType::Timestamp | CqlType::LegacyTimestamp => Some(8),
            CqlType::Uuid | CqlType::TimeUuid | CqlType::LexicalUuid => Some(16),
            CqlType::Empty => Some(0),
            CqlType::Reversed(inner) => inner.fixed_length(),
            CqlType::Vector { element, dimension } => element.fixed_length().and_then(|len| len.checked_mul(*dimension as usize)),
            _ => None,
        }
    }

    /// For a multi-cell column: the type of each cell's path (list: timeuuid, set: the element,
    /// map: the key, UDT: the field index as a 16-bit integer). `None` for single-cell types.
    pub fn cell_path_type(&self) -> Option<CqlType> {
        if !self.is_multi_cell() {
            return None;
        }
        match self.base() {
            CqlType::List { .. } => Some(CqlType::TimeUuid),
            CqlType::Set { element, .. } => Some((**element).clone()),
            CqlType::Map { key, .. } => Some((**key).clone()),
            CqlType::Udt(_) => Some(CqlType::SmallInt),
            _ => None,
        }
    }

    /// For a multi-cell column: the type of the value stored in the cell whose path is `path`
    /// (list: element, set: empty, map: value, UDT: the field's type).
    pub fn cell_value_type(&self, path: &[u8]) -> Option<&CqlType> {
        match self.base() {
            CqlType::List { element, .. } => Some(element),
            CqlType::Set { .. } => Some(&CqlType::Empty),
            CqlType::Map { value, .. } => Some(value),
            CqlType::Udt(udt) => {
                let index = match path {
                    [hi, lo] => u16::from_be_bytes([*hi, *lo]) as usize,
                    _ => return None,
                };
                udt.fields.get(index).map(|(_, ty)| ty)
            }
            _ => None,
        }
    }

    /// The CQL spelling of the type, e.g. `frozen<map<text, int>>`.
    pub fn cql_name(&self) -> String {
        let mut out = String::new();
        self.write_cql_name(&mut out, false);
        out
    }

    fn write_cql_name(&self, out: &mut String, inside_frozen: bool) {
        let simple = |out: &mut String, s: &str| out.push_str(s);
        let frozen_wrap = |out: &mut String, frozen: bool, f: &dyn Fn(&mut String)| {
            if frozen && !inside_frozen {
                out.push_str("frozen<");
                f(out);
                out.push('>');
            } else {
                f(out);
            }
        };
        let nested = inside_frozen;
        match self {
            CqlType::Ascii => simple(out, "ascii"),
            CqlType::BigInt => simple(out, "bigint"),
            CqlType::Blob => simple(out, "blob"),
            CqlType::Boolean => simple(out, "boolean"),
            CqlType::Counter => simple(out, "counter"),
            CqlType::Date => simple(out, "date"),
            CqlType::Decimal => simple(out, "decimal"),
            CqlType::Double => simple(out, "double"),
            CqlType::Duration => simple(out, "duration"),
            CqlType::Empty => simple(out, "empty"),
            CqlType::Float => simple(out, "float"),
            CqlType::Inet => simple(out, "inet"),
            CqlType::Int => simple(out, "int"),
            CqlType::SmallInt => simple(out, "smallint"),
            CqlType::Text => simple(out, "text"),
            CqlType::Time => simple(out, "time"),
            CqlType::Timestamp | CqlType::LegacyTimestamp => simple(out, "timestamp"),
            CqlType::TimeUuid => simple(out, "timeuuid"),
            CqlType::TinyInt => simple(out, "tinyint"),
            CqlType::Uuid | CqlType::LexicalUuid => simple(out, "uuid"),
            CqlType::Varint => simple(out, "varint"),
            CqlType::List { element, frozen } => frozen_wrap(out, *frozen, &|out| {
                out.push_str("list<");
                element.write_cql_name(out, nested || *frozen);
                out.push('>');
            }),
            CqlType::Set { element, frozen } => frozen_wrap(out, *frozen, &|out| {
                out.push_str("set<");
                element.write_cql_name(out, nested || *frozen);
                out.push('>');
            }),
            CqlType::Map { key, value, frozen } => frozen_wrap(out, *frozen, &|out| {
                out.push_str("map<");
                key.write_cql_name(out, nested || *frozen);
                out.push_str(", ");
                value.write_cql_name(out, nested || *frozen);
                out.push('>');
            }),
            CqlType::Tuple(fields) => frozen_wrap(out, true, &|out| {
                out.push_str("tuple<");
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    f.write_cql_name(out, true);
                }
                out.push('>');
            }),
            CqlType::Udt(udt) => frozen_wrap(out, udt.frozen, &|out| out.push_str(&format::cql_identifier(&udt.name))),
            CqlType::Vector { element, dimension } => {
                out.push_str("vector<");
                element.write_cql_name(out, true);
                out.push_str(&format!(", {dimension}>"));
            }
            CqlType::Reversed(inner) => inner.write_cql_name(out, inside_frozen),
            CqlType::Composite(parts) => {
                out.push_str("composite<");
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    p.write_cql_name(out, true);
                }
                out.push('>');
            }
            CqlType::DynamicComposite(_) => simple(out, "'org.apache.cassandra.db.marshal.DynamicCompositeType'"),
            CqlType::Custom(class) => {
                out.push('\'');
                out.push_str(class);
                out.push('\'');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> CqlType {
        CqlType::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn fixed_lengths_follow_value_length_if_fixed() {
        assert_eq!(t("org.apache.cassandra.db.marshal.Int32Type").fixed_length(), Some(4));
        assert_eq!(t("org.apache.cassandra.db.marshal.LongType").fixed_length(), Some(8));
        assert_eq!(t("org.apache.cassandra.db.marshal.TimeUUIDType").fixed_length(), Some(16));
        assert_eq!(t("org.apache.cassandra.db.marshal.ReversedType(org.apache.cassandra.db.marshal.TimestampType)").fixed_length(), Some(8));
        // Constant-size in practice, but Cassandra length-prefixes them.
        assert_eq!(t("org.apache.cassandra.db.marshal.ShortType").fixed_length(), None);
        assert_eq!(t("org.apache.cassandra.db.marshal.SimpleDateType").fixed_length(), None);
        assert_eq!(t("org.apache.cassandra.db.marshal.TimeType").fixed_length(), None);
        assert_eq!(t("org.apache.cassandra.db.marshal.CounterColumnType").fixed_length(), None);
        assert_eq!(t("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType,3)").fixed_length(), Some(12));
        assert_eq!(t("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.UTF8Type,3)").fixed_length(), None);
    }

    #[test]
    fn multi_cell_only_for_non_frozen_collections_and_udts() {
        assert!(t("org.apache.cassandra.db.marshal.SetType(org.apache.cassandra.db.marshal.UTF8Type)").is_multi_cell());
        assert!(
            !t("org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.SetType(org.apache.cassandra.db.marshal.UTF8Type))").is_multi_cell()
        );
        assert!(!t("org.apache.cassandra.db.marshal.TupleType(org.apache.cassandra.db.marshal.Int32Type)").is_multi_cell());
        let udt = "org.apache.cassandra.db.marshal.UserType(ks,61646472,737472656574:org.apache.cassandra.db.marshal.UTF8Type,7a6970:org.apache.cassandra.db.marshal.Int32Type)";
        assert!(t(udt).is_multi_cell());
        assert!(!t(&format!("org.apache.cassandra.db.marshal.FrozenType({udt})")).is_multi_cell());
        assert_eq!(t(udt).cell_value_type(&[0, 1]), Some(&CqlType::Int));
        assert_eq!(t(udt).cell_value_type(&[0, 2]), None);
    }

    #[test]
    fn cql_names() {
        assert_eq!(t("org.apache.cassandra.db.marshal.MapType(org.apache.cassandra.db.marshal.UTF8Type,org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type)))").cql_name(), "map<text, frozen<list<int>>>");
        assert_eq!(t("org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.SetType(org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type)))").cql_name(), "frozen<set<list<int>>>");
        assert_eq!(
            t("org.apache.cassandra.db.marshal.TupleType(org.apache.cassandra.db.marshal.Int32Type,org.apache.cassandra.db.marshal.UTF8Type)").cql_name(),
            "frozen<tuple<int, text>>"
        );
        assert_eq!(t("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType,3)").cql_name(), "vector<float, 3>");
        assert_eq!(t("org.apache.cassandra.db.marshal.ReversedType(org.apache.cassandra.db.marshal.TimeUUIDType)").cql_name(), "timeuuid");
        assert_eq!(t("org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.UserType(ks,61646472,737472656574:org.apache.cassandra.db.marshal.UTF8Type))").cql_name(), "frozen<addr>");
    }
}
