//! SigV4 end to end through the `ksbulk` binary, the AWS default credential chain
//! (environment variables here) and the real `scylla` driver, against a stand-in for
//! Keyspaces' authenticator: a loopback server that speaks just enough of the native
//! protocol (v4 frames: OPTIONS, STARTUP, AUTHENTICATE, AUTH_RESPONSE/CHALLENGE/SUCCESS) to
//! hand out a nonce and check the signature. No Cassandra speaks SigV4, so this is the only
//! way to see the exchange on the wire; after authentication it refuses every query, so
//! the run fails there, past the point under test.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

const NONCE: &str = "0123456789abcdef0123456789abcdef";
const KEY_ID: &str = "AKIDKSBULKTEST01";
const SECRET: &str = "s3cr3t/Key+ksbulk-it-0000000000000000000";
const TOKEN: &str = "T0ken+session/ksbulk-it==";

/// What the stand-in saw: each AUTH_RESPONSE body.
fn serve(listener: TcpListener, seen: mpsc::Sender<Vec<u8>>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { return };
        let seen = seen.clone();
        std::thread::spawn(move || {
            let _ = connection(stream, &seen);
        });
    }
}

fn connection(mut s: TcpStream, seen: &mpsc::Sender<Vec<u8>>) -> std::io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    loop {
        let mut header = [0u8; 9];
        s.read_exact(&mut header)?;
        let stream = [header[2], header[3]];
        let opcode = header[4];
        let len = u32::from_be_bytes([header[5], header[6], header[7], header[8]]) as usize;
        let mut body = vec![0u8; len];
        s.read_exact(&mut body)?;
        let (op, reply): (u8, Vec<u8>) = match opcode {
            // OPTIONS -> SUPPORTED {CQL_VERSION: [3.4.7]}
            0x05 => (0x06, [&1u16.to_be_bytes()[..], &string("CQL_VERSION"), &1u16.to_be_bytes(), &string("3.4.7")].concat()),
            // STARTUP -> AUTHENTICATE <Keyspaces' authenticator>
            0x01 => (0x03, string("com.amazon.helenus.auth.HelenusAuthenticator")),
            // AUTH_RESPONSE: the initial "SigV4\0\0" gets the nonce, the answer gets success.
            0x0F => {
                let token = bytes_value(&body);
                seen.send(token.clone()).ok();
                if token == b"SigV4\0\0" {
                    (0x0E, bytes(format!("nonce={NONCE}").as_bytes()))
                } else {
                    (0x10, (-1i32).to_be_bytes().to_vec())
                }
            }
            // Anything else: a server error, then hang up.
            _ => {
                let err = [&0u32.to_be_bytes()[..], &string("stand-in Keyspaces: authentication only")].concat();
                frame(&mut s, stream, 0x00, &err)?;
                return Ok(());
            }
        };
        frame(&mut s, stream, op, &reply)?;
    }
}

fn frame(s: &mut TcpStream, stream: [u8; 2], opcode: u8, body: &[u8]) -> std::io::Result<()> {
    let mut out = vec![0x84, 0, stream[0], stream[1], opcode];
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(body);
    s.write_all(&out)
}

fn string(s: &str) -> Vec<u8> {
    [&(s.len() as u16).to_be_bytes()[..], s.as_bytes()].concat()
}

fn bytes(b: &[u8]) -> Vec<u8> {
    [&(b.len() as i32).to_be_bytes()[..], b].concat()
}

fn bytes_value(body: &[u8]) -> Vec<u8> {
    let n = i32::from_be_bytes([body[0], body[1], body[2], body[3]]);
    if n < 0 { Vec::new() } else { body[4..4 + n as usize].to_vec() }
}

#[test]
fn ksbulk_signs_the_nonce_with_credentials_from_the_environment() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || serve(listener, tx));

    let dir = std::env::temp_dir().join(ksbulk_tests::unique_name("ksbulk-sigv4"));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(ksbulk_tests::ksbulk_bin())
        .current_dir(&dir)
        .args(["bench", "--target", &addr, "--auth", "sigv4", "--aws-region", "us-west-2", "--rows", "1", "--no-progress"])
        .args(["--request-timeout", "5s"])
        .env_clear()
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        // Keep the chain away from this machine's files and metadata service.
        .env("AWS_CONFIG_FILE", dir.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("ksbulk runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();

    let initial = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| panic!("no AUTH_RESPONSE reached the stand-in: {stderr}"));
    assert_eq!(initial, b"SigV4\0\0");
    let answer = String::from_utf8(rx.recv_timeout(Duration::from_secs(30)).expect("the signed answer")).expect("UTF-8 answer");
    let fields: Vec<(&str, &str)> = answer.split(',').map(|f| f.split_once('=').expect("key=value")).collect();
    let keys: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, ["signature", "access_key", "amzdate", "session_token"], "{answer}");
    let field = |k: &str| fields.iter().find(|(key, _)| *key == k).unwrap().1;
    assert_eq!(field("access_key"), KEY_ID);
    // Split at the first '=' only: the token itself ends with '='.
    assert!(answer.ends_with(&format!(",session_token={TOKEN}")), "{answer}");
    let stamp = field("amzdate");
    let expected = ksbulk::write::auth::sigv4::signature(NONCE.as_bytes(), "us-west-2", KEY_ID, SECRET, stamp);
    assert_eq!(field("signature"), expected, "{answer}");

    // Authentication passed; the run stops at the stand-in's refusal of queries.
    assert!(!out.status.success());
    assert!(!stderr.contains("no AWS credentials") && !stderr.contains("bad credentials"), "{stderr}");
    for secret in [SECRET, TOKEN] {
        assert!(!stderr.contains(secret) && !stdout.contains(secret), "a secret reached ksbulk's output:\n{stdout}\n{stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
