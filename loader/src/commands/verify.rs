//! `ksbulk verify`: load the manifest, connect, compare, print the summary, write the report.
//! Exit codes: 0 nothing differs, 1 differences, 2 no difference found but something could
//! not be verified (or an error stopped verify before it began).

use std::process::ExitCode;

use anyhow::Context;

use crate::checkpoint::Checkpoint;
use crate::cli::verify::VerifyArgs;
use crate::verify::{verify_manifest, VerifyOptions, VerifyReport};
use crate::write::session::connect;

/// Runs `ksbulk verify`.
///
/// # Errors
/// An unreadable manifest, no connection to the target, an unwritable report.
pub fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    rt.block_on(verify(args))
}

async fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let checkpoint = Checkpoint::load(&args.manifest)?;
    let session = connect(&args.conn).await?;
    let options = VerifyOptions {
        sample: args.sample,
        target_keyspace: args.target_keyspace.clone(),
        max_differences: args.max_differences,
        page_size: args.page_size,
        ttl_tolerance_secs: args.ttl_tolerance.map(i64::from),
        ..VerifyOptions::default()
    };
    let report = verify_manifest(&checkpoint, &session, &options).await?;
    print!("{}", report.summary());
    report.write(&args.report)?;
    println!("report written to {}", args.report.display());
    Ok(exit_code(&report))
}

/// 1 on differences; else 2 when something could not be verified; else 0.
pub fn exit_code(report: &VerifyReport) -> ExitCode {
    if report.differences() > 0 {
        ExitCode::from(1)
    } else if report.errors() > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
