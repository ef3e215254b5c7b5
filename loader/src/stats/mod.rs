//! Run statistics: counters of every outcome, HDR latency histograms, the end-of-run summary
//! (printed and written as JSON) and the progress line.

pub mod counters;
pub mod latency;
pub mod progress;
pub mod summary;

pub use counters::WriteStats;
pub use latency::LatencyHistogram;
pub use summary::{LatencySummary, WriteSummary};
