//! Counter contexts: merging replicas' counter cells shard by shard.
//!
//! A counter cell's value is a context: a header (signed 16-bit element count, then that many
//! 16-bit indexes into the body: a non-negative index marks a *local* shard, a negative one,
//! `index + i16::MIN`, a *global* shard) and a body of 32-byte shards sorted by counter id:
//! counter id (16 bytes, compared unsigned), logical clock (i64), count (i64). Shards not
//! named in the header are *remote*. A negative element count only means "local shards to be
//! cleared"; its absolute value is the count. The counter's value is the sum of the counts.
//!
//! Merging two contexts (`db.context.CounterContext.merge` and its `compare`, Cassandra
//! 2.1+): shards with different ids are all kept; for the same id,
//! - global + global: the higher clock wins; equal clocks: the higher count;
//! - global + anything else: the global one;
//! - local + local: clocks and counts are summed (pre-2.1 deltas);
//! - local + remote: the local one;
//! - remote + remote: the higher clock wins (a negative clock marks a renewed shard and
//!   wins over positive ones; of two negative clocks the lower wins); equal clocks: the
//!   higher count.
//!
//! Every SSTable of one node holds that node's view of the counter; merging all replicas'
//! views this way gives the counter's value. Source: `db.context.CounterContext` in
//! <https://github.com/apache/cassandra>.

use std::cmp::Ordering;

use bytes::{BufMut, Bytes, BytesMut};

const SHARD: usize = 16 + 8 + 8;

/// How a shard merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardKind {
    /// Written by 2.1+ increments: last-clock-wins.
    Global,
    /// A pre-2.1 local delta: summed with other local deltas of the same id.
    Local,
    /// A pre-2.1 copy of another node's shard.
    Remote,
}

/// One shard of a counter context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// The counter id (a node's host id by default).
    pub id: [u8; 16],
    /// Logical clock.
    pub clock: i64,
    /// The shard's count.
    pub count: i64,
    /// Global, local or remote.
    pub kind: ShardKind,
}

/// A counter context that does not parse (length or header out of range).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed counter context: {0}")]
pub struct CounterContextError(pub String);

/// Parses a counter context into its shards (in body order, i.e. sorted by id).
///
/// # Errors
/// When the header or body length does not fit.
pub fn parse_context(context: &[u8]) -> Result<Vec<Shard>, CounterContextError> {
    if context.is_empty() {
        return Ok(Vec::new());
    }
    let count_bytes = context.get(0..2).ok_or_else(|| CounterContextError("no header".into()))?;
    let elements = i16::from_be_bytes([count_bytes[0], count_bytes[1]]).unsigned_abs() as usize;
    let header_len = 2 + elements * 2;
    let body = context.get(header_len..).ok_or_else(|| CounterContextError(format!("header of {elements} elements in {} bytes", context.len())))?;
    if body.len() % SHARD != 0 {
        return Err(CounterContextError(format!("body of {} bytes is not whole shards", body.len())));
    }
    let mut shards: Vec<Shard> = body
        .chunks_exact(SHARD)
        .map(|s| {
            let mut id = [0u8; 16];
            id.copy_from_slice(&s[..16]);
            let clock = i64::from_be_bytes(s[16..24].try_into().unwrap_or([0; 8]));
            let count = i64::from_be_bytes(s[24..32].try_into().unwrap_or([0; 8]));
            Shard { id, clock, count, kind: ShardKind::Remote }
        })
        .collect();
    for i in 0..elements {
        let at = 2 + 2 * i;
        let element = i16::from_be_bytes([context[at], context[at + 1]]);
        let (index, kind) = if element < 0 { ((element as i32 - i16::MIN as i32) as usize, ShardKind::Global) } else { (element as usize, ShardKind::Local) };
        let shard = shards.get_mut(index).ok_or_else(|| CounterContextError(format!("header names shard {index} of {}", body.len() / SHARD)))?;
        shard.kind = kind;
    }
    Ok(shards)
}

/// Serializes shards (sorted by id) as a context, header elements in body order.
pub fn write_context(shards: &[Shard]) -> Bytes {
    let named: Vec<(usize, ShardKind)> = shards.iter().enumerate().filter(|(_, s)| s.kind != ShardKind::Remote).map(|(i, s)| (i, s.kind)).collect();
    let mut out = BytesMut::with_capacity(2 + named.len() * 2 + shards.len() * SHARD);
    out.put_i16(named.len() as i16);
    for (i, kind) in named {
        let element = if kind == ShardKind::Global { (i as i32 + i16::MIN as i32) as i16 } else { i as i16 };
        out.put_i16(element);
    }
    for s in shards {
        out.put_slice(&s.id);
        out.put_i64(s.clock);
        out.put_i64(s.count);
    }
    out.freeze()
}

/// Sum of the shards' counts: the counter's value.
pub fn total(shards: &[Shard]) -> i64 {
    shards.iter().fold(0i64, |t, s| t.wrapping_add(s.count))
}

/// The counter value of a serialized context.
///
/// # Errors
/// As [`parse_context`].
pub fn context_total(context: &[u8]) -> Result<i64, CounterContextError> {
    parse_context(context).map(|s| total(&s))
}

