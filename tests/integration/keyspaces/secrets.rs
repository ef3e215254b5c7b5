//! No password in anything the `ksbulk` binary prints or writes: a successful run and a
//! refused one, grepped whole (stdout, stderr, every file in its working directory).

use std::path::Path;
use std::process::{Command, Output};

use super::*;

/// Runs `ksbulk bench` in `dir` with `args` and `env`.
fn run_bench(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(ksbulk_tests::ksbulk_bin());
    cmd.current_dir(dir).arg("bench").args(args).env_remove("KSBULK_PASSWORD").env_remove("KSBULK_USERNAME");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("ksbulk runs")
}

/// Every place a run could have put `secret`: its output and the files it left.
fn assert_absent(secret: &str, out: &Output, dir: &Path) {
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(secret), "the password is in ksbulk's {name}:\n{text}");
    }
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("list output dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files += 1;
                let bytes = std::fs::read(&path).expect("read output file");
                assert!(!String::from_utf8_lossy(&bytes).contains(secret), "the password is in {}", path.display());
            }
        }
    }
    assert!(files > 0 || !out.status.success(), "a successful run leaves its report and rejects file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_never_reach_output_or_files() {
    let (addr, ca) = ksbulk_tests::require_cassandra_tls();
    let ca = ca.display().to_string();
    // A role of this run, with a password found nowhere else.
    let role = ksbulk_tests::unique_name("it_role");
    let password = format!("Pw-{}-Zq9", ksbulk_tests::unique_name("x"));
    let admin = ksbulk_session(&good_flags(&[])).await.expect("superuser session");
    admin
        .query_unpaged(format!("CREATE ROLE {role} WITH PASSWORD = '{password}' AND LOGIN = true AND SUPERUSER = true"), &[])
        .await
        .expect("create role");

    let dir = std::env::temp_dir().join(ksbulk_tests::unique_name("ksbulk-secrets"));
    std::fs::create_dir_all(&dir).unwrap();
    let ks = ksbulk_tests::unique_name("ks_secret");
    let bench = [
        "--target", &addr, "--ca-file", &ca, "--username", &role, "--keyspace", &ks, "--rows", "200", "--rate", "1000",
        "--no-progress", "--report-json", "report.json", "--summary-json", "summary.json", "--rejects", "rejects.jsonl",
    ];

    // The password from the environment, as the help text recommends.
    let out = run_bench(&dir, &bench, &[("KSBULK_PASSWORD", &password)]);
    assert!(out.status.success(), "bench with the role's password: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("200"), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(dir.join("summary.json").is_file());
    assert_absent(&password, &out, &dir);

    // The password as a flag.
    let mut with_flag = bench.to_vec();
    with_flag.extend(["--password", &password]);
    let out = run_bench(&dir, &with_flag, &[]);
    assert!(out.status.success(), "bench with --password: {}", String::from_utf8_lossy(&out.stderr));
    assert_absent(&password, &out, &dir);

    // A refused password: the error says so and does not repeat it.
    let wrong = format!("{password}-wrong");
    let out = run_bench(&dir, &bench, &[("KSBULK_PASSWORD", &wrong)]);
    assert!(!out.status.success(), "a wrong password must fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ksbulk: error:") && stderr.to_lowercase().contains("password"), "{stderr}");
    assert_absent(&wrong, &out, &dir);

    admin.query_unpaged(format!("DROP KEYSPACE IF EXISTS {ks}"), &[]).await.ok();
    admin.query_unpaged(format!("DROP ROLE {role}"), &[]).await.ok();
    std::fs::remove_dir_all(&dir).ok();
}
