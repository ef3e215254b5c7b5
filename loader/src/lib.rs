//! ksbulk: reads Cassandra SSTables and writes their rows to a CQL target, keeping every
//! cell's writetime and TTL. Stages follow the data: source → plan → merge → write →
//! checkpoint → handoff → verify (see `../shared/DESIGN.md`).

pub mod checkpoint;
pub mod cli;
pub mod commands;
pub mod merge;
pub mod plan;
pub mod preflight;
pub mod run;
pub mod schema_translate;
pub mod source;
pub mod stats;
pub mod verify;
pub mod write;

#[cfg(test)]
mod test_fixtures;
