//! `ksbulk verify-files`: checks every checksum an SSTable carries and reports every bad
//! spot, not just the first: the TOC against the files present, the Statistics.db CRCs
//! (`na`+), every Data.db chunk CRC (CompressionInfo.db or CRC.db), that the chunks
//! decompress to the stated length, and Digest.crc32.

use std::process::ExitCode;
use std::sync::Arc;

use sstable_reader::compression::{codec_for, ChunkLayout, ChunkedInput, CrcChunks};
use sstable_reader::metadata::{CompressionInfo, Statistics, Toc};
use sstable_reader::{find_sstables, Component, DataInput as _, Descriptor, Error, LocalOpener, Opener};

use crate::cli::VerifyFilesArgs;

/// What checking one SSTable found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every problem, located.
    pub problems: Vec<Error>,
    /// Chunks checked (0 when Data.db has no chunk checksums).
    pub chunks: usize,
    /// Uncompressed bytes in good chunks.
    pub bytes: u64,
    /// Whether a Digest was checked (and matched, when there is no problem about it).
    pub digest_checked: bool,
}

/// Checks every SSTable under the paths; exits 1 when anything is wrong.
pub fn run(args: &VerifyFilesArgs) -> anyhow::Result<ExitCode> {
    let (mut tables, mut bad_tables, mut problems) = (0usize, 0usize, 0usize);
    for path in &args.paths {
        let found = match find_sstables(path) {
            Ok(found) => found,
            Err(e) => {
                println!("BAD  {e}");
                problems += 1;
                continue;
            }
        };
        if found.is_empty() {
            println!("BAD  {}: no SSTables found", path.display());
            problems += 1;
        }
        for descriptor in found {
            tables += 1;
            let outcome = check(&descriptor, &LocalOpener);
            let data = descriptor.path(Component::Data);
            if outcome.problems.is_empty() {
                if !args.quiet {
                    let digest = if outcome.digest_checked { "digest OK" } else { "no digest" };
                    println!("OK   {}: {} chunks, {} bytes, {digest}", data.display(), outcome.chunks, outcome.bytes);
                }
            } else {
                bad_tables += 1;
                problems += outcome.problems.len();
                for p in &outcome.problems {
                    println!("BAD  {p}");
                }
            }
        }
    }
    println!("{tables} SSTables checked: {} good, {bad_tables} with problems, {problems} problems", tables - bad_tables);
    Ok(if problems == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Checks one SSTable, carrying on after each problem so that all are reported.
pub fn check(descriptor: &Descriptor, opener: &dyn Opener) -> Outcome {
    let mut out = Outcome::default();
    let toc = match opener.open(descriptor, Component::Toc).and_then(|src| Toc::read(&*src)) {
        Ok(toc) => Some(toc),
        Err(e) => {
            out.problems.push(e);
            None
        }
    };
    if let Some(toc) = &toc {
        for &c in &toc.components {
            if let Err(e) = opener.open(descriptor, c) {
                out.problems.push(e);
            }
        }
    }
    let listed = |c: Component| toc.as_ref().is_none_or(|t| t.contains(c));
    if listed(Component::Statistics) {
        if let Err(e) = opener.open(descriptor, Component::Statistics).and_then(|s| Statistics::read(&*s, descriptor.version)) {
            push_new(&mut out.problems, e);
        }
    }
    let data = match opener.open(descriptor, Component::Data) {
        Ok(d) => d,
        Err(e) => {
            push_new(&mut out.problems, e);
            return out;
        }
    };
    check_chunks(descriptor, opener, &toc, data, &mut out);
    if listed(Component::Digest) {
        match opener.open(descriptor, Component::Digest) {
            Ok(digest) => {
                out.digest_checked = true;
                let data = opener.open(descriptor, Component::Data);
                if let Err(e) = data.and_then(|d| sstable_reader::digest::verify_digest(&*d, &*digest)) {
                    out.problems.push(e);
                }
            }
            Err(e) => push_new(&mut out.problems, e),
        }
    }
    out
}

fn check_chunks(descriptor: &Descriptor, opener: &dyn Opener, toc: &Option<Toc>, data: Box<dyn sstable_reader::io::ByteSource>, out: &mut Outcome) {
    let has = |c: Component| toc.as_ref().is_some_and(|t| t.contains(c));
    let layout = if has(Component::CompressionInfo) || toc.is_none() {
        let info = opener.open(descriptor, Component::CompressionInfo).and_then(|s| CompressionInfo::read(&*s, descriptor.version));
        match info {
            Ok(info) => match codec_for(&info.compressor) {
                Ok(codec) => ChunkLayout::Compressed { info: Arc::new(info), codec },
                Err(kind) => {
                    out.problems.push(Error::new(descriptor.path(Component::CompressionInfo), Component::CompressionInfo, 0, kind));
                    return;
                }
            },
            Err(e) => {
                push_new(&mut out.problems, e);
                return;
            }
        }
    } else if has(Component::Crc) {
        match opener.open(descriptor, Component::Crc).and_then(|s| CrcChunks::read(&*s)) {
            Ok(crcs) => ChunkLayout::Checksummed(crcs),
            Err(e) => {
                push_new(&mut out.problems, e);
                return;
            }
        }
    } else {
        // Nothing to check chunk by chunk; the digest still covers the file.
        return;
    };
    let mut input = match ChunkedInput::new(data, layout) {
        Ok(input) => input,
        Err(e) => {
            out.problems.push(e);
            return;
        }
    };
    out.chunks = input.chunk_count();
    let before = out.problems.len();
    out.bytes = input.check_all_chunks(|e| out.problems.push(e));
    if out.problems.len() == before && out.bytes != input.len() {
        out.problems.push(input.error(sstable_reader::ErrorKind::Truncated { expected: input.len(), available: out.bytes }));
    }
}

/// Adds `e` unless the same file/offset/kind was already reported (a missing component is
/// found both by the TOC check and when it is read).
fn push_new(problems: &mut Vec<Error>, e: Error) {
    let same = |p: &Error| p.file == e.file && p.offset == e.offset && p.kind.to_string() == e.kind.to_string();
    if !problems.iter().any(same) {
        problems.push(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn fixture(rel: &str) -> PathBuf {
        let root = std::env::var_os("KSBULK_FIXTURES")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/sstables"));
        root.join(rel)
    }

    /// A writable copy of a fixture directory, removed on drop.
    struct Copy(PathBuf);

    impl Copy {
        fn of(rel: &str, tag: &str) -> Copy {
            let dir = std::env::temp_dir().join(format!("ksbulk-verify-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for e in std::fs::read_dir(fixture(rel)).unwrap() {
                let p = e.unwrap().path();
                std::fs::write(dir.join(p.file_name().unwrap()), std::fs::read(&p).unwrap()).unwrap();
            }
            Copy(dir)
        }

        fn file(&self, suffix: &str) -> PathBuf {
            std::fs::read_dir(&self.0).unwrap().map(|e| e.unwrap().path()).find(|p| p.to_string_lossy().ends_with(suffix)).unwrap()
        }
    }

    impl Drop for Copy {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn every_fixture_verifies_clean() {
        let all = find_sstables(fixture("cassandra")).unwrap();
        assert_eq!(all.len(), 73);
        for d in all {
            let o = check(&d, &LocalOpener);
            assert!(o.problems.is_empty(), "{d}: {:?}", o.problems);
            assert!(o.digest_checked && o.chunks >= 1 && o.bytes > 0, "{d}");
        }
    }

    #[test]
    fn reports_every_bad_chunk_the_digest_and_a_bad_statistics_crc() {
        let copy = Copy::of("cassandra/legacy/nb/legacy_tables/legacy_nb_clust", "bad");
        let data = copy.file("-Data.db");
        let d = Descriptor::from_path(&data).unwrap().0;
        let info = CompressionInfo::read(&*LocalOpener.open(&d, Component::CompressionInfo).unwrap(), d.version).unwrap();
        let mut bytes = std::fs::read(&data).unwrap();
        let (c1, c7) = (info.chunk_offsets[1], info.chunk_offsets[7]);
        bytes[c1 as usize + 10] ^= 1;
        bytes[c7 as usize + 3] ^= 0x80;
        std::fs::write(&data, &bytes).unwrap();
        let stats = copy.file("-Statistics.db");
        let mut sb = std::fs::read(&stats).unwrap();
        let last = sb.len() - 20;
        sb[last] ^= 1;
        std::fs::write(&stats, &sb).unwrap();

        let o = check(&d, &LocalOpener);
        let msgs: Vec<String> = o.problems.iter().map(|e| e.to_string()).collect();
        assert_eq!(o.problems.len(), 4, "{msgs:#?}");
        assert_eq!((o.problems[0].component, o.problems[0].offset), (Component::Statistics, sb.len() as u64 - 4));
        assert!(msgs[1].starts_with(&format!("{}: Data.db at byte {c1}: checksum mismatch", data.display())), "{msgs:#?}");
        assert!(msgs[2].starts_with(&format!("{}: Data.db at byte {c7}: checksum mismatch", data.display())), "{msgs:#?}");
        assert_eq!(o.problems[3].component, Component::Digest);
        assert_eq!(o.chunks, 21);
        assert_eq!(o.bytes, info.data_length - 2 * 16384);
    }

    #[test]
    fn reports_missing_components_once() {
        let copy = Copy::of("cassandra/legacy/da/legacy_tables/legacy_da_simple", "missing");
        let digest = copy.file("-Digest.crc32");
        std::fs::remove_file(&digest).unwrap();
        std::fs::remove_file(copy.file("-Rows.db")).unwrap();
        let d = Descriptor::from_path(copy.file("-Data.db")).unwrap().0;
        let o = check(&d, &LocalOpener);
        let msgs: Vec<String> = o.problems.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:#?}");
        assert!(msgs.contains(&format!("{}: Digest.crc32 at byte 0: missing component Digest.crc32", digest.display())), "{msgs:#?}");
        assert!(msgs.iter().any(|m| m.ends_with("missing component Rows.db")), "{msgs:#?}");
    }
}
