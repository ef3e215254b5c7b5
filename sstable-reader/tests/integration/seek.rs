//! Seeking by token and by key lands on the right partition, for every partition of an
//! SSTable with thousands of them, in both index formats: big (Summary.db samples → Index.db
//! scan) and BTI (Partitions.db trie). The fixture SSTables of `shared/fixtures` have at most
//! five partitions, which never leave the first summary sample or the trie's root node.
//!
//! SSTables: `testdata/cassandra-5.0.8-writer/events-4000-{big,bti}` (4000 single-row
//! partitions written by Cassandra 5.0.8; README there).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use sstable_reader::data::PartitionReader;
use sstable_reader::{KeyBound, Partitioner, SSTable, Token};

fn sstable(dir: &str, prefix: &str) -> SSTable {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cassandra-5.0.8-writer").join(dir).join(format!("{prefix}-Data.db"));
    SSTable::open(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Every partition's key and Data.db position, read from Data.db itself (not the index).
fn partitions_in_data(t: &SSTable) -> Vec<(Bytes, u64)> {
    let mut reader = PartitionReader::open(t).unwrap();
    let mut out = Vec::new();
    while let Some(p) = reader.next_partition().unwrap() {
        out.push((p.key, p.position));
    }
    out
}

fn seeks_land_on_every_partition(t: &SSTable) {
    let name = t.descriptor().path(sstable_reader::Component::Data).display().to_string();
    let index = t.open_index().unwrap();
    let p = index.partitioner();
    assert_eq!(p, Partitioner::Murmur3);
    let partitions = partitions_in_data(t);
    assert_eq!(partitions.len(), 4000, "{name}");
    let key_at_position: HashMap<u64, Bytes> = partitions.iter().map(|(k, pos)| (*pos, k.clone())).collect();

    // The index lists the same partitions, in the same order, at the same positions.
    let listed: Vec<u64> = index.entries().map(|e| e.unwrap().data_position).collect();
    let expected: Vec<u64> = partitions.iter().map(|(_, pos)| *pos).collect();
    assert_eq!(listed, expected, "{name}: index entries vs Data.db");
    if let Some(n) = index.key_count() {
        assert_eq!(n, 4000, "{name}");
    }
    assert_eq!((index.first_key(), index.last_key()), (&partitions[0].0, &partitions[3999].0), "{name}");

    // The first partition at or after `bound`, confirmed with the key in Data.db as a reader
    // does when the index holds only a key prefix (BTI).
    let first_at_or_after = |bound: &KeyBound| -> Option<u64> {
        let mut key_at = |pos: u64| Ok(key_at_position.get(&pos).cloned().unwrap_or_else(|| panic!("{name}: {pos} is no partition start")));
        let first = index.seek_confirmed(bound, &mut key_at).unwrap().next().map(|e| e.unwrap());
        if let Some(e) = &first {
            let key = e.key.clone().unwrap_or_else(|| key_at_position[&e.data_position].clone());
            assert!(bound.admits(&p.decorate(key)), "{name}: landed before {bound:?}");
            // Unconfirmed, the position is at most one partition early.
            let rough = index.data_position_at(bound).unwrap().unwrap();
            assert!(rough <= e.data_position, "{name}");
        }
        first.map(|e| e.data_position)
    };

    let mut prev: Option<Token> = None;
    for (i, (key, pos)) in partitions.iter().enumerate() {
        let dk = p.decorate(key.clone());
        if let Some(prev) = &prev {
            assert!(*prev < dk.token, "{name}: Data.db not in token order at partition {i}");
        }
        assert_eq!(first_at_or_after(&KeyBound::Key(dk.clone())), Some(*pos), "{name}: key of partition {i}");
        assert_eq!(first_at_or_after(&KeyBound::TokenStart(dk.token.clone())), Some(*pos), "{name}: token start of partition {i}");
        let after_prev = prev.clone().map_or(KeyBound::TokenStart(p.min_token()), KeyBound::TokenEnd);
        assert_eq!(first_at_or_after(&after_prev), Some(*pos), "{name}: end of the previous token, partition {i}");
        // Reading Data.db from the landing point gives this partition.
        if i % 97 == 0 {
            let mut reader = PartitionReader::open(t).unwrap();
            reader.seek_partition(*pos).unwrap();
            assert_eq!(&reader.next_partition().unwrap().unwrap().key, key, "{name}: partition {i}");
        }
        prev = Some(dk.token);
    }
    assert_eq!(first_at_or_after(&KeyBound::TokenEnd(prev.unwrap())), None, "{name}: past the last key");

    // From a landing point the iterator goes on in stored order to the end.
    for i in [1, 1234, 3998] {
        let rest: Vec<u64> = index.seek(&KeyBound::Key(p.decorate(partitions[i].0.clone()))).unwrap().map(|e| e.unwrap().data_position).collect();
        assert_eq!(rest, expected[i..], "{name}: iteration after seeking to partition {i}");
    }
}

#[test]
fn seeking_by_token_or_key_lands_on_each_of_4000_partitions_big() {
    let t = sstable("events-4000-big", "oa-2-big");
    // More than one summary sample, so seeks start mid-file.
    assert!(std::fs::metadata(t.descriptor().path(sstable_reader::Component::Summary)).unwrap().len() > 500);
    seeks_land_on_every_partition(&t);
}

#[test]
fn seeking_by_token_or_key_lands_on_each_of_4000_partitions_bti() {
    seeks_land_on_every_partition(&sstable("events-4000-bti", "da-2-bti"));
}
