//! `ksbulk run`: load a manifest's units into the target, resuming where an earlier run
//! stopped. Exit codes: 0 every unit done and every row written; 1 done, but some rows were
//! rejected (listed in the rejects file); 2 some units failed, or the run could not start.

use std::process::ExitCode;

use anyhow::Context;

use crate::checkpoint::Checkpoint;
use crate::cli::run::RunArgs;
use crate::run::{run_manifest, RunOptions};
use crate::source::LocalStore;
use crate::stats::progress::Progress;
use crate::write::rejects::RejectsFile;
use crate::preflight::{run_checks, PreflightOptions};
use crate::write::session::connect_resolved;
use crate::write::{Writer, WriterConfig};

/// Runs `ksbulk run`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    // One I/O thread: the runtime is this thread. A wake-up passed between threads (an
    // answer read on one, its sender waiting on another) cost more than the work it woke for.
    let rt = match args.io_threads {
        1 => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        n => tokio::runtime::Builder::new_multi_thread().worker_threads(usize::from(n)).enable_all().build(),
    }
    .context("starting the async runtime")?;
    rt.block_on(load(args))
}

async fn load(args: RunArgs) -> anyhow::Result<ExitCode> {
    let checkpoint = Checkpoint::load(&args.manifest)?;
    checkpoint.validate_sources(&LocalStore)?;
    let estimate: u64 = checkpoint
        .manifest
        .tables
        .iter()
        .flat_map(|t| {
            let replicas = t.nodes.len().max(1) as u64;
            t.units.iter().filter(|u| u.status != crate::plan::manifest::UnitStatus::Done).map(move |u| u.estimate.rows / replicas)
        })
        .sum();
    let rate = args.write.rate.fixed();
    let target = args.conn.resolve(rate)?;
    let session = connect_resolved(&target, |b| b).await?;
    if !args.skip_preflight {
        let opts = PreflightOptions { routing: target.routing, target: None, target_keyspace: args.target_keyspace.clone() };
        let report = run_checks(&session, &checkpoint.manifest, &opts).await.context("preflight (the target is not ready; nothing was written)")?;
        for note in &report.notes {
            eprintln!("ksbulk: note: {note}");
        }
    }
    let rejects = RejectsFile::append(&args.write.rejects)?;
    let writer = Writer::new(session, WriterConfig::for_target(&args.write, &target), rejects);
    let progress = (!args.write.no_progress).then(|| Progress::start(writer.stats(), estimate, writer.in_flight_probe()));
    let options = RunOptions {
        target_keyspace: args.target_keyspace.clone(),
        parallel_units: args.parallel_units,
        checkpoint_every: args.checkpoint_every,
        buffered_rows: args.buffered_rows,
        ..RunOptions::default()
    };
    let summary = run_manifest(checkpoint, &writer, &options).await;
    if let Some(p) = progress {
        p.finish();
    }
    let summary = summary.with_context(|| format!("running {}", args.manifest.display()))?;
    println!("{summary}");
    if let Some(path) = &args.write.summary_json {
        std::fs::write(path, serde_json::to_vec_pretty(&summary)?).with_context(|| format!("writing {}", path.display()))?;
    }
    if summary.write.rows_rejected > 0 {
        eprintln!("ksbulk: {} rows rejected, listed in {}", summary.write.rows_rejected, args.write.rejects.display());
    }
    Ok(if !summary.units_failed.is_empty() {
        ExitCode::from(2)
    } else if summary.write.rows_rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
