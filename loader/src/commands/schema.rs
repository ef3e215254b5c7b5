//! `ksbulk schema`: read schema.cql files, print the target's DDL (stdout or `--output`),
//! the report on stderr, and with `--apply` run the DDL on the target.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use sstable_reader::schema::SchemaFile;

use crate::cli::schema::{SchemaArgs, TargetKind, TtlArg};
use crate::schema_translate::ttl::sstables_have_ttls;
use crate::schema_translate::{apply, translate, Capacity, SchemaInput, Translation, TranslateOptions};
use crate::write::session::connect;

/// Runs `ksbulk schema`: exit 0, or 1 with `--strict` when something cannot be carried.
///
/// # Errors
/// Unreadable or unparsable schema files, conflicting definitions, bad flags, a DDL the
/// target refuses.
pub fn run(args: SchemaArgs) -> anyhow::Result<ExitCode> {
    let capacity = Capacity::from_flags(args.capacity, args.read_units, args.write_units).map_err(anyhow::Error::msg)?;
    let look_for_ttls = args.target_kind == TargetKind::Keyspaces && args.ttl == TtlArg::Auto;
    let inputs = args.files.iter().map(|p| read_input(p, look_for_ttls)).collect::<anyhow::Result<Vec<_>>>()?;
    let opts = TranslateOptions { target: args.target_kind, capacity, ttl: args.ttl, replication: args.replication.clone(), rename: args.rename.clone() };
    let translation = translate(&inputs, &opts)?;
    let script = translation.script();
    match &args.output {
        Some(path) => std::fs::write(path, &script).with_context(|| format!("writing {}", path.display()))?,
        None => std::io::stdout().write_all(script.as_bytes()).context("writing the DDL to stdout")?,
    }
    eprint!("{}", translation.report);
    if args.strict && translation.report.has_not_carried() {
        eprintln!("ksbulk: --strict: the target cannot hold everything of the source (NOT CARRIED above){}", if args.apply { "; nothing applied" } else { "" });
        return Ok(ExitCode::from(1));
    }
    if args.apply {
        apply_ddl(&args, &translation)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A schema file, or a snapshot directory's `schema.cql`, parsed; with whether the SSTables
/// beside it hold TTLs when `look_for_ttls`.
fn read_input(path: &Path, look_for_ttls: bool) -> anyhow::Result<SchemaInput> {
    let file: PathBuf = if path.is_dir() { path.join("schema.cql") } else { path.to_path_buf() };
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let parsed = SchemaFile::parse_bytes(&bytes, &file)?;
    let data_has_ttls = match (look_for_ttls, file.parent()) {
        (true, Some(dir)) => sstables_have_ttls(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })?,
        _ => None,
    };
    Ok(SchemaInput { path: file, file: parsed, data_has_ttls })
}

/// Connects and runs the DDL.
fn apply_ddl(args: &SchemaArgs, translation: &Translation) -> anyhow::Result<()> {
    let Some(conn) = &args.conn.0 else { bail!("--apply needs the target's connection flags (--target …)") };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    rt.block_on(async {
        let session = connect(conn).await?;
        apply(&session, translation, args.target_kind).await?;
        anyhow::Ok(())
    })?;
    eprintln!("applied {} statement(s) to {}", translation.statements.len(), conn.target.join(","));
    Ok(())
}
