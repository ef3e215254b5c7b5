//! The SigV4 answer to Amazon Keyspaces' CQL authentication challenge, as a pure function of
//! the challenge, the region, the credentials and the time.
//!
//! Keyspaces' authenticator (`com.amazon.helenus.auth.HelenusAuthenticator`) does not sign an
//! HTTP request: the client proves it holds the secret key by signing a fixed pseudo-request
//! (`PUT /authenticate`, host `cassandra`, expiry 900 s) whose payload hash is the SHA-256 of
//! the server's nonce. The steps are in DESIGN.md ("Amazon Keyspaces facts"); the canonical
//! request is not one `aws-sigv4` builds, so the HMAC chain is written out here.
//!
//! ```text
//!  client  ── AUTH_RESPONSE "SigV4\0\0" ─────────────────────────────>  server
//!          <─ AUTH_CHALLENGE "nonce=<hex>" ───────────────────────────
//!          ── AUTH_RESPONSE "signature=…,access_key=…,amzdate=…[,session_token=…]" ─>
//!          <─ AUTH_SUCCESS
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use sstable_reader::types::format::{hex, timestamp_display};

/// The client's first message: the mechanism name and two NUL bytes.
pub const INITIAL_RESPONSE: &[u8] = b"SigV4\0\0";

/// Service name in the credential scope, and the `host` of the signed pseudo-request.
const SERVICE: &str = "cassandra";

/// What a challenge or a signing input lacks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigV4Error {
    /// The server sent no challenge at all.
    #[error("the server sent an empty SigV4 challenge; is the target Amazon Keyspaces with SigV4 authentication?")]
    EmptyChallenge,
    /// The challenge has no `nonce=` field, or an empty one.
    #[error("the server's SigV4 challenge ({len} bytes) has no nonce; is the target Amazon Keyspaces with SigV4 authentication?")]
    MissingNonce {
        /// Length of the challenge (its text is not repeated: it is the server's, not ours).
        len: usize,
    },
    /// The time is before 1970 (a broken clock): no valid `X-Amz-Date` exists.
    #[error("the system clock is before 1970; SigV4 needs the current time")]
    ClockBeforeEpoch,
}

/// The nonce in a challenge such as `nonce=91703fdc…` (other comma-separated fields may
/// surround it).
///
/// # Errors
/// [`SigV4Error::EmptyChallenge`] without a challenge, [`SigV4Error::MissingNonce`] when it
/// has no non-empty `nonce=` field.
pub fn extract_nonce(challenge: Option<&[u8]>) -> Result<&[u8], SigV4Error> {
    let challenge = challenge.filter(|c| !c.is_empty()).ok_or(SigV4Error::EmptyChallenge)?;
    let missing = SigV4Error::MissingNonce { len: challenge.len() };
    let key = b"nonce=";
    let start = challenge.windows(key.len()).position(|w| w == key).ok_or_else(|| missing.clone())? + key.len();
    let rest = &challenge[start..];
    let nonce = &rest[..rest.iter().position(|&b| b == b',').unwrap_or(rest.len())];
    if nonce.is_empty() {
        return Err(missing);
    }
    Ok(nonce)
}

/// The `X-Amz-Date` stamp, `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC.
///
/// # Errors
/// [`SigV4Error::ClockBeforeEpoch`] for a time before 1970.
pub fn amz_date(now: SystemTime) -> Result<String, SigV4Error> {
    let millis = now.duration_since(UNIX_EPOCH).map_err(|_| SigV4Error::ClockBeforeEpoch)?.as_millis();
    let millis = i64::try_from(millis).map_err(|_| SigV4Error::ClockBeforeEpoch)?;
    Ok(timestamp_display(millis))
}

/// The hex signature of `nonce` for the credentials' key at the time `stamp` (an
/// [`amz_date`] string) in `region`.
pub fn signature(nonce: &[u8], region: &str, access_key_id: &str, secret_access_key: &str, stamp: &str) -> String {
    let date: String = stamp.chars().take(10).filter(|c| *c != '-').collect();
    let scope = format!("{date}/{region}/{SERVICE}/aws4_request");
    let query = format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={}%2F{}&X-Amz-Date={}&X-Amz-Expires=900",
        uri_encode(access_key_id),
        uri_encode(&scope),
        uri_encode(stamp)
    );
    let canonical = format!("PUT\n/authenticate\n{query}\nhost:{SERVICE}\n\nhost\n{}", hex(&Sha256::digest(nonce)));
    let to_sign = format!("AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}", hex(&Sha256::digest(canonical.as_bytes())));
    let mut key = hmac(format!("AWS4{secret_access_key}").as_bytes(), date.as_bytes());
    for part in [region, SERVICE, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    hex(&hmac(&key, to_sign.as_bytes()))
}

