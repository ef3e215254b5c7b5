//! Shared helpers for the integration tests: where the servers and the corpus are.

pub mod corpus;
