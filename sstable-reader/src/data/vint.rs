//! Cassandra's variable-length integers (`utils.vint.VIntCoding`).
//!
//! The number of leading one bits of the first byte is the number of extra bytes (0–8); the
//! value is the rest of the first byte followed by the extra bytes, big-endian. `0xFF` means
//! eight extra bytes hold the whole value. Signed vints are zig-zag encoded.

/// Decodes an unsigned vint at the start of `buf`: the value and the bytes it took, or `None`
/// when `buf` is too short.
#[inline]
pub fn read_unsigned(buf: &[u8]) -> Option<(u64, usize)> {
    let first = *buf.first()?;
    if first < 0x80 {
        return Some((first as u64, 1));
    }
    let extra = first.leading_ones() as usize;
    let bytes = buf.get(1..1 + extra)?;
    let mut value = if extra == 8 { 0 } else { (first & (0xff >> extra)) as u64 };
    for &b in bytes {
        value = (value << 8) | b as u64;
    }
    Some((value, 1 + extra))
}

/// Decodes a signed (zig-zag) vint at the start of `buf`.
#[inline]
pub fn read_signed(buf: &[u8]) -> Option<(i64, usize)> {
    let (v, n) = read_unsigned(buf)?;
    Some((((v >> 1) as i64) ^ -((v & 1) as i64), n))
}

/// Number of bytes of the vint whose first byte is `first`.
#[inline]
pub fn encoded_len(first: u8) -> usize {
    1 + first.leading_ones() as usize
}

/// Encodes `v` as an unsigned vint (for tests and fixtures built in code).
pub fn write_unsigned(v: u64, out: &mut Vec<u8>) {
    let bits = 64 - v.leading_zeros() as usize;
    // Each extra byte adds 7 usable bits (8 value bits minus one length bit in the first byte).
    let extra = if bits <= 7 { 0 } else { ((bits - 7) + 6) / 7 }.min(8);
    if extra == 8 {
        out.push(0xff);
        out.extend_from_slice(&v.to_be_bytes());
        return;
    }
    let mut bytes = [0u8; 9];
    for (i, b) in bytes.iter_mut().enumerate().take(extra + 1) {
        *b = (v >> (8 * (extra - i))) as u8;
    }
    bytes[0] |= !(0xffu8 >> extra);
    out.extend_from_slice(&bytes[..=extra]);
}

/// Encodes `v` as a signed (zig-zag) vint.
pub fn write_signed(v: i64, out: &mut Vec<u8>) {
    write_unsigned(((v << 1) ^ (v >> 63)) as u64, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_known_encodings() {
        assert_eq!(read_unsigned(&[0x05]), Some((5, 1)));
        assert_eq!(read_unsigned(&[0x81, 0x80]), Some((384, 2)));
        assert_eq!(read_unsigned(&[0x80, 0x80]), Some((128, 2)));
        assert_eq!(read_unsigned(&[0x81]), None);
        assert_eq!(read_unsigned(&[]), None);
        for v in [0u64, 1, 127, 128, 16383, 16384, 1 << 20, u32::MAX as u64, 1 << 56, (1 << 56) - 1, u64::MAX] {
            let mut buf = Vec::new();
            write_unsigned(v, &mut buf);
            assert_eq!(encoded_len(buf[0]), buf.len(), "{v}");
            assert_eq!(read_unsigned(&buf), Some((v, buf.len())), "{v}");
        }
        for v in [0i64, -1, 1, -64, 64, i64::MIN, i64::MAX] {
            let mut buf = Vec::new();
            write_signed(v, &mut buf);
            assert_eq!(read_signed(&buf), Some((v, buf.len())), "{v}");
        }
        let mut buf = Vec::new();
        write_unsigned(128, &mut buf);
        assert_eq!(buf, vec![0x80, 0x80]);
    }
}
