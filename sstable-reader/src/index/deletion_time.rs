//! Deletion times as the index components store them: a partition's deletion in an index
//! entry, and the range tombstone open at an index block boundary.
//!
//! Two encodings (`org.apache.cassandra.db.DeletionTime`, `getSerializer(version)`):
//! * before `oa` (legacy): `int localDeletionTime`, `long markedForDeleteAt` — 12 bytes,
//!   live is `(Integer.MAX_VALUE, Long.MIN_VALUE)`;
//! * `oa` and `da` (`hasUIntDeletionTime`): one byte `0x80` for live, otherwise
//!   `long markedForDeleteAt` (sign bit clear) then `uint localDeletionTime` — 1 or 12 bytes.

use super::input::Cursor;
use crate::Result;

/// When something was deleted: the write timestamp it shadows and the local time of the
/// deletion (seconds since the epoch, for gc_grace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeletionTime {
    /// Data with a timestamp at or below this is deleted (`Long.MIN_VALUE` when live).
    pub marked_for_delete_at: i64,
    /// Local deletion time in seconds. Legacy files store a signed int (negative values
    /// exist in files written by the CASSANDRA-14092 overflow); `oa`/`da` an unsigned int.
    pub local_deletion_time: i64,
}

impl DeletionTime {
    /// The "nothing deleted" value.
    pub const LIVE: DeletionTime = DeletionTime { marked_for_delete_at: i64::MIN, local_deletion_time: i32::MAX as i64 };

    /// Whether this deletes nothing.
    pub fn is_live(&self) -> bool {
        *self == DeletionTime::LIVE
    }

    /// Reads one deletion time in the encoding of the SSTable version (`uint_encoding` is
    /// `Version::hasUIntDeletionTime`: `oa` and later).
    pub(crate) fn read(c: &mut Cursor<'_>, uint_encoding: bool) -> Result<DeletionTime> {
        if !uint_encoding {
            let ldt = c.u32()? as i32;
            let mfda = c.i64()?;
            return Ok(DeletionTime { marked_for_delete_at: mfda, local_deletion_time: ldt as i64 });
        }
        let at = c.offset();
        let mfda = {
            let first = c.u8()?;
            if first & 0x80 != 0 {
                if first != 0x80 {
                    return Err(c.malformed_at(at, format!("invalid deletion time flags {first:#04x}")));
                }
                return Ok(DeletionTime::LIVE);
            }
            let rest = c.bytes(7)?;
            rest.iter().fold(first as i64, |v, &b| (v << 8) | b as i64)
        };
        let ldt = c.u32()?;
        Ok(DeletionTime { marked_for_delete_at: mfda, local_deletion_time: ldt as i64 })
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::io::BytesSource;
    use crate::{Component, ErrorKind};

    fn read(bytes: &[u8], uint: bool) -> Result<DeletionTime> {
        let src = BytesSource::new(bytes.to_vec(), "Index.db", Component::PrimaryIndex);
        let mut c = Cursor::new(&src, 0, Bytes::copy_from_slice(bytes));
        DeletionTime::read(&mut c, uint)
    }

    #[test]
    fn legacy_and_uint_encodings() {
        let live_legacy = [0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0];
        assert!(read(&live_legacy, false).unwrap().is_live());
        assert!(read(&[0x80], true).unwrap().is_live());
        let neg = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 5];
        assert_eq!(read(&neg, false).unwrap(), DeletionTime { marked_for_delete_at: 5, local_deletion_time: -1 });
        let uint = [0, 0, 0, 0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xfe];
        assert_eq!(read(&uint, true).unwrap(), DeletionTime { marked_for_delete_at: 5, local_deletion_time: 0xffff_fffe });
        let err = read(&[0x81], true).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Malformed(_)));
        assert!(matches!(read(&uint[..5], true).unwrap_err().kind, ErrorKind::Truncated { .. }));
    }
}
