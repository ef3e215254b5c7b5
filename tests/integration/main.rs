//! Integration tests against the real servers started by `scripts/` (see README).
//!
//! One binary, a module per area. Every test needs its server running and fails, with the
//! command that starts it, when the server is missing.

mod corpus;
mod dump_vs_sstabledump;
mod keyspaces;
mod schema;
mod stack;
mod verify;
mod write;
