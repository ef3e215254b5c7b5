//! Deletion times and liveness: when something was deleted or written, and when it expires.
//!
//! Cassandra: `db.DeletionTime` (partition deletions: before `oa`, `int localDeletionTime`
//! then `long markedForDeleteAt`, live = (`Integer.MAX_VALUE`, `Long.MIN_VALUE`); from `oa`,
//! one byte `0x80` for live, else `long markedForDeleteAt` then unsigned
//! `int localDeletionTime`), `db.LivenessInfo`, and `SerializationHeader.readDeletionTime`
//! (row, marker and complex deletions: two delta vints).

/// `localDeletionTime` of something that is neither deleted nor expiring.
pub const NO_DELETION_TIME: i64 = i64::MAX;

/// The largest valid local deletion time (Cassandra 5.0 `Cell.MAX_DELETION_TIME`: unsigned
/// 32-bit seconds minus two reserved values).
pub const MAX_DELETION_TIME: i64 = u32::MAX as i64 - 2;

/// A tombstone's time: the write timestamp it shadows everything at or before, and the
/// server time (seconds) it was created, used only for purging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeletionTime {
    /// Microseconds (by convention): data with a timestamp ≤ this is deleted.
    pub marked_for_delete_at: i64,
    /// Seconds since the Unix epoch when the tombstone was written. Negative only in files
    /// with overflowed or corrupt times (see [`crate::data::InvalidDeletionTimes`]).
    pub local_deletion_time: i64,
}

impl DeletionTime {
    /// Whether the local deletion time is one Cassandra accepts (0 ≤ t ≤ 2106-02-07).
    pub fn is_valid(&self) -> bool {
        (0..=MAX_DELETION_TIME).contains(&self.local_deletion_time)
    }

    /// Whether this deletion shadows data written at `timestamp`.
    pub fn deletes(&self, timestamp: i64) -> bool {
        timestamp <= self.marked_for_delete_at
    }
}

/// Expiration of a TTL'd row marker or cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Expiration {
    /// The TTL it was written with (seconds).
    pub ttl: i32,
    /// Seconds since the Unix epoch when it expires (`expires_at`).
    pub local_expiration_time: i64,
}

impl Expiration {
    /// Whether the expiration time is valid (not negative from a 2038 overflow).
    pub fn is_valid(&self) -> bool {
        (0..=MAX_DELETION_TIME).contains(&self.local_expiration_time)
    }

    /// Whether it has expired at `now` (seconds since the Unix epoch).
    pub fn is_expired(&self, now: i64) -> bool {
        self.local_expiration_time <= now
    }
}

/// A row's primary-key liveness (the "row marker" INSERT writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LivenessInfo {
    /// Write timestamp of the row marker, if the row has one (rows made only by UPDATE
    /// have none).
    pub timestamp: Option<i64>,
    /// Set when the row marker has a TTL.
    pub expiration: Option<Expiration>,
}

impl LivenessInfo {
    /// Whether there is no row marker at all.
    pub fn is_empty(&self) -> bool {
        self.timestamp.is_none()
    }
}

/// A row-level deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowDeletion {
    /// When and what it deletes.
    pub time: DeletionTime,
    /// A shadowable deletion (materialized views, CASSANDRA-11500) only deletes what its
    /// row marker does not supersede.
    pub shadowable: bool,
}
