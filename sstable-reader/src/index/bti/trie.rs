//! On-disk tries of the BTI format (Partitions.db, and each wide partition's index in
//! Rows.db), read node by node where they are stored.
//!
//! A node starts with a byte: 4 bits of type, 4 bits of payload flags (0: no payload).
//! Children are stored before their parents; a pointer is the distance back from the node
//! (`io.tries.TrieNode`, `BtiFormat.md` "Trie nodes"):
//!
//! | type | layout after the first byte | payload at |
//! |---|---|---|
//! | 0 `PAYLOAD_ONLY` | — | +1 |
//! | 1 `SINGLE_NOPAYLOAD_4` | (pointer in the flag bits) transition | none |
//! | 2 `SINGLE_8`, 4 `SINGLE_16` | transition, 1/2-byte pointer | +3/+4 |
//! | 3 `SINGLE_NOPAYLOAD_12` | (pointer bits 8..11 in the flag bits) pointer low byte, transition | none |
//! | 5,7,8,9 `SPARSE_8/16/24/40` | count, count transitions, count 1/2/3/5-byte pointers | after the pointers |
//! | 6 `SPARSE_12` | count, count transitions, count 12-bit pointers (packed, big-endian) | +2 + ⌈2.5·count⌉ |
//! | 10 `DENSE_12` | first transition, count−1, count 12-bit pointers (0: no child) | +3 + ⌈1.5·count⌉ |
//! | 11..14 `DENSE_16/24/32/40`, 15 `LONG_DENSE` | first transition, count−1, count 2/3/4/5/8-byte pointers | after the pointers |
//!
//! Nodes are laid out so that none crosses a 4 KiB page; the reader reads a page-aligned
//! window around each node and keeps a few windows cached.

use bytes::Bytes;

use crate::index::input::Cursor;
use crate::io::ByteSource;
use crate::{ErrorKind, Result};

const PAGE: u64 = 4096;
/// A window of two pages holds any node (at most 3 + 256·8 bytes) that starts in the first,
/// with its payload.
const WINDOW: u64 = 2 * PAGE;
const CACHED_WINDOWS: usize = 4;

/// A trie node, decoded lazily: the header is checked when the node is read, transitions
/// and pointers are read from its bytes when asked for (no allocation per node).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// File position of the node.
    pub(crate) pos: u64,
    /// The 4 payload flag bits (0: no payload).
    pub(crate) payload_flags: u8,
    /// File position of the payload.
    pub(crate) payload_pos: u64,
    /// The bytes from the payload position to the end of the read window, for the caller
    /// to decode the payload from.
    pub(crate) payload: Bytes,
    /// The node's bytes, from its first byte.
    bytes: Bytes,
    kind: u8,
    /// Number of child slots (a dense node's slots may be empty).
    slots: usize,
}

