//! The progress line of interactive runs (indicatif; hidden when stderr is not a terminal).

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::counters::WriteStats;

/// A progress line refreshed from [`WriteStats`] until dropped.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    /// Starts a progress line for `total` rows (0 = unknown); `in_flight` reports the
    /// current in-flight limit.
    pub fn start(stats: Arc<WriteStats>, total: u64, in_flight: impl Fn() -> usize + Send + 'static) -> Self {
        let bar = if total > 0 { ProgressBar::new(total) } else { ProgressBar::new_spinner() };
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
        let template = if total > 0 {
            "{elapsed_precise} [{bar:30}] {pos}/{len} rows, ETA {eta} | {msg}"
        } else {
            "{elapsed_precise} {spinner} {pos} rows | {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        let b = bar.clone();
        let task = tokio::spawn(async move {
            let mut last = (Instant::now(), 0u64, 0u64);
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let rows = stats.rows_written.load(Relaxed);
                let wu = stats.write_units.load(Relaxed);
                let dt = last.0.elapsed().as_secs_f64().max(1e-3);
                let msg = format!(
                    "{:.0} rows/s, {:.0} WU/s, {} MB, retries {}, errors {}, in flight ≤ {}",
                    (rows - last.1) as f64 / dt,
                    (wu - last.2) as f64 / dt,
                    stats.bytes.load(Relaxed) / 1_000_000,
                    stats.total_retries(),
                    stats.errors(),
                    in_flight()
                );
                last = (Instant::now(), rows, wu);
                b.set_position(rows);
                b.set_message(msg);
            }
        });
        Progress { bar, task: Some(task) }
    }

    /// Stops refreshing and clears the line.
    pub fn finish(mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}
