//! `ksbulk preflight`: the target checks of [`crate::preflight`], then the cost and
//! duration estimate.

use std::process::ExitCode;

use anyhow::Context;

use crate::checkpoint::Checkpoint;
use crate::cli::preflight::PreflightArgs;
use crate::preflight::cost::{estimate, CostInputs};
use crate::preflight::{run_checks, PreflightOptions};
use crate::write::session::connect_resolved;

/// Runs `ksbulk preflight`: exit 0 when every check passes, 1 on the first problem.
///
/// # Errors
/// An unreadable manifest or no connection to the target.
pub fn run(args: PreflightArgs) -> anyhow::Result<ExitCode> {
    let manifest = Checkpoint::load(&args.manifest).with_context(|| format!("reading the manifest {}", args.manifest.display()))?.manifest;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    let target = args.conn.resolve(args.rate)?;
    let session = rt.block_on(connect_resolved(&target, |b| b))?;
    let opts = PreflightOptions { routing: target.routing, target: args.target_kind, target_keyspace: args.target_keyspace.clone() };
    match rt.block_on(run_checks(&session, &manifest, &opts)) {
        Ok(report) => {
            print!("{report}");
            let inputs = CostInputs { price_per_million_wru: args.price_per_million_wru, price_per_wcu_hour: args.price_per_wcu_hour, rate: args.rate };
            print!("{}", estimate(&manifest, inputs));
            println!("preflight passed");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("ksbulk: preflight failed: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
