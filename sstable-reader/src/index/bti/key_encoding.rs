//! The byte-comparable form of partition keys and tokens that Partitions.db's trie is
//! keyed by (`ByteComparable` version `OSS41`, the version `io.tries.Walker` uses).
//!
//! A decorated key is the sequence (token, key): each component is preceded by `0x40`
//! (`NEXT_COMPONENT`) and the sequence ends with `0x38` (`TERMINATOR`)
//! (`DecoratedKey.asComparableBytes`). A bound on a token alone ends right after the token
//! with `0x20` (before every key of that token) or `0x60` (after them)
//! (`Token.KeyBound`). Tokens:
//! * Murmur3: the 8 bytes of the signed value, big-endian, sign bit flipped;
//! * ByteOrdered: the key bytes with `00` escaped: a run of n zeros becomes `00`, (n−1)×`FE`,
//!   then `FF` (or `FE` when the run ends the value), and the value ends with `00` unless it
//!   ended in a zero run (`ByteSource.AbstractReinterpreter`);
//! * Random: the integer as a variable-length number: `0x80 + (length − 1)` then the
//!   big-endian magnitude without leading zeros (`-1`, the minimum, is `7F FF`)
//!   (`ByteComparable.md`, "Variable-length integers"). Not checked against a
//!   Random-partitioned BTI file yet.
//!
//! The partition key bytes use the same zero escaping as ByteOrdered tokens.
//!
//! Spec: `utils/bytecomparable/ByteComparable.md` in the Cassandra source.

use crate::index::KeyBound;
use crate::partitioner::RandomToken;
use crate::Token;

const NEXT_COMPONENT: u8 = 0x40;
const TERMINATOR: u8 = 0x38;
const LT_NEXT_COMPONENT: u8 = 0x20;
const GT_NEXT_COMPONENT: u8 = 0x60;

/// Appends `bytes` with zeros escaped, as a component of a sequence.
pub fn escape(bytes: &[u8], out: &mut Vec<u8>) {
    let mut in_zero_run = false;
    for &b in bytes {
        if in_zero_run {
            if b == 0 {
                out.push(0xfe);
                continue;
            }
            out.push(0xff);
        }
        out.push(b);
        in_zero_run = b == 0;
    }
    out.push(if in_zero_run { 0xfe } else { 0x00 });
}

/// Appends the byte-comparable form of a token.
pub fn token(token: &Token, out: &mut Vec<u8>) {
    match token {
        Token::Murmur3(t) => out.extend_from_slice(&((*t as u64) ^ (1 << 63)).to_be_bytes()),
        Token::ByteOrdered(key) => escape(key, out),
        Token::Random(RandomToken::Minimum) => out.extend_from_slice(&[0x7f, 0xff]),
        Token::Random(RandomToken::Value(v)) => {
            let bytes = v.to_be_bytes();
            let skip = bytes.iter().take(15).take_while(|b| **b == 0).count();
            let digits = &bytes[skip..];
            out.push(0x80 + (digits.len() as u8 - 1));
            out.extend_from_slice(digits);
        }
    }
}

/// The byte-comparable form of a seek bound.
pub fn bound(bound: &KeyBound) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    out.push(NEXT_COMPONENT);
    match bound {
        KeyBound::TokenStart(t) => {
            token(t, &mut out);
            out.push(LT_NEXT_COMPONENT);
        }
        KeyBound::TokenEnd(t) => {
            token(t, &mut out);
            out.push(GT_NEXT_COMPONENT);
        }
        KeyBound::Key(k) => {
            token(&k.token, &mut out);
            out.push(NEXT_COMPONENT);
            escape(&k.key, &mut out);
            out.push(TERMINATOR);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::Partitioner;

    #[test]
    fn escaping_follows_the_spec_examples() {
        let enc = |b: &[u8]| {
            let mut v = Vec::new();
            escape(b, &mut v);
            v
        };
        // ByteComparable.md: 22 00 -> 22 00 FE; 22 00 00 33 -> 22 00 FE FF 33 00; 22 00 11 -> 22 00 FF 11 00.
        assert_eq!(enc(&[0x22, 0x00]), vec![0x22, 0x00, 0xfe]);
        assert_eq!(enc(&[0x22, 0x00, 0x00, 0x33]), vec![0x22, 0x00, 0xfe, 0xff, 0x33, 0x00]);
        assert_eq!(enc(&[0x22, 0x00, 0x11]), vec![0x22, 0x00, 0xff, 0x11, 0x00]);
        assert_eq!(enc(b""), vec![0x00]);
    }

    #[test]
    fn murmur3_keys_and_bounds_order_like_decorated_keys() {
        let p = Partitioner::Murmur3;
        let mut keys: Vec<_> = (0..200i32).map(|i| p.decorate(Bytes::copy_from_slice(&i.to_be_bytes()))).collect();
        keys.sort();
        let encoded: Vec<Vec<u8>> = keys.iter().map(|k| bound(&KeyBound::Key(k.clone()))).collect();
        assert!(encoded.windows(2).all(|w| w[0] < w[1]));
        for (k, e) in keys.iter().zip(&encoded) {
            let start = bound(&KeyBound::TokenStart(k.token.clone()));
            let end = bound(&KeyBound::TokenEnd(k.token.clone()));
            assert!(start < *e && *e < end);
        }
        // The sign flip: token -1 encodes as 7f ff .. ff.
        let mut v = Vec::new();
        token(&Token::Murmur3(-1), &mut v);
        assert_eq!(v, vec![0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    }

    #[test]
    fn random_tokens_encode_as_ordered_varints() {
        let enc = |t: RandomToken| {
            let mut v = Vec::new();
            token(&Token::Random(t), &mut v);
            v
        };
        assert_eq!(enc(RandomToken::Value(0)), vec![0x80, 0x00]);
        assert_eq!(enc(RandomToken::Value(255)), vec![0x80, 0xff]);
        assert_eq!(enc(RandomToken::Value(65536)), vec![0x82, 0x01, 0x00, 0x00]);
        let ordered = [RandomToken::Minimum, RandomToken::Value(0), RandomToken::Value(1), RandomToken::Value(256), RandomToken::Value(1 << 127)];
        let encoded: Vec<_> = ordered.iter().map(|t| enc(*t)).collect();
        assert!(encoded.windows(2).all(|w| w[0] < w[1]), "{encoded:x?}");
    }
}
