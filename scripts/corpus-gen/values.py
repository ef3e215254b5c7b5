"""Edge values of every CQL type, as CQL literals.

Each list starts with ordinary values and goes on to the edges a decoder gets wrong: min/max
integers, NaN and infinities, negative varints/decimals, empty strings and blobs, unicode, dates
outside the Gregorian range Java formats, IPv6. The corpus writes them as partition keys,
clustering keys (ASC and DESC), regular and static cells and collection elements.
"""

# Types that CQL accepts in a primary key (duration and counter are not, vectors are).
KEY_TYPES = [
    "ascii", "bigint", "blob", "boolean", "date", "decimal", "double", "float", "inet", "int",
    "smallint", "text", "time", "timestamp", "timeuuid", "tinyint", "uuid", "varchar", "varint",
]

LONG_TEXT = "'" + ("long text value 0123456789 " * 40) + "'"

EDGES = {
    "ascii": ["'a'", "'plain ascii'", "'it''s'", "'~!@#$%^&*()_+{}|:<>?'", "''"],
    "bigint": ["0", "-1", "42", "-9223372036854775808", "9223372036854775807"],
    "blob": ["0x00", "0xdeadbeef", "0xff00ff00ff", "0x" + "ab" * 300, "0x"],
    "boolean": ["false", "true"],
    # '0' and '4294967295' are the raw extremes of the unsigned day count (centred on 2^31).
    "date": ["'1970-01-01'", "'2024-02-29'", "'1582-10-04'", "'0'", "'4294967295'"],
    "decimal": ["0", "-1.5", "1E-30", "123456789012345678901234567890.123456789",
                "-12345678901234567890.98765"],
    "double": ["0.0", "-0.0", "3.141592653589793", "1.7976931348623157E308", "4.9E-324",
               "NaN", "Infinity", "-Infinity"],
    "float": ["0.0", "-1.5", "3.4028235E38", "1.4E-45", "NaN", "-Infinity"],
    "inet": ["'127.0.0.1'", "'0.0.0.0'", "'255.255.255.255'", "'::1'", "'2001:db8::ff00:42:8329'"],
    "int": ["0", "-1", "7", "-2147483648", "2147483647"],
    "smallint": ["0", "-1", "-32768", "32767"],
    "text": ["'plain'", "'h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \U0001f980'", "'it''s'",
             LONG_TEXT, "''"],
    "time": ["'00:00:00'", "'12:34:56.789'", "'23:59:59.999999999'", "'00:00:00.000000001'"],
    "timestamp": ["0", "-1", "1700000000123", "'2038-01-19 03:14:08+0000'", "-62135596800000",
                  "253402300799999"],
    "timeuuid": ["50554d6e-29bb-11e5-b345-feff819cdc9f", "d2177dd0-eaa2-11de-a572-001b779c76e3",
                 "00000000-0000-1000-8080-808080808080", "ffffffff-ffff-1fff-bf7f-7f7f7f7f7f7f"],
    "tinyint": ["0", "-1", "-128", "127"],
    "uuid": ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
             "3f1c5a4e-8c9b-4d2e-9f1a-0b2c3d4e5f60", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"],
    "varchar": ["'v'", "'\u00fcnic\u00f6de \u4e2d\u6587 \U0001f600'", "''", "'x y z'"],
    "varint": ["0", "-1", "1", "127", "128", "-128", "-129", "18446744073709551616",
               "-1267650600228229401496703205376"],
    "duration": ["1mo2d3ns", "-1y2mo", "0s", "P1Y2M3DT4H5M6S", "89h4m48s", "-3d12h", "1us500ns"],
}


def key_edges(cql_type):
    """Edge values allowed as a partition key: every edge but the empty value ("Key may not be empty")."""
    return [v for v in EDGES[cql_type] if v not in ("''", "0x")]