/// Which of two shards with the same id survives; `None` means "sum them" (two locals).
fn pick(left: &Shard, right: &Shard) -> Option<Ordering> {
    use ShardKind::*;
    let by_count = || left.count.cmp(&right.count);
    match (left.kind, right.kind) {
        (Global, Global) => Some(if left.clock == right.clock { by_count() } else { left.clock.cmp(&right.clock) }),
        (Global, _) => Some(Ordering::Greater),
        (_, Global) => Some(Ordering::Less),
        (Local, Local) => None,
        (Local, _) => Some(Ordering::Greater),
        (_, Local) => Some(Ordering::Less),
        (Remote, Remote) => {
            let (l, r) = (left.clock, right.clock);
            Some(if l == r {
                by_count()
            } else if (l >= 0 && r > 0 && l >= r) || (l < 0 && (r > 0 || l < r)) {
                Ordering::Greater
            } else {
                Ordering::Less
            })
        }
    }
}

/// Merges two shard lists (each sorted by id).
pub fn merge_shards(left: &[Shard], right: &[Shard]) -> Vec<Shard> {
    let mut out = Vec::with_capacity(left.len().max(right.len()));
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        let (l, r) = (&left[i], &right[j]);
        match l.id.cmp(&r.id) {
            Ordering::Less => {
                out.push(*l);
                i += 1;
            }
            Ordering::Greater => {
                out.push(*r);
                j += 1;
            }
            Ordering::Equal => {
                out.push(match pick(l, r) {
                    None => Shard { id: l.id, clock: l.clock.wrapping_add(r.clock), count: l.count.wrapping_add(r.count), kind: ShardKind::Local },
                    Some(Ordering::Less) => *r,
                    Some(_) => *l,
                });
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    out
}

/// Merges two serialized contexts.
///
/// # Errors
/// As [`parse_context`].
pub fn merge_contexts(left: &[u8], right: &[u8]) -> Result<Bytes, CounterContextError> {
    Ok(write_context(&merge_shards(&parse_context(left)?, &parse_context(right)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> [u8; 16] {
        [n; 16]
    }

    fn global(n: u8, clock: i64, count: i64) -> Shard {
        Shard { id: id(n), clock, count, kind: ShardKind::Global }
    }

    #[test]
    fn contexts_round_trip_and_total() {
        let shards = vec![global(1, 3, 5), Shard { id: id(2), clock: 1, count: -2, kind: ShardKind::Remote }, Shard { id: id(3), clock: 1, count: 7, kind: ShardKind::Local }];
        let bytes = write_context(&shards);
        assert_eq!(parse_context(&bytes).unwrap(), shards);
        assert_eq!(context_total(&bytes).unwrap(), 10);
        // The header: 2 named shards, global #0 as i16::MIN, local #2.
        assert_eq!(&bytes[..6], &[0, 2, 0x80, 0x00, 0, 2]);
    }

    #[test]
    fn replicas_merge_by_highest_clock_per_counter_id() {
        // Node 1 saw its own shard at clock 3 (count 5) and node 2's at clock 1 (count 1);
        // node 2 has its own at clock 2 (count 4).
        let node1 = write_context(&[global(1, 3, 5), global(2, 1, 1)]);
        let node2 = write_context(&[global(2, 2, 4)]);
        let merged = merge_contexts(&node1, &node2).unwrap();
        assert_eq!(parse_context(&merged).unwrap(), vec![global(1, 3, 5), global(2, 2, 4)]);
        assert_eq!(context_total(&merged).unwrap(), 9);
        // Commutative, idempotent.
        assert_eq!(merge_contexts(&node2, &node1).unwrap(), merged);
        assert_eq!(merge_contexts(&merged, &merged).unwrap(), merged);
    }

    #[test]
    fn legacy_shard_rules() {
        let local = |c, n| Shard { id: id(1), clock: c, count: n, kind: ShardKind::Local };
        let remote = |c, n| Shard { id: id(1), clock: c, count: n, kind: ShardKind::Remote };
        assert_eq!(merge_shards(&[local(1, 2)], &[local(2, 3)]), vec![local(3, 5)]);
        assert_eq!(merge_shards(&[remote(9, 9)], &[local(1, 1)]), vec![local(1, 1)]);
        assert_eq!(merge_shards(&[remote(9, 9)], &[global(1, 1, 1)]), vec![global(1, 1, 1)]);
        assert_eq!(merge_shards(&[remote(2, 1)], &[remote(3, 0)]), vec![remote(3, 0)]);
        assert_eq!(merge_shards(&[remote(2, 1)], &[remote(2, 4)]), vec![remote(2, 4)]);
        // A negative (renewed) clock wins over positive ones.
        assert_eq!(merge_shards(&[remote(5, 1)], &[remote(-1, 0)]), vec![remote(-1, 0)]);
        assert_eq!(merge_shards(&[global(1, 4, 1)], &[global(1, 4, 6)]), vec![global(1, 4, 6)]);
    }

    #[test]
    fn malformed_contexts_are_errors() {
        assert!(parse_context(&[0, 1]).is_err());
        assert!(parse_context(&[0, 0, 1, 2, 3]).is_err());
        let mut bad = write_context(&[global(1, 1, 1)]).to_vec();
        bad[3] = 5; // global index 5 of 1 shard
        assert!(parse_context(&bad).is_err());
    }
}
