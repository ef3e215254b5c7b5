//! A bounds-checked reader over one in-memory unfiltered (row or marker), with the
//! delta decoding of `SerializationHeader` (timestamps, TTLs, local deletion times).

use super::header::{DataHeader, InvalidDeletionTimes};
use super::vint;
use super::DeletionTime;
use crate::{Error, ErrorKind};

/// Why a parse of buffered bytes stopped.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The buffer ended before the structure did (read more and retry, or it is truncated).
    NeedMore,
    /// The bytes are wrong, at `offset` within the buffer.
    Bad { offset: usize, kind: ErrorKind },
}

impl Stop {
    pub(crate) fn bad(offset: usize, what: impl Into<String>) -> Stop {
        Stop::Bad { offset, kind: ErrorKind::Malformed(what.into()) }
    }

    /// Locates the problem: `base` is the file offset of the buffer's first byte.
    pub(crate) fn into_error(self, header: &DataHeader, base: u64, len: usize) -> Error {
        match self {
            Stop::NeedMore => Error::in_data(&header.file, base, ErrorKind::Malformed(format!("structure runs past its {len}-byte bound"))),
            Stop::Bad { offset, kind } => Error::in_data(&header.file, base + offset as u64, kind),
        }
    }
}

pub(crate) type Parse<T> = std::result::Result<T, Stop>;

/// Position-tracking reader over a byte slice.
pub(crate) struct Cursor<'a> {
    pub buf: &'a [u8],
    pub pos: usize,
    /// How many bytes exist from `buf[0]` on (the buffer may hold only a prefix of them):
    /// lengths past this are corrupt rather than a reason to read more.
    pub limit: u64,
}

impl<'a> Cursor<'a> {
    /// A cursor over all of the structure's bytes.
    pub fn new(buf: &'a [u8], pos: usize) -> Cursor<'a> {
        Cursor { buf, pos, limit: buf.len() as u64 }
    }

    /// A cursor over a prefix of bytes of which `limit` exist in total.
    pub fn partial(buf: &'a [u8], limit: u64) -> Cursor<'a> {
        Cursor { buf, pos: 0, limit }
    }

    /// Bytes that exist after the current position.
    #[inline]
    pub fn remaining_limit(&self) -> usize {
        usize::try_from(self.limit.saturating_sub(self.pos as u64)).unwrap_or(usize::MAX)
    }

    #[inline]
    pub fn u8(&mut self) -> Parse<u8> {
        let b = *self.buf.get(self.pos).ok_or(Stop::NeedMore)?;
        self.pos += 1;
        Ok(b)
    }

    #[inline]
    pub fn vint(&mut self) -> Parse<u64> {
        let (v, n) = vint::read_unsigned(&self.buf[self.pos.min(self.buf.len())..]).ok_or(Stop::NeedMore)?;
        self.pos += n;
        Ok(v)
    }

    #[inline]
    pub fn bytes(&mut self, n: usize) -> Parse<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(Stop::NeedMore)?;
        let out = self.buf.get(self.pos..end).ok_or(Stop::NeedMore)?;
        self.pos = end;
        Ok(out)
    }

    #[inline]
    pub fn be_u16(&mut self) -> Parse<u16> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A vint length that must fit the remaining bytes (else the data is corrupt, not short).
    #[inline]
    pub fn length(&mut self, bound: usize) -> Parse<usize> {
        let at = self.pos;
        let v = self.vint()?;
        usize::try_from(v).ok().filter(|&n| n <= bound).ok_or_else(|| Stop::bad(at, format!("length {v} exceeds the {bound} bytes it must fit in")))
    }

    /// A value of a type whose length is `fixed`, or vint-length-prefixed.
    #[inline]
    pub fn value(&mut self, fixed: Option<usize>) -> Parse<&'a [u8]> {
        let n = match fixed {
            Some(n) => n,
            None => {
                let bound = self.remaining_limit();
                self.length(bound)?
            }
        };
        self.bytes(n)
    }
}

/// Delta decoding against the header's `EncodingStats`, with the version's integer widths.
impl DataHeader {
    #[inline]
    pub(crate) fn read_timestamp(&self, c: &mut Cursor<'_>) -> Parse<i64> {
        Ok((c.vint()? as i64).wrapping_add(self.stats.min_timestamp))
    }

    #[inline]
    pub(crate) fn read_ttl(&self, c: &mut Cursor<'_>) -> Parse<i32> {
        let at = c.pos;
        // Java: (int) readUnsignedVInt() + minTTL, in 32-bit arithmetic.
        let ttl = (c.vint()? as i32).wrapping_add(self.stats.min_ttl as i32);
        if ttl < 0 {
            return Err(Stop::bad(at, format!("negative TTL {ttl}")));
        }
        Ok(ttl)
    }

    /// A local deletion (or expiration) time. Before `oa` the sum is 32-bit signed and can be
    /// negative (overflow past 2038, or corruption); from `oa` the delta is a 32-bit value
    /// added to a 64-bit base.
    #[inline]
    pub(crate) fn read_local_deletion_time(&self, c: &mut Cursor<'_>) -> Parse<i64> {
        let at = c.pos;
        let delta = c.vint()?;
        let ldt = if self.uint_deletion_time {
            let delta = i32::try_from(delta).map_err(|_| Stop::bad(at, format!("local deletion time delta {delta} exceeds 32 bits")))?;
            (delta as i64).wrapping_add(self.stats.min_local_deletion_time)
        } else {
            (delta as i32).wrapping_add(self.stats.min_local_deletion_time as i32) as i64
        };
        self.check_local_deletion_time(ldt, at)?;
        Ok(ldt)
    }

    #[inline]
    pub(crate) fn check_local_deletion_time(&self, ldt: i64, at: usize) -> Parse<()> {
        if ldt < 0 && self.options.invalid_deletion_times == InvalidDeletionTimes::Error {
            return Err(Stop::Bad { offset: at, kind: ErrorKind::InvalidDeletionTime(ldt) });
        }
        Ok(())
    }

    /// A row, marker or complex-column deletion (two delta vints). Cassandra also writes LIVE
    /// complex deletions (for columns without one, in a row where another column has one):
    /// their timestamp is `Long.MIN_VALUE` and their local time is a sentinel, not checked.
    #[inline]
    pub(crate) fn read_deletion_time(&self, c: &mut Cursor<'_>) -> Parse<DeletionTime> {
        let marked_for_delete_at = self.read_timestamp(c)?;
        if marked_for_delete_at == i64::MIN {
            c.vint()?;
            return Ok(DeletionTime { marked_for_delete_at, local_deletion_time: super::deletion::NO_DELETION_TIME });
        }
        let local_deletion_time = self.read_local_deletion_time(c)?;
        Ok(DeletionTime { marked_for_delete_at, local_deletion_time })
    }
}