/// The client's answer to `challenge`:
/// `signature=<hex>,access_key=<key id>,amzdate=<stamp>[,session_token=<token>]`.
///
/// # Errors
/// [`SigV4Error`] when the challenge carries no nonce or the clock is before 1970.
pub fn answer(challenge: Option<&[u8]>, region: &str, credentials: &Credentials, now: SystemTime) -> Result<Vec<u8>, SigV4Error> {
    let nonce = extract_nonce(challenge)?;
    let stamp = amz_date(now)?;
    let key_id = credentials.access_key_id();
    let sig = signature(nonce, region, key_id, credentials.secret_access_key(), &stamp);
    let mut out = format!("signature={sig},access_key={key_id},amzdate={stamp}");
    if let Some(token) = credentials.session_token() {
        out.push_str(",session_token=");
        out.push_str(token);
    }
    Ok(out.into_bytes())
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~`, upper-case hex.
fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// 2020-06-09T22:41:51.000Z, the time of the official plugins' test vector.
    fn vector_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(1_591_742_511_000)
    }

    const NONCE: &str = "91703fdc2ef562e19fbdab0f58e42fe5";
    const SIGNATURE: &str = "7f3691c18a81b8ce7457699effbfae5b09b4e0714ab38c1292dbdf082c9ddd87";

    fn creds(token: Option<&str>) -> Credentials {
        Credentials::new("UserID-1", "UserSecretKey-1", token.map(String::from), None, "test")
    }

    #[test]
    fn test_vector_signature() {
        let stamp = amz_date(vector_time()).unwrap();
        assert_eq!(stamp, "2020-06-09T22:41:51.000Z");
        assert_eq!(signature(NONCE.as_bytes(), "us-west-2", "UserID-1", "UserSecretKey-1", &stamp), SIGNATURE);
    }

    #[test]
    fn answer_bytes_without_session_token() {
        let challenge = format!("nonce={NONCE}");
        let got = answer(Some(challenge.as_bytes()), "us-west-2", &creds(None), vector_time()).unwrap();
        let want = format!("signature={SIGNATURE},access_key=UserID-1,amzdate=2020-06-09T22:41:51.000Z");
        assert_eq!(got, want.as_bytes());
    }

    #[test]
    fn answer_bytes_with_session_token() {
        let challenge = format!("nonce={NONCE}");
        let got = answer(Some(challenge.as_bytes()), "us-west-2", &creds(Some("Tok/en+=")), vector_time()).unwrap();
        let want =
            format!("signature={SIGNATURE},access_key=UserID-1,amzdate=2020-06-09T22:41:51.000Z,session_token=Tok/en+=");
        assert_eq!(got, want.as_bytes());
    }

    #[test]
    fn nonce_among_other_fields() {
        assert_eq!(extract_nonce(Some(b"nonce=abc")).unwrap(), b"abc");
        assert_eq!(extract_nonce(Some(b"x=1,nonce=abc,y=2")).unwrap(), b"abc");
    }

    #[test]
    fn challenge_without_nonce_is_a_typed_error() {
        assert_eq!(extract_nonce(Some(b"hello")), Err(SigV4Error::MissingNonce { len: 5 }));
        assert_eq!(extract_nonce(Some(b"nonce=,x=1")), Err(SigV4Error::MissingNonce { len: 10 }));
        assert_eq!(extract_nonce(Some(b"")), Err(SigV4Error::EmptyChallenge));
        assert_eq!(extract_nonce(None), Err(SigV4Error::EmptyChallenge));
        let e = answer(Some(b"realm=x"), "us-west-2", &creds(Some("tok")), vector_time()).unwrap_err();
        assert_eq!(e, SigV4Error::MissingNonce { len: 7 });
        assert!(e.to_string().contains("no nonce"), "{e}");
    }

    #[test]
    fn secrets_stay_out_of_debug_and_errors() {
        let c = creds(Some("the-session-token"));
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("UserSecretKey-1") && !dbg.contains("the-session-token"), "{dbg}");
        let e = answer(Some(b"nope"), "us-west-2", &c, vector_time()).unwrap_err();
        assert!(!format!("{e} {e:?}").contains("UserSecretKey-1"));
    }

    #[test]
    fn uri_encoding_of_scope_and_stamp() {
        assert_eq!(uri_encode("20200609/us-west-2/cassandra/aws4_request"), "20200609%2Fus-west-2%2Fcassandra%2Faws4_request");
        assert_eq!(uri_encode("2020-06-09T22:41:51.000Z"), "2020-06-09T22%3A41%3A51.000Z");
    }
}
