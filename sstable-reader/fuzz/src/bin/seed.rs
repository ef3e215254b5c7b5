//! Writes the seed corpus of every fuzz target from the real SSTables (shared fixtures and
//! sstable-reader/testdata): `seed CORPUS_DIR` fills `CORPUS_DIR/<target>/seed-<name>`.

#[path = "../../drivers.rs"]
mod drivers;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: seed CORPUS_DIR"));
    for target in drivers::TARGETS {
        let out = dir.join(target);
        std::fs::create_dir_all(&out).unwrap();
        let seeds = drivers::seeds(target);
        for (name, bytes) in &seeds {
            // Every seed must pass its own driver (they are valid files).
            drivers::run(target, bytes);
            std::fs::write(out.join(format!("seed-{name}")), bytes).unwrap();
        }
        println!("{target}: {} seeds", seeds.len());
    }
}