impl Node {
    /// A cursor over the payload.
    pub(crate) fn payload_cursor<'a>(&self, src: &'a dyn ByteSource) -> Cursor<'a> {
        Cursor::new(src, self.payload_pos, self.payload.clone())
    }

    /// Whether the node has no children.
    pub(crate) fn is_leaf(&self) -> bool {
        self.slots == 0
    }

    /// Number of child slots; [`Node::slot`] takes indexes below this.
    pub(crate) fn slots(&self) -> usize {
        self.slots
    }

    /// The transition byte of slot `i`.
    fn transition(&self, i: usize) -> u8 {
        let b = &self.bytes;
        match self.kind {
            1 | 2 | 4 => b[1],
            3 => b[2],
            5..=9 => b[2 + i],
            _ => b[1].wrapping_add(i as u8),
        }
    }

    /// The distance back to the child of slot `i` (0: an empty dense slot), and the file
    /// offset the pointer is stored at.
    fn delta(&self, i: usize) -> (u64, u64) {
        let b = &self.bytes;
        let be = |from: usize, width: usize| b[from..from + width].iter().fold(0u64, |v, &x| (v << 8) | x as u64);
        let (at, delta) = match self.kind {
            1 => (0, (b[0] & 0x0f) as u64),
            2 => (2, b[2] as u64),
            3 => (0, (((b[0] & 0x0f) as u64) << 8) | b[1] as u64),
            4 => (2, be(2, 2)),
            6 => {
                let base = 2 + self.slots;
                (base + 3 * i / 2, read_12_bits(&b[base..], i))
            }
            5 | 7 | 8 | 9 => {
                let w = sparse_width(self.kind);
                let at = 2 + self.slots + w * i;
                (at, be(at, w))
            }
            10 => (3 + 3 * i / 2, read_12_bits(&b[3..], i)),
            _ => {
                let w = dense_width(self.kind);
                (3 + w * i, be(3 + w * i, w))
            }
        };
        (self.pos + at as u64, delta)
    }

    /// Slot `i`: its transition byte and child position, `None` for an empty dense slot.
    pub(crate) fn slot(&self, src: &dyn ByteSource, i: usize) -> Result<Option<(u8, u64)>> {
        let (at, delta) = self.delta(i);
        if delta == 0 && self.kind >= 10 {
            return Ok(None);
        }
        if delta == 0 || delta > self.pos {
            return Err(src.error(at, ErrorKind::Malformed(format!("bad trie pointer: distance {delta} back from node at {}", self.pos))));
        }
        Ok(Some((self.transition(i), self.pos - delta)))
    }

    /// The slot for `byte` if it has a child, or `Err(first slot above byte)`.
    pub(crate) fn search(&self, src: &dyn ByteSource, byte: u8) -> Result<std::result::Result<usize, usize>> {
        match self.kind {
            0 => Ok(Err(0)),
            1..=4 => {
                let t = self.transition(0);
                Ok(if byte == t { Ok(0) } else if byte < t { Err(0) } else { Err(1) })
            }
            5..=9 => Ok(self.bytes[2..2 + self.slots].binary_search(&byte)),
            _ => {
                let first = self.bytes[1];
                if byte < first {
                    return Ok(Err(0));
                }
                let i = (byte - first) as usize;
                if i >= self.slots {
                    return Ok(Err(self.slots));
                }
                Ok(if self.slot(src, i)?.is_some() { Ok(i) } else { Err(i) })
            }
        }
    }
}

fn sparse_width(kind: u8) -> usize {
    match kind {
        5 => 1,
        7 => 2,
        8 => 3,
        _ => 5,
    }
}

fn dense_width(kind: u8) -> usize {
    match kind {
        11 => 2,
        12 => 3,
        13 => 4,
        14 => 5,
        _ => 8,
    }
}

/// Reads nodes of one trie file, caching recently read windows.
pub(crate) struct TrieReader<'a> {
    src: &'a dyn ByteSource,
    windows: Vec<(u64, Bytes)>,
    /// Nodes left to read before the walk is declared malformed: a well-formed trie is a
    /// tree, so no walk reads more nodes than the file has bytes.
    budget: u64,
}

