//! The write stage: merged rows in, CQL writes out.
//!
//! ```text
//!  Mutations ──plan_mutation──> [Statement] ──packed──> PlannedGroup ──Writer::submit_planned──>
//!  (mutation.rs)  (statement.rs, shape.rs,   (planned.rs; simple_insert rows directly)
//!                  ttl.rs, row_size.rs)
//!    rate gate (rows/s, WU/s) ──> in-flight window (AIMD) ──> unlogged batches of one route,
//!    or alone (batch.rs) ──> retry/backoff | reject | stop            (executor.rs)
//! ```
//!
//! Each row keeps every cell's writetime (`USING TIMESTAMP`) and remaining TTL; values are
//! the SSTable's serialized bytes, bound as they are ([`value::BoundValue`]). Every outcome is
//! counted ([`crate::stats`]); rows that cannot be written go to the rejects file
//! ([`rejects`]). See DESIGN.md ("write", "Amazon Keyspaces facts").

pub mod auth;
pub mod backoff;
pub mod batch;
pub mod error;
pub mod executor;
pub mod from_merge;
pub mod in_flight;
pub mod mutation;
pub mod planned;
pub mod rate;
pub mod rejects;
pub mod row_size;
pub mod session;
pub mod shape;
pub mod statement;
pub mod target;
pub mod tls;
pub mod ttl;
pub mod value;

pub use error::WriteError;
pub use executor::{Admitted, RowOutcome, RowTicket, Writer, WriterConfig};
pub use planned::PlannedGroup;
pub use mutation::{Cell, CellValue, ColumnKind, ColumnSpec, Deletion, Expiry, Liveness, Mutation, RangeBound, TargetTable};
