//! Write-stage errors and the one place that decides what a driver error means: retry (and
//! whether the target is pushing back), reject the row, or stop the run.
//!
//! Error codes: native protocol v4 §9
//! (<https://github.com/apache/cassandra/blob/cassandra-5.0/doc/native_protocol_v4.spec>).
//! Amazon Keyspaces reports throttling mostly as `WriteTimeout` (DESIGN.md), so server
//! timeouts count as pushback.

use scylla::errors::{DbError, ExecutionError, RequestAttemptError};
use serde::Serialize;

use super::rejects::RejectsError;

/// Why a statement is retried (summary counters are kept per cause).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryCause {
    /// Server-side `WriteTimeout`/`ReadTimeout` (Keyspaces throttling looks like this).
    WriteTimeout,
    /// `Overloaded`.
    Overloaded,
    /// `RateLimitReached` or a throttling message.
    Throttled,
    /// No answer within the client's request timeout.
    ClientTimeout,
    /// `Unavailable` / `IsBootstrapping`: not enough replicas.
    Unavailable,
    /// Broken connection, no connection in the pool, no stream id.
    Connection,
    /// `ServerError`, `WriteFailure` and other transient server errors.
    ServerError,
}

impl RetryCause {
    /// Every cause, in report order.
    pub const ALL: [RetryCause; 7] = [
        RetryCause::WriteTimeout,
        RetryCause::Overloaded,
        RetryCause::Throttled,
        RetryCause::ClientTimeout,
        RetryCause::Unavailable,
        RetryCause::Connection,
        RetryCause::ServerError,
    ];

    /// The snake_case name used in the summary.
    pub fn as_str(&self) -> &'static str {
        match self {
            RetryCause::WriteTimeout => "write_timeout",
            RetryCause::Overloaded => "overloaded",
            RetryCause::Throttled => "throttled",
            RetryCause::ClientTimeout => "client_timeout",
            RetryCause::Unavailable => "unavailable",
            RetryCause::Connection => "connection",
            RetryCause::ServerError => "server_error",
        }
    }

    /// Whether this cause means the target is saturated, so the in-flight window shrinks.
    pub fn is_pushback(&self) -> bool {
        matches!(
            self,
            RetryCause::WriteTimeout | RetryCause::Overloaded | RetryCause::Throttled | RetryCause::ClientTimeout
        )
    }
}

/// What to do about a failed statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Transient: retry after a backoff. `maybe_applied` is false only when the error proves
    /// the write was not applied (which is when a counter may be retried).
    Retry {
        /// Why, for counters and AIMD.
        cause: RetryCause,
        /// Whether the write may have been applied despite the error.
        maybe_applied: bool,
    },
    /// This row cannot be written (invalid value, function failure): reject it, go on.
    Reject,
    /// Configuration, permission, schema or protocol problem: stop the run.
    Fatal,
}

/// Decides what a driver error means. The only place that does.
pub fn classify(err: &ExecutionError) -> ErrorClass {
    use ErrorClass::*;
    match err {
        ExecutionError::LastAttemptError(e) => classify_attempt(e),
        ExecutionError::RequestTimeout(_) => Retry { cause: RetryCause::ClientTimeout, maybe_applied: true },
        ExecutionError::ConnectionPoolError(_) | ExecutionError::EmptyPlan => {
            Retry { cause: RetryCause::Connection, maybe_applied: false }
        }
        ExecutionError::BadQuery(_) => Reject,
        _ => Fatal,
    }
}

fn classify_attempt(err: &RequestAttemptError) -> ErrorClass {
    use ErrorClass::*;
    match err {
        RequestAttemptError::DbError(db, message) => classify_db(db, message),
        RequestAttemptError::SerializationError(_) | RequestAttemptError::CqlRequestSerialization(_) => Reject,
        RequestAttemptError::UnableToAllocStreamId => Retry { cause: RetryCause::Connection, maybe_applied: false },
        RequestAttemptError::BrokenConnectionError(_) => Retry { cause: RetryCause::Connection, maybe_applied: true },
        _ => Fatal,
    }
}

fn classify_db(db: &DbError, message: &str) -> ErrorClass {
    use ErrorClass::*;
    let not_applied = |cause| Retry { cause, maybe_applied: false };
    let maybe_applied = |cause| Retry { cause, maybe_applied: true };
    match db {
        DbError::WriteTimeout { .. } | DbError::ReadTimeout { .. } => maybe_applied(RetryCause::WriteTimeout),
        DbError::Overloaded => not_applied(RetryCause::Overloaded),
        DbError::RateLimitReached { .. } => not_applied(RetryCause::Throttled),
        DbError::Unavailable { .. } | DbError::IsBootstrapping => not_applied(RetryCause::Unavailable),
        DbError::WriteFailure { .. } | DbError::ReadFailure { .. } => maybe_applied(RetryCause::ServerError),
        DbError::ServerError => {
            let m = message.to_ascii_lowercase();
            if m.contains("throttl") || m.contains("rate exceeded") || m.contains("capacity exceeded") {
                maybe_applied(RetryCause::Throttled)
            } else if m.contains("too large") || m.contains("exceeds") || m.contains("oversized") {
                Reject
            } else {
                maybe_applied(RetryCause::ServerError)
            }
        }
        DbError::Unprepared { .. } => not_applied(RetryCause::ServerError),
        DbError::Invalid | DbError::FunctionFailure { .. } => Reject,
        DbError::Other(_) => maybe_applied(RetryCause::ServerError),
        // SyntaxError (a bug in the shapes), AlreadyExists, AuthenticationError, Unauthorized,
        // ConfigError, TruncateError, ProtocolError: nothing a retry or a reject can fix.
        _ => Fatal,
    }
}

