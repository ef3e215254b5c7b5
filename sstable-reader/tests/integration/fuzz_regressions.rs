//! Fuzz regressions: every input the fuzzer (`sstable-reader/fuzz`, `scripts/fuzz`) made the
//! reader panic, hang or mislocate an error on, replayed through the same driver on stable.
//!
//! Crash inputs live in `testdata/fuzz-regressions/<target>/<name>` (the target's input
//! layout is described in `fuzz/drivers.rs`); the file name says what went wrong. A new one
//! is added by copying the fuzzer's artifact there and fixing the reader until this passes.
//! Found while fuzzing for the reader issue (parsers must never panic on bad bytes).

use crate::drivers;
use std::path::{Path, PathBuf};

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz-regressions")
}

/// Runs `f` and reports which input failed (the panic message is the driver's).
fn replay(target: &str, file: &Path) {
    let bytes = std::fs::read(file).unwrap();
    let result = std::panic::catch_unwind(|| drivers::run(target, &bytes));
    assert!(result.is_ok(), "fuzz regression {target}/{} fails again", file.file_name().unwrap().to_string_lossy());
}

/// How many crash inputs `testdata/fuzz-regressions` holds (raise it when adding some; the
/// first fuzzing runs, ~43 min of libFuzzer over all targets, found none).
const MIN_INPUTS: usize = 0;

#[test]
fn every_fuzz_crash_input_decodes_without_panicking() {
    let mut replayed = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(regressions_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(drivers::TARGETS.contains(&target.as_str()), "{}: not a fuzz target", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            replay(&target, &file);
            replayed += 1;
        }
    }
    // Fewer than recorded means the directory lost files.
    assert!(replayed >= MIN_INPUTS, "{replayed} regression inputs under {}, expected at least {MIN_INPUTS}", regressions_dir().display());
}

/// The seeds are real SSTables: each driver must take them (and this keeps the drivers
/// compiling and working on stable, where CI runs).
#[test]
fn every_fuzz_driver_accepts_the_real_sstables_it_is_seeded_with() {
    for target in drivers::TARGETS {
        let seeds = drivers::seeds(target);
        assert!(!seeds.is_empty(), "{target}: no seeds (fixtures missing?)");
        for (name, bytes) in seeds {
            let result = std::panic::catch_unwind(|| drivers::run(target, &bytes));
            assert!(result.is_ok(), "{target}: seed {name}");
        }
    }
}

/// A chunk offset table whose spans are far longer than any compressed chunk (corrupt
/// CompressionInfo.db of a large file) is an error naming the chunk, not a read of the rest of
/// the file into one buffer.
#[test]
fn a_chunk_span_longer_than_any_compressed_chunk_is_malformed_not_read() {
    use sstable_reader::compression::{codec_for, ChunkLayout, ChunkedInput};
    use sstable_reader::io::BytesSource;
    use sstable_reader::metadata::CompressionInfo;
    use sstable_reader::{Component, DataInput, ErrorKind};

    let info = CompressionInfo {
        compressor: "org.apache.cassandra.io.compress.LZ4Compressor".into(),
        options: Default::default(),
        chunk_length: 1024,
        max_compressed_length: i32::MAX as u32,
        data_length: 2048,
        chunk_offsets: vec![0, 100_000],
    };
    let data = BytesSource::new(vec![0u8; 100_100], "big/nb-1-big-Data.db", Component::Data);
    let layout = ChunkLayout::Compressed { info: std::sync::Arc::new(info), codec: codec_for("LZ4Compressor").unwrap() };
    let mut input = ChunkedInput::new(data, layout).unwrap();
    let err = input.ensure(1).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert_eq!((err.component, err.offset), (Component::Data, 0));
    assert_eq!(err.to_string(), "big/nb-1-big-Data.db: Data.db at byte 0: malformed: chunk 0 spans 100000 stored bytes, more than a 1024-byte chunk can take");
}
