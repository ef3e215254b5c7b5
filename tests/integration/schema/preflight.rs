//! `ksbulk preflight` on the real Cassandra: each problem it checks makes it fail with its
//! message (missing keyspace, missing table, missing column, type mismatch, other primary
//! key, other clustering order, static/regular); a correct target (made by `ksbulk schema
//! --apply`) and a counter table pass; the command exits 0 and 1 accordingly.

use std::process::ExitCode;

use ksbulk::checkpoint::Checkpoint;
use ksbulk::cli::preflight::PreflightArgs;
use ksbulk::cli::schema::{TargetKind, TtlArg};
use ksbulk::preflight::{run_checks, PreflightError, PreflightOptions};
use ksbulk_tests::unique_name;

use super::*;

/// The source table, as a snapshot's schema.cql has it, for keyspace `ks` and table `t`.
fn source(ks: &str, t: &str) -> String {
    format!(
        "CREATE TYPE IF NOT EXISTS {ks}.addr (
    street text,
    zip int
);
CREATE TABLE IF NOT EXISTS {ks}.{t} (
    pk int,
    ck text,
    st text static,
    v frozen<addr>,
    m map<text, int>,
    tu tuple<int, text>,
    PRIMARY KEY (pk, ck)
) WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18
    AND CLUSTERING ORDER BY (ck DESC)
    AND comment = ''
    AND compaction = {{'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32', 'min_threshold': '4'}}
    AND memtable = 'default'
    AND read_repair = 'BLOCKING';"
    )
}

fn counter_source(ks: &str) -> String {
    format!("CREATE TABLE IF NOT EXISTS {ks}.counts (\n    pk text,\n    n counter,\n    PRIMARY KEY (pk)\n) WITH comment = '';")
}

fn options() -> PreflightOptions {
    PreflightOptions { routing: conn_args().routing, target: None, target_keyspace: None }
}

