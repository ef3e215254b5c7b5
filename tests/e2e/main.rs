//! End-to-end tests of `ksbulk plan` + `run` against the real Cassandra started by
//! `scripts/test` (or `scripts/cassandra start`), with the generated corpus as source and its
//! SELECT oracles (what Cassandra itself returned) as the expected result. Slower than the
//! integration tests, so in their own target: `cargo test -p ksbulk-tests --test e2e`.

mod bad_input;
mod common;
mod corpus_load;
mod kill_resume;
mod three_node;
