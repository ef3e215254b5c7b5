//! The test stack itself: each server answers real requests from the clients ksbulk uses
//! (the `scylla` driver, `rdkafka`, `object_store`).

mod cassandra;
mod kafka;
mod s3;
