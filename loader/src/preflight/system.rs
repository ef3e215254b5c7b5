//! Reading the target's own description of itself: `system.local`, `system_schema.*` and,
//! on Amazon Keyspaces, `system_schema_mcs.*` (table status and `custom_properties`).

use std::collections::BTreeMap;

use scylla::client::session::Session;
use scylla::deserialize::row::DeserializeRow;
use scylla::errors::{ExecutionError, RequestAttemptError};
use scylla::serialize::row::SerializeRow;

/// A query on the target's system tables failed.
#[derive(Debug, thiserror::Error)]
#[error("reading the target's schema ({cql}): {source}")]
pub struct QueryFailed {
    /// The query.
    pub cql: String,
    /// The driver's error.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// Runs `cql` with `values` and returns every row as `R` (owned types).
///
/// # Errors
/// [`QueryFailed`] naming the query.
pub async fn select_rows<R>(session: &Session, cql: &str, values: impl SerializeRow) -> Result<Vec<R>, QueryFailed>
where
    R: for<'f> DeserializeRow<'f, 'f>,
{
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| QueryFailed { cql: cql.to_string(), source: e };
    let result = session.query_unpaged(cql, values).await.map_err(|e| failed(Box::new(e)))?;
    let rows = result.into_rows_result().map_err(|e| failed(Box::new(e)))?;
    let iter = rows.rows::<R>().map_err(|e| failed(Box::new(e)))?;
    iter.collect::<Result<Vec<R>, _>>().map_err(|e| failed(Box::new(e)))
}

/// One column as `system_schema.columns` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetColumn {
    /// Column name.
    pub name: String,
    /// `partition_key`, `clustering`, `static` or `regular`.
    pub kind: String,
    /// Position in the partition key or clustering (-1 otherwise).
    pub position: i32,
    /// CQL type text (`frozen<list<int>>`, `map<text, int>`, a UDT's name).
    pub cql_type: String,
    /// `asc`, `desc` or `none`.
    pub clustering_order: String,
}

/// The columns of `keyspace.table` on the target (empty when the table does not exist).
///
/// # Errors
/// [`QueryFailed`].
pub async fn table_columns(session: &Session, keyspace: &str, table: &str) -> Result<Vec<TargetColumn>, QueryFailed> {
    let rows: Vec<(String, String, i32, String, String)> = select_rows(
        session,
        "SELECT column_name, kind, position, type, clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
        (keyspace, table),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, kind, position, cql_type, clustering_order)| TargetColumn { name, kind, position, cql_type, clustering_order })
        .collect())
}

/// Whether the keyspace exists on the target.
///
/// # Errors
/// [`QueryFailed`].
pub async fn keyspace_exists(session: &Session, keyspace: &str) -> Result<bool, QueryFailed> {
    let rows: Vec<(String,)> = select_rows(session, "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", (keyspace,)).await?;
    Ok(!rows.is_empty())
}

/// Whether the table exists on the target.
///
/// # Errors
/// [`QueryFailed`].
pub async fn table_exists(session: &Session, keyspace: &str, table: &str) -> Result<bool, QueryFailed> {
    let rows: Vec<(String,)> =
        select_rows(session, "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?", (keyspace, table)).await?;
    Ok(!rows.is_empty())
}

/// The partitioner class the target reports (`system.local`).
///
/// # Errors
/// [`QueryFailed`].
pub async fn partitioner(session: &Session) -> Result<String, QueryFailed> {
    let rows: Vec<(Option<String>,)> = select_rows(session, "SELECT partitioner FROM system.local", ()).await?;
    Ok(rows.into_iter().next().and_then(|(p,)| p).unwrap_or_default())
}

/// Whether the target is Amazon Keyspaces: it alone has the `system_schema_mcs` keyspace.
/// A server that answers with an error about the query is not Keyspaces.
///
/// # Errors
/// [`QueryFailed`] when the query fails for another reason (timeout, connection).
pub async fn is_keyspaces(session: &Session) -> Result<bool, QueryFailed> {
    let cql = "SELECT keyspace_name FROM system_schema_mcs.keyspaces LIMIT 1";
    match session.query_unpaged(cql, ()).await {
        Ok(_) => Ok(true),
        Err(ExecutionError::LastAttemptError(RequestAttemptError::DbError(..))) => Ok(false),
        Err(e) => Err(QueryFailed { cql: cql.to_string(), source: Box::new(e) }),
    }
}

/// Keyspaces `custom_properties`: property → its settings (`{'ttl': {'status': 'enabled'}}`).
pub type CustomProperties = BTreeMap<String, BTreeMap<String, String>>;

/// A Keyspaces table's status and `custom_properties` (`system_schema_mcs.tables`).
pub type McsTable = (String, CustomProperties);

/// Reads a Keyspaces table's status and `custom_properties`; `None` when the table is not
/// listed there.
///
/// # Errors
/// [`QueryFailed`].
pub async fn keyspaces_table(session: &Session, keyspace: &str, table: &str) -> Result<Option<McsTable>, QueryFailed> {
    let rows: Vec<(Option<String>, Option<CustomProperties>)> = select_rows(
        session,
        "SELECT status, custom_properties FROM system_schema_mcs.tables WHERE keyspace_name = ? AND table_name = ?",
        (keyspace, table),
    )
    .await?;
    Ok(rows.into_iter().next().map(|(s, p)| (s.unwrap_or_default(), p.unwrap_or_default())))
}
