//! `ksbulk plan`: discover, plan, write the manifest, print the estimate.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};

use crate::checkpoint::Checkpoint;
use crate::cli::PlanArgs;
use crate::plan::manifest::PlanOptions;
use crate::plan::{human_bytes, make_plan};
use crate::source::{discover, DiscoverOptions, LocalStore, Source};

/// Runs `ksbulk plan`.
///
/// # Errors
/// Unusable sources, unreadable SSTables, an existing manifest without `--force`, or a
/// manifest that cannot be written.
pub fn plan(args: &PlanArgs) -> anyhow::Result<ExitCode> {
    if args.manifest.exists() && !args.force {
        bail!(
            "{} exists and may hold a run's progress; choose another --manifest or add --force to replace it",
            args.manifest.display()
        );
    }
    let mut sources = Vec::new();
    for root in &args.sources {
        if root.to_string_lossy().contains("://") {
            bail!("source {}: only local directories are supported so far", root.display());
        }
        sources.push(Source { store: Arc::new(LocalStore), root: root.clone() });
    }
    let started = Instant::now();
    let options = DiscoverOptions {
        keyspaces: args.keyspaces.clone(),
        tables: args.tables.clone(),
        snapshot: args.snapshot.clone(),
        include_backups: args.include_backups,
        include_index_dirs: false,
    };
    let discovery = discover(&sources, &options)?;
    print!("{}", discovery.report());
    let plan_options = PlanOptions {
        sources: args.sources.iter().map(|p| p.display().to_string()).collect(),
        keyspaces: args.keyspaces.clone(),
        tables: args.tables.clone(),
        snapshot: args.snapshot.clone(),
        include_backups: args.include_backups,
        unit_bytes: args.unit_size,
        units: args.units,
        target: None,
    };
    let manifest = make_plan(&sources, &discovery, &plan_options, args.replicas)?;
    print!("{}", manifest.estimate_report());
    let units: usize = manifest.tables.iter().map(|t| t.units.len()).sum();
    Checkpoint::create(&args.manifest, manifest).with_context(|| "writing the manifest")?;
    println!(
        "manifest {} written: {units} units (unit size {}), planned in {} ms",
        args.manifest.display(),
        human_bytes(args.unit_size),
        started.elapsed().as_millis()
    );
    Ok(ExitCode::SUCCESS)
}