impl<'a> TrieReader<'a> {
    pub(crate) fn new(src: &'a dyn ByteSource) -> TrieReader<'a> {
        TrieReader { src, windows: Vec::new(), budget: src.len().saturating_mul(2).saturating_add(16) }
    }

    fn window(&mut self, pos: u64) -> Result<(u64, Bytes)> {
        let start = pos - pos % PAGE;
        if let Some(i) = self.windows.iter().position(|(s, _)| *s == start) {
            let w = self.windows.remove(i);
            self.windows.push(w.clone());
            return Ok(w);
        }
        let len = self.src.len().saturating_sub(start).min(WINDOW) as usize;
        let bytes = self.src.read_at(start, len)?;
        if self.windows.len() == CACHED_WINDOWS {
            self.windows.remove(0);
        }
        self.windows.push((start, bytes.clone()));
        Ok((start, bytes))
    }

    /// Decodes the node at `pos`.
    pub(crate) fn node(&mut self, pos: u64) -> Result<Node> {
        if self.budget == 0 {
            return Err(self.src.error(pos, ErrorKind::Malformed("trie walk visits more nodes than the file can hold (pointer cycle)".into())));
        }
        self.budget -= 1;
        if pos >= self.src.len() {
            return Err(self.src.error(pos, ErrorKind::Malformed(format!("trie node position {pos} past the end of the file"))));
        }
        let (start, window) = self.window(pos)?;
        let mut c = Cursor::new(self.src, pos, window.slice((pos - start) as usize..));
        decode(&mut c, pos)
    }
}

/// Checks the node header at the cursor and finds its payload; pointers are checked when
/// followed.
fn decode(c: &mut Cursor<'_>, pos: u64) -> Result<Node> {
    let start = c.offset();
    let first = c.u8()?;
    let kind = first >> 4;
    let low = first & 0x0f;
    let (payload_flags, slots, len) = match kind {
        0 => (low, 0, 1),
        1 => (0, 1, 2),
        2 => (low, 1, 3),
        3 => (0, 1, 3),
        4 => (low, 1, 4),
        5..=9 => {
            let count = c.u8()? as usize;
            let pointers = if kind == 6 { (3 * count).div_ceil(2) } else { sparse_width(kind) * count };
            (low, count, 2 + count + pointers)
        }
        _ => {
            let first_transition = c.u8()? as usize;
            let count = c.u8()? as usize + 1;
            if first_transition + count > 256 {
                return Err(c.malformed_at(pos + 1, format!("dense trie node spans transitions {first_transition}..{}", first_transition + count)));
            }
            let pointers = if kind == 10 { (3 * count).div_ceil(2) } else { dense_width(kind) * count };
            (low, count, 3 + pointers)
        }
    };
    c.seek(start)?;
    let bytes = c.bytes(len)?;
    if (5..=9).contains(&kind) && bytes[2..2 + slots].windows(2).any(|w| w[0] >= w[1]) {
        return Err(c.malformed_at(pos + 2, "sparse trie node transitions out of order"));
    }
    let payload_pos = c.offset();
    let payload = c.bytes(c.remaining())?;
    Ok(Node { pos, payload_flags, payload_pos, payload, bytes, kind, slots })
}

/// The `i`th 12-bit value of a packed big-endian array (`TrieNode.read12Bits`).
fn read_12_bits(packed: &[u8], i: usize) -> u64 {
    let at = 3 * i / 2;
    let hi = packed.get(at).copied().unwrap_or(0) as u64;
    let lo = packed.get(at + 1).copied().unwrap_or(0) as u64;
    let word = (hi << 8) | lo;
    if i & 1 == 0 {
        (word >> 4) & 0xfff
    } else {
        word & 0xfff
    }
}

/// One level of an in-order walk: a node and the index of the next child to visit.
struct Frame {
    node: Node,
    next: usize,
}

/// Walks a trie in key order, yielding every node that has a payload with the path (the
/// transition bytes) leading to it.
pub(crate) struct PayloadWalk<'a> {
    reader: TrieReader<'a>,
    stack: Vec<Frame>,
    path: Vec<u8>,
    /// A node to yield before resuming the walk (the root, or a seek's candidate).
    pending: Option<Node>,
    failed: bool,
}

/// Where a seek stopped.
pub(crate) struct SeekResult<'a> {
    /// The walk, positioned to continue with everything greater than the sought key.
    pub(crate) walk: PayloadWalk<'a>,
    /// True when the first node the walk yields was reached by a prefix of the sought key
    /// (its key may be smaller, equal or greater); false when it is certainly greater.
    pub(crate) first_is_prefix_match: bool,
}

