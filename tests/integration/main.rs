//! Integration tests against the real servers started by `scripts/` (see README).

mod corpus;
mod write;
