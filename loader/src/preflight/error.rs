//! Why a preflight check failed: one variant per check, each message saying what differs
//! and what to do.

use super::system::QueryFailed;

/// The first problem preflight found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PreflightError {
    /// A system table could not be read.
    #[error(transparent)]
    Query(#[from] QueryFailed),
    /// The manifest has no schema for a table, so its columns cannot be checked.
    #[error("{table}: the manifest has no schema.cql for it; re-plan from a snapshot (snapshots hold schema.cql)")]
    NoSchema {
        /// `ks.t`.
        table: String,
    },
    /// The manifest's schema does not parse or does not define the table.
    #[error("{table}: the manifest's schema.cql: {message}")]
    BadSchema {
        /// `ks.t`.
        table: String,
        /// What is wrong.
        message: String,
    },
    /// The keyspace is missing.
    #[error("keyspace {keyspace} does not exist on the target; create it with `ksbulk schema <schema.cql> --for <target> --apply`")]
    KeyspaceMissing {
        /// The keyspace.
        keyspace: String,
    },
    /// The table is missing.
    #[error("table {table} does not exist on the target; create it with `ksbulk schema <schema.cql> --for <target> --apply`")]
    TableMissing {
        /// `ks.t`.
        table: String,
    },
    /// The key columns differ.
    #[error("{table}: primary key differs: the source has {in_source}, the target {in_target}")]
    PrimaryKeyDiffers {
        /// `ks.t`.
        table: String,
        /// The source's `PRIMARY KEY (…)`.
        in_source: String,
        /// The target's.
        in_target: String,
    },
    /// A clustering column is ordered otherwise.
    #[error("{table}: clustering order of {column} differs: {in_source} on the source, {in_target} on the target")]
    ClusteringOrderDiffers {
        /// `ks.t`.
        table: String,
        /// The column.
        column: String,
        /// `ASC`/`DESC` on the source.
        in_source: String,
        /// On the target.
        in_target: String,
    },
    /// A source column is missing on the target.
    #[error("target table {table} has no column {column} ({cql_type}) of the source; add it: ALTER TABLE {table} ADD {column} {cql_type}")]
    MissingColumn {
        /// `ks.t`.
        table: String,
        /// The column.
        column: String,
        /// Its source type.
        cql_type: String,
    },
    /// A column has another type on the target.
    #[error("column {column} of {table}: the source has type {in_source}, the target {in_target}")]
    TypeMismatch {
        /// `ks.t`.
        table: String,
        /// The column.
        column: String,
        /// The source type.
        in_source: String,
        /// The target type.
        in_target: String,
    },
    /// A column is static on one side only.
    #[error("column {column} of {table} is {in_source} on the source but {in_target} on the target")]
    ColumnKindDiffers {
        /// `ks.t`.
        table: String,
        /// The column.
        column: String,
        /// `static`/`regular`.
        in_source: String,
        /// `static`/`regular`.
        in_target: String,
    },
    /// The target refused the statement shape the load writes with.
    #[error("{table}: the target refuses the load's writes ({cql}): {message}")]
    WriteRefused {
        /// `ks.t`.
        table: String,
        /// The probe statement (prepared, never executed).
        cql: String,
        /// The server's answer.
        message: String,
    },
    /// Keyspaces table without client-side timestamps.
    #[error(
        "{table}: client-side timestamps are not enabled, so writes USING TIMESTAMP are refused; run \
         ALTER TABLE {table} WITH custom_properties = {{'client_side_timestamps': {{'status': 'enabled'}}}} (irreversible)"
    )]
    ClientSideTimestampsOff {
        /// `ks.t`.
        table: String,
    },
    /// Keyspaces table without TTL while the data has TTLs.
    #[error(
        "{table}: the data has TTLs ({why}) but TTL is not enabled on the table, so writes USING TTL are refused; run \
         ALTER TABLE {table} WITH custom_properties = {{'ttl': {{'status': 'enabled'}}}} (irreversible)"
    )]
    TtlOff {
        /// `ks.t`.
        table: String,
        /// Where the TTLs were seen.
        why: String,
    },
    /// Keyspaces table not ready.
    #[error("{table}: the Keyspaces table is {status}, not ACTIVE; wait until it is")]
    NotActive {
        /// `ks.t`.
        table: String,
        /// Its status.
        status: String,
    },
    /// Token-aware routing against Keyspaces.
    #[error("the target is Amazon Keyspaces, whose system.peers lists endpoints, not replicas: use --routing round-robin")]
    TokenAwareOnKeyspaces,
    /// Token-aware routing with a partitioner the driver cannot compute tokens for.
    #[error(
        "the target's partitioner is {partitioner}; token-aware routing computes Murmur3 tokens, so every write would go to a \
         wrong coordinator: use --routing round-robin"
    )]
    PartitionerForRouting {
        /// The target's partitioner class.
        partitioner: String,
    },
}