impl<'a> PayloadWalk<'a> {
    /// A walk over the whole trie under `root`.
    pub(crate) fn new(src: &'a dyn ByteSource, root: u64) -> Result<PayloadWalk<'a>> {
        let mut reader = TrieReader::new(src);
        let node = reader.node(root)?;
        Ok(PayloadWalk { reader, stack: Vec::new(), path: Vec::new(), pending: Some(node), failed: false })
    }

    /// A walk that starts at the ceiling of `key`: first the node whose path is a prefix of
    /// `key` if the key's bytes run out of trie there (`PartitionIndex.Reader.ceiling`),
    /// then every node greater than `key`.
    pub(crate) fn seek(src: &'a dyn ByteSource, root: u64, key: &[u8]) -> Result<SeekResult<'a>> {
        let mut reader = TrieReader::new(src);
        let mut node = reader.node(root)?;
        let mut stack = Vec::new();
        let mut path = Vec::new();
        let mut bytes = key.iter();
        loop {
            let Some(&b) = bytes.next() else {
                // The key ends here: this node's own payload matches it exactly (if any),
                // all its children are greater.
                let candidate = node.payload_flags != 0;
                let pending = candidate.then(|| node.clone());
                stack.push(Frame { node, next: 0 });
                let walk = PayloadWalk { reader, stack, path, pending, failed: false };
                return Ok(SeekResult { walk, first_is_prefix_match: candidate });
            };
            match node.search(src, b)? {
                Ok(i) => {
                    let Some((_, child)) = node.slot(src, i)? else { return Err(src.error(node.pos, ErrorKind::Malformed("empty trie slot".into()))) };
                    stack.push(Frame { node, next: i + 1 });
                    path.push(b);
                    node = reader.node(child)?;
                }
                Err(i) => {
                    // Only a leaf can stand for a key that has this prefix; an inner node's
                    // payload is a shorter key, and is not accepted (as Cassandra does).
                    let candidate = node.is_leaf() && node.payload_flags != 0;
                    let pending = candidate.then(|| node.clone());
                    stack.push(Frame { node, next: i });
                    let walk = PayloadWalk { reader, stack, path, pending, failed: false };
                    return Ok(SeekResult { walk, first_is_prefix_match: candidate });
                }
            }
        }
    }

    fn advance(&mut self) -> Result<Option<(Bytes, Node)>> {
        if let Some(node) = self.pending.take() {
            let path = Bytes::copy_from_slice(&self.path);
            let payload = node.payload_flags != 0;
            if self.stack.last().is_none_or(|f| f.node.pos != node.pos) {
                // The root (or a leaf candidate already framed): walk its children next.
                self.stack.push(Frame { node: node.clone(), next: 0 });
            }
            if payload {
                return Ok(Some((path, node)));
            }
        }
        loop {
            let Some(top) = self.stack.last_mut() else { return Ok(None) };
            if top.next >= top.node.slots() {
                self.stack.pop();
                if !self.stack.is_empty() {
                    self.path.pop();
                }
                continue;
            }
            let slot = top.node.slot(self.reader.src, top.next)?;
            top.next += 1;
            let Some((byte, pos)) = slot else { continue };
            let node = self.reader.node(pos)?;
            self.path.push(byte);
            let has_payload = node.payload_flags != 0;
            self.stack.push(Frame { node: node.clone(), next: 0 });
            if has_payload {
                return Ok(Some((Bytes::copy_from_slice(&self.path), node)));
            }
        }
    }
}

impl Iterator for PayloadWalk<'_> {
    type Item = Result<(Bytes, Node)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.advance() {
            Ok(item) => item.map(Ok),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::BytesSource;
    use crate::Component;

    #[test]
    fn twelve_bit_pointers_unpack_like_cassandra() {
        // 15, 12, 9, 6, 3 packed as in the da legacy_simple Partitions.db.
        let packed = [0x00, 0xf0, 0x0c, 0x00, 0x90, 0x06, 0x00, 0x30];
        let got: Vec<u64> = (0..5).map(|i| read_12_bits(&packed, i)).collect();
        assert_eq!(got, vec![15, 12, 9, 6, 3]);
    }

    #[test]
    fn pointers_must_point_backwards() {
        // SINGLE_8 at 0 pointing 1 byte back: before the file start.
        let src = BytesSource::new(vec![0x20, b'a', 1], "Partitions.db", Component::Partitions);
        let node = TrieReader::new(&src).node(0).unwrap();
        let err = node.slot(&src, 0).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Malformed(ref m) if m.contains("bad trie pointer")), "{err}");
        assert_eq!(err.offset, 2);
    }
}