/// Errors that stop the write stage.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Connecting to the target failed.
    #[error("cannot connect to the target ({hosts}): {source}; check --target, --port, credentials and that the server is up")]
    Connect {
        /// The contact points.
        hosts: String,
        /// The driver's error.
        source: Box<scylla::errors::NewSessionError>,
    },
    /// Preparing a statement failed (table or column missing, wrong types, no permission).
    #[error("cannot prepare `{cql}`: {source}; check that the target table matches the source schema")]
    Prepare {
        /// The CQL text.
        cql: String,
        /// The driver's error.
        source: Box<scylla::errors::PrepareError>,
    },
    /// A statement failed with an error no retry can fix.
    #[error("fatal error writing to {table}: {source}")]
    Fatal {
        /// `keyspace.table`.
        table: String,
        /// The driver's error.
        source: Box<ExecutionError>,
    },
    /// More rows failed than `--max-errors` allows.
    #[error("{errors} rows failed, more than --max-errors {max}; see the rejects file for each row and reason")]
    TooManyErrors {
        /// Rows failed so far.
        errors: u64,
        /// The threshold.
        max: u64,
    },
    /// A DDL or setup statement (bench schema) failed.
    #[error("`{cql}` failed: {source}")]
    Setup {
        /// The CQL text.
        cql: String,
        /// The driver's error.
        source: Box<ExecutionError>,
    },
    /// The rejects file could not be written.
    #[error(transparent)]
    Rejects(#[from] RejectsError),
    /// The writer was stopped after an earlier error.
    #[error("the writer stopped after an earlier error")]
    Stopped,
}

#[cfg(test)]
mod tests {
    use super::*;
    use scylla::errors::{BadQuery, WriteType};
    use scylla::statement::Consistency;

    fn db(e: DbError, msg: &str) -> ExecutionError {
        ExecutionError::LastAttemptError(RequestAttemptError::DbError(e, msg.to_string()))
    }

    #[test]
    fn write_timeout_is_pushback_and_maybe_applied() {
        let e = db(
            DbError::WriteTimeout { consistency: Consistency::LocalQuorum, received: 0, required: 1, write_type: WriteType::Simple },
            "",
        );
        let c = classify(&e);
        assert_eq!(c, ErrorClass::Retry { cause: RetryCause::WriteTimeout, maybe_applied: true });
        assert!(RetryCause::WriteTimeout.is_pushback());
    }

    #[test]
    fn overloaded_and_unavailable_were_not_applied() {
        assert_eq!(classify(&db(DbError::Overloaded, "")), ErrorClass::Retry { cause: RetryCause::Overloaded, maybe_applied: false });
        let u = DbError::Unavailable { consistency: Consistency::LocalQuorum, required: 2, alive: 1 };
        assert_eq!(classify(&db(u, "")), ErrorClass::Retry { cause: RetryCause::Unavailable, maybe_applied: false });
        assert!(!RetryCause::Unavailable.is_pushback());
    }

    #[test]
    fn client_timeout_is_pushback() {
        let c = classify(&ExecutionError::RequestTimeout(std::time::Duration::from_secs(1)));
        assert_eq!(c, ErrorClass::Retry { cause: RetryCause::ClientTimeout, maybe_applied: true });
        assert!(RetryCause::ClientTimeout.is_pushback());
    }

    #[test]
    fn invalid_rows_are_rejected_and_config_errors_are_fatal() {
        assert_eq!(classify(&db(DbError::Invalid, "Key length of 70000 is longer than maximum")), ErrorClass::Reject);
        assert_eq!(classify(&db(DbError::Unauthorized, "")), ErrorClass::Fatal);
        assert_eq!(classify(&db(DbError::SyntaxError, "")), ErrorClass::Fatal);
        assert_eq!(classify(&db(DbError::AuthenticationError, "")), ErrorClass::Fatal);
        assert_eq!(classify(&ExecutionError::BadQuery(BadQuery::ValuesTooLongForKey(70000, 65535))), ErrorClass::Reject);
    }

    #[test]
    fn server_error_messages_refine_the_class() {
        assert_eq!(
            classify(&db(DbError::ServerError, "Request throttled")),
            ErrorClass::Retry { cause: RetryCause::Throttled, maybe_applied: true }
        );
        assert_eq!(classify(&db(DbError::ServerError, "Rejected an oversized mutation")), ErrorClass::Reject);
        assert_eq!(
            classify(&db(DbError::ServerError, "java.lang.NullPointerException")),
            ErrorClass::Retry { cause: RetryCause::ServerError, maybe_applied: true }
        );
    }
}
