//! Acknowledgements of one unit, in the order its rows were submitted: the low-watermark
//! moves to a partition only once every row of it, and of every partition before it, has an
//! outcome (written, empty, or rejected into the rejects file). A row the writer aborted
//! stops the unit there, so a resume starts again at the first unacknowledged partition.

use tokio::sync::mpsc;

use super::error::UnitError;
use super::{lock, Shared};
use crate::plan::manifest::Watermark;
use crate::write::{RowOutcome, RowTicket};

/// One entry of a unit's acknowledgement queue.
#[derive(Debug)]
pub enum Ack {
    /// The outcomes of a group of submitted rows, when they come.
    Rows(RowTicket),
    /// Every row of this partition was submitted before this entry.
    PartitionEnd(Watermark),
}

/// Consumes `acks` in order, advancing unit `u` of table `t` in the checkpoint.
///
/// # Errors
/// [`UnitError::Aborted`] at the first row the writer did not finish.
pub async fn acknowledge(mut acks: mpsc::UnboundedReceiver<Ack>, cp: Shared, t: usize, u: usize) -> Result<(), UnitError> {
    while let Some(ack) = acks.recv().await {
        match ack {
            Ack::Rows(ticket) => {
                if ticket.outcomes().await.contains(&RowOutcome::Aborted) {
                    return Err(UnitError::Aborted);
                }
            }
            Ack::PartitionEnd(w) => lock(&cp).advance(t, u, w)?,
        }
    }
    Ok(())
}
