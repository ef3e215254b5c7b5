//! Acknowledgements of one unit, in the order its rows were submitted: the low-watermark
//! moves to a partition only once every row of it, and of every partition before it, has an
//! outcome (written, empty, or rejected into the rejects file). A row the writer aborted
//! stops the unit there, so a resume starts again at the first unacknowledged partition.

use std::future::Future;

use futures::future::{ready, Either, FutureExt, Map, Ready};
use futures::stream::FuturesOrdered;
use futures::StreamExt;

use super::error::UnitError;
use super::{lock, Shared};
use crate::plan::manifest::Watermark;
use crate::write::RowOutcome;

/// One settled entry of a unit's acknowledgement queue.
#[derive(Debug)]
pub enum Ack {
    /// The outcomes of a group of submitted rows.
    Rows(Vec<RowOutcome>),
    /// Every row of this partition was submitted before this entry.
    PartitionEnd(Watermark),
}

/// A queued group being sent (`F`, [`crate::write::Admitted::send`]), or a partition end.
type Entry<F> = Either<Map<F, fn(Vec<RowOutcome>) -> Ack>, Ready<Ack>>;

/// A unit's groups in flight and its partition ends, settled in the order they were pushed.
/// The unit's own task polls them, so an answer from the target wakes that task and no other.
pub struct Acks<F: Future<Output = Vec<RowOutcome>>> {
    queue: FuturesOrdered<Entry<F>>,
    cp: Shared,
    t: usize,
    u: usize,
}

impl<F: Future<Output = Vec<RowOutcome>>> Acks<F> {
    /// The queue of unit `u` of table `t`.
    pub fn new(cp: Shared, t: usize, u: usize) -> Self {
        Acks { queue: FuturesOrdered::new(), cp, t, u }
    }

    /// Queues the sending of a group of rows ([`crate::write::Admitted::send`]).
    pub fn rows(&mut self, sending: F) {
        self.queue.push_back(Either::Left(sending.map(Ack::Rows as fn(_) -> Ack)));
    }

    /// Queues a partition's end, acknowledged after every row queued before it.
    pub fn partition_end(&mut self, w: Watermark) {
        self.queue.push_back(Either::Right(ready(Ack::PartitionEnd(w))));
    }

    /// Settles the next entry, in order: `None` when nothing is queued, else the checkpoint
    /// advanced by it.
    ///
    /// # Errors
    /// [`UnitError::Aborted`] at the first row the writer did not finish.
    pub async fn settle_next(&mut self) -> Option<Result<(), UnitError>> {
        Some(match self.queue.next().await? {
            Ack::Rows(outcomes) if outcomes.contains(&RowOutcome::Aborted) => Err(UnitError::Aborted),
            Ack::Rows(_) => Ok(()),
            Ack::PartitionEnd(w) => lock(&self.cp).advance(self.t, self.u, w).map_err(UnitError::from),
        })
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Waits for every group still in flight, moving no watermark (after the unit failed).
    pub async fn drain(&mut self) {
        while self.queue.next().await.is_some() {}
    }
}