#[test]
fn preflight_fails_on_each_problem_and_passes_on_a_correct_target() {
    let ks = unique_name("ksb_sch_pre");
    let dir = temp_dir("preflight");
    // The correct target: `ksbulk schema --for cassandra --apply` from the source files.
    let good = dir.join("good");
    let counts = dir.join("counts");
    for (d, text) in [(&good, source(&ks, "good")), (&counts, counter_source(&ks))] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::write(d.join("schema.cql"), text).unwrap();
    }
    let addr = ksbulk_tests::require_cassandra();
    let args = schema_args(&[
        good.to_str().unwrap(),
        counts.to_str().unwrap(),
        "--for",
        "cassandra",
        "--replication",
        RF1,
        "--apply",
        "--target",
        &addr,
        "-o",
        dir.join("ddl.cql").to_str().unwrap(),
    ]);
    assert_eq!((args.target_kind, args.ttl), (TargetKind::Cassandra, TtlArg::Auto));
    let code = ksbulk::commands::schema::run(args).expect("ksbulk schema --apply");
    assert_eq!(format!("{code:?}"), format!("{:?}", ExitCode::SUCCESS));

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let s = rt.block_on(session());
    // Targets that differ from the source in one way each.
    for cql in [
        format!("CREATE TABLE {ks}.no_m (pk int, ck text, st text static, v frozen<addr>, tu tuple<int, text>, PRIMARY KEY (pk, ck)) WITH CLUSTERING ORDER BY (ck DESC)"),
        format!("CREATE TABLE {ks}.m_bigint (pk int, ck text, st text static, v frozen<addr>, m map<text, bigint>, tu tuple<int, text>, PRIMARY KEY (pk, ck)) WITH CLUSTERING ORDER BY (ck DESC)"),
        format!("CREATE TABLE {ks}.pk_both (pk int, ck text, st text, v frozen<addr>, m map<text, int>, tu tuple<int, text>, PRIMARY KEY ((pk, ck)))"),
        format!("CREATE TABLE {ks}.ck_asc (pk int, ck text, st text static, v frozen<addr>, m map<text, int>, tu tuple<int, text>, PRIMARY KEY (pk, ck))"),
        format!("CREATE TABLE {ks}.st_regular (pk int, ck text, st text, v frozen<addr>, m map<text, int>, tu tuple<int, text>, PRIMARY KEY (pk, ck)) WITH CLUSTERING ORDER BY (ck DESC)"),
    ] {
        rt.block_on(ddl(&s, &cql));
    }

    let check = |keyspace: &str, table: &str| -> Result<(), PreflightError> {
        let text = source(keyspace, table);
        rt.block_on(run_checks(&s, &manifest(&[(keyspace, table, text.as_str(), false)]), &options())).map(|_| ())
    };
    let fail = |keyspace: &str, table: &str| check(keyspace, table).expect_err("preflight must fail").to_string();

    let absent = format!("{ks}_absent");
    assert_eq!(
        fail(&absent, "good"),
        format!("keyspace {absent} does not exist on the target; create it with `ksbulk schema <schema.cql> --for <target> --apply`")
    );
    assert_eq!(
        fail(&ks, "never_created"),
        format!("table {ks}.never_created does not exist on the target; create it with `ksbulk schema <schema.cql> --for <target> --apply`")
    );
    assert_eq!(
        fail(&ks, "no_m"),
        format!("target table {ks}.no_m has no column m (map<text, int>) of the source; add it: ALTER TABLE {ks}.no_m ADD m map<text, int>")
    );
    assert_eq!(fail(&ks, "m_bigint"), format!("column m of {ks}.m_bigint: the source has type map<text, int>, the target map<text, bigint>"));
    assert_eq!(
        fail(&ks, "pk_both"),
        format!("{ks}.pk_both: primary key differs: the source has PRIMARY KEY (pk, ck), the target PRIMARY KEY ((pk, ck))")
    );
    assert_eq!(fail(&ks, "ck_asc"), format!("{ks}.ck_asc: clustering order of ck differs: DESC on the source, ASC on the target"));
    assert_eq!(fail(&ks, "st_regular"), format!("column st of {ks}.st_regular is static on the source but regular on the target"));

    // The tables `ksbulk schema` made pass, the counter table too (its probe is the increment).
    let good_text = source(&ks, "good");
    let counts_text = counter_source(&ks);
    let m = manifest(&[(ks.as_str(), "good", good_text.as_str(), false), (ks.as_str(), "counts", counts_text.as_str(), true)]);
    let report = rt.block_on(run_checks(&s, &m, &options())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.target, TargetKind::Cassandra);
    assert_eq!(report.partitioner, "org.apache.cassandra.dht.Murmur3Partitioner");
    assert_eq!(report.tables, [format!("{ks}.good"), format!("{ks}.counts")]);

    // The command: exit 0 on the good manifest, 1 on a bad one.
    let run = |m: Manifest, name: &str| -> String {
        let path = dir.join(format!("{name}.json"));
        Checkpoint::create(&path, m).expect("write manifest");
        #[derive(clap::Parser)]
        struct Flags {
            #[command(flatten)]
            args: PreflightArgs,
        }
        use clap::Parser as _;
        let flags = Flags::try_parse_from(["ksbulk", path.to_str().unwrap(), "--target", &addr, "--rate", "500"]).unwrap();
        format!("{:?}", ksbulk::commands::preflight::run(flags.args).expect("preflight runs"))
    };
    assert_eq!(run(m, "good"), format!("{:?}", ExitCode::SUCCESS));
    let no_m = source(&ks, "no_m");
    assert_eq!(run(manifest(&[(ks.as_str(), "no_m", no_m.as_str(), false)]), "bad"), format!("{:?}", ExitCode::from(1)));

    rt.block_on(drop_keyspaces(&s, &[ks]));
    let _ = std::fs::remove_dir_all(&dir);
}
