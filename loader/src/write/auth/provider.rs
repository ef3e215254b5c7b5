//! The `scylla` authenticator for Amazon Keyspaces SigV4, and the credentials cache behind it.
//!
//! The driver calls [`SigV4Authenticator`] once per new connection (the pool grows, a
//! connection breaks and is reopened), possibly hours into a run. Each authentication asks
//! the [`CredentialsCache`] for credentials, so role credentials (web identity, container,
//! instance profile, assumed roles, SSO) that expire during a long run are refreshed; the
//! cache keeps the provider from being asked (an HTTP call for roles) by every connection.
//! Scylla API: `scylla::authentication::{AuthenticatorProvider, AuthenticatorSession}`.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::Region;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use scylla::authentication::{AuthError, AuthenticatorProvider, AuthenticatorSession};
use tokio::sync::Mutex;

use super::sigv4::{self, SigV4Error};

/// Credentials closer than this to their expiry are refreshed before use: a connection
/// authenticated with them must not be refused a moment later, and a slow provider call
/// must not race the expiry.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Why a SigV4 authentication could not answer the server.
#[derive(Debug, thiserror::Error)]
pub enum SigV4AuthError {
    /// The AWS credential chain found no usable credentials.
    #[error(
        "no AWS credentials for SigV4 ({detail}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
         (and AWS_SESSION_TOKEN), AWS_PROFILE, or run with an IAM role; or use --username/--password \
         with Keyspaces service-specific credentials"
    )]
    Credentials {
        /// The provider's error and its causes, one line.
        detail: String,
        /// The provider's error.
        #[source]
        source: CredentialsError,
    },
    /// The challenge or the clock made signing impossible.
    #[error(transparent)]
    Sign(#[from] SigV4Error),
    /// The server asked for password authentication, not SigV4.
    #[error(
        "the server's authenticator is {authenticator}, which does not take SigV4; \
         use --auth password with --username/--password"
    )]
    NotSigV4Server {
        /// The authenticator class the server named.
        authenticator: String,
    },
}

/// The last credentials the provider gave, reused until [`REFRESH_MARGIN`] before they expire.
pub struct CredentialsCache {
    provider: SharedCredentialsProvider,
    current: Mutex<Option<Credentials>>,
}

impl std::fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `Credentials`' own Debug redacts the secret; the provider may hold anything.
        f.debug_struct("CredentialsCache").finish_non_exhaustive()
    }
}

impl CredentialsCache {
    /// A cache in front of `provider`.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        CredentialsCache { provider: SharedCredentialsProvider::new(provider), current: Mutex::new(None) }
    }

    /// Credentials valid for at least [`REFRESH_MARGIN`] at `now`, from the cache or the
    /// provider. One caller at a time asks the provider; the others wait for its answer.
    ///
    /// # Errors
    /// [`SigV4AuthError::Credentials`] when the provider fails and no cached credentials are
    /// still valid (unexpired ones are used, with a warning, when a refresh fails).
    pub async fn get(&self, now: SystemTime) -> Result<Credentials, SigV4AuthError> {
        let mut current = self.current.lock().await;
        if let Some(c) = current.as_ref().filter(|c| valid_at(c, now + REFRESH_MARGIN)) {
            return Ok(c.clone());
        }
        match self.provider.provide_credentials().await {
            Ok(fresh) => {
                *current = Some(fresh.clone());
                Ok(fresh)
            }
            Err(source) => match current.as_ref().filter(|c| valid_at(c, now)) {
                Some(still_valid) => {
                    tracing::warn!("refreshing AWS credentials failed ({}); using the current ones until they expire", chain(&source));
                    Ok(still_valid.clone())
                }
                None => Err(SigV4AuthError::Credentials { detail: chain(&source), source }),
            },
        }
    }
}

fn valid_at(c: &Credentials, t: SystemTime) -> bool {
    c.expiry().is_none_or(|expiry| t < expiry)
}

/// An error and its causes on one line, `a: b: c` (provider errors put the useful part in
/// the causes).
fn chain(e: &dyn StdError) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// The AWS default credential chain for `region`: environment, shared config and credentials
/// files (profiles, assumed roles, SSO, `credential_process`), web identity token, container
/// credentials, EC2 instance metadata.
pub async fn default_credentials(region: &str) -> impl ProvideCredentials + 'static {
    DefaultCredentialsChain::builder().region(Region::new(region.to_string())).build().await
}

/// `scylla` authenticator provider answering Keyspaces' SigV4 challenge.
#[derive(Debug, Clone)]
pub struct SigV4Authenticator {
    region: String,
    credentials: Arc<CredentialsCache>,
}

impl SigV4Authenticator {
    /// Signs for `region` with credentials from `credentials`.
    pub fn new(region: impl Into<String>, credentials: Arc<CredentialsCache>) -> Self {
        SigV4Authenticator { region: region.into(), credentials }
    }
}

#[async_trait]
impl AuthenticatorProvider for SigV4Authenticator {
    async fn start_authentication_session(
        &self,
        authenticator_name: &str,
    ) -> Result<(Option<Vec<u8>>, Box<dyn AuthenticatorSession>), AuthError> {
        // Sending `SigV4\0\0` to Cassandra's PasswordAuthenticator would only earn a
        // "bad credentials" answer; say what is wrong instead.
        if authenticator_name.contains("PasswordAuthenticator") {
            let e = SigV4AuthError::NotSigV4Server { authenticator: authenticator_name.to_string() };
            return Err(e.to_string());
        }
        let session = SigV4Session { region: self.region.clone(), credentials: Arc::clone(&self.credentials) };
        Ok((Some(sigv4::INITIAL_RESPONSE.to_vec()), Box::new(session)))
    }
}

/// One connection's authentication exchange.
struct SigV4Session {
    region: String,
    credentials: Arc<CredentialsCache>,
}

impl SigV4Session {
    async fn answer(&self, challenge: Option<&[u8]>, now: SystemTime) -> Result<Vec<u8>, SigV4AuthError> {
        // Check the challenge first: a server that is not Keyspaces should not cost a
        // credential lookup.
        sigv4::extract_nonce(challenge)?;
        let creds = self.credentials.get(now).await?;
        Ok(sigv4::answer(challenge, &self.region, &creds, now)?)
    }
}

#[async_trait]
impl AuthenticatorSession for SigV4Session {
    async fn evaluate_challenge(&mut self, token: Option<&[u8]>) -> Result<Option<Vec<u8>>, AuthError> {
        self.answer(token, SystemTime::now()).await.map(Some).map_err(|e| e.to_string())
    }

    async fn success(&mut self, _token: Option<&[u8]>) -> Result<(), AuthError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::future;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::UNIX_EPOCH;

    /// Hands out numbered credentials expiring `ttl` after `base`, or fails when told to.
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        base: SystemTime,
        ttl: Option<Duration>,
        fail: Arc<std::sync::atomic::AtomicBool>,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if self.fail.load(Ordering::SeqCst) {
                return future::ProvideCredentials::ready(Err(CredentialsError::not_loaded("no profile [nope]")));
            }
            let expiry = self.ttl.map(|ttl| self.base + ttl * (n as u32 + 1));
            future::ProvideCredentials::ready(Ok(Credentials::new(format!("AKID{n}"), "s3cr3t-do-not-print", None, expiry, "test")))
        }
    }

    fn counting(ttl: Option<Duration>) -> (CredentialsCache, Arc<AtomicUsize>, Arc<std::sync::atomic::AtomicBool>, SystemTime) {
        let calls = Arc::new(AtomicUsize::new(0));
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let base = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let p = Counting { calls: Arc::clone(&calls), base, ttl, fail: Arc::clone(&fail) };
        (CredentialsCache::new(p), calls, fail, base)
    }

    #[tokio::test]
    async fn static_credentials_are_fetched_once() {
        let (cache, calls, _, now) = counting(None);
        for _ in 0..5 {
            assert_eq!(cache.get(now).await.unwrap().access_key_id(), "AKID0");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn expiring_credentials_are_refreshed_before_expiry() {
        let (cache, calls, _, base) = counting(Some(Duration::from_secs(3600)));
        assert_eq!(cache.get(base).await.unwrap().access_key_id(), "AKID0");
        // Well before expiry: cached.
        assert_eq!(cache.get(base + Duration::from_secs(3000)).await.unwrap().access_key_id(), "AKID0");
        // Within the margin of the one-hour expiry: refreshed.
        assert_eq!(cache.get(base + Duration::from_secs(3400)).await.unwrap().access_key_id(), "AKID1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn failed_refresh_keeps_unexpired_credentials_and_fails_after_expiry() {
        let (cache, _, fail, base) = counting(Some(Duration::from_secs(3600)));
        cache.get(base).await.unwrap();
        fail.store(true, Ordering::SeqCst);
        assert_eq!(cache.get(base + Duration::from_secs(3400)).await.unwrap().access_key_id(), "AKID0");
        let err = cache.get(base + Duration::from_secs(3700)).await.unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("no AWS credentials") && msg.contains("no profile [nope]"), "{msg}");
        assert!(!msg.contains("s3cr3t"), "{msg}");
    }

    #[tokio::test]
    async fn authenticator_answers_the_challenge_with_fresh_credentials() {
        let (cache, calls, _, _) = counting(None);
        let auth = SigV4Authenticator::new("us-west-2", Arc::new(cache));
        let (initial, mut session) =
            auth.start_authentication_session("com.amazon.helenus.auth.HelenusAuthenticator").await.unwrap();
        assert_eq!(initial.as_deref(), Some(&b"SigV4\0\0"[..]));
        let answer = session.evaluate_challenge(Some(b"nonce=abc")).await.unwrap().unwrap();
        let text = String::from_utf8(answer).unwrap();
        assert!(text.starts_with("signature=") && text.contains(",access_key=AKID0,amzdate="), "{text}");
        assert!(!text.contains("session_token"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        session.success(None).await.unwrap();
    }

    #[tokio::test]
    async fn challenge_without_nonce_fails_before_any_credential_lookup() {
        let (cache, calls, _, _) = counting(None);
        let auth = SigV4Authenticator::new("us-west-2", Arc::new(cache));
        let (_, mut session) = auth.start_authentication_session("HelenusAuthenticator").await.unwrap();
        let err = session.evaluate_challenge(Some(b"hello")).await.unwrap_err();
        assert!(err.contains("no nonce"), "{err}");
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn password_server_is_refused_clearly() {
        let (cache, _, _, _) = counting(None);
        let auth = SigV4Authenticator::new("us-west-2", Arc::new(cache));
        let err = match auth.start_authentication_session("org.apache.cassandra.auth.PasswordAuthenticator").await {
            Err(e) => e,
            Ok(_) => panic!("SigV4 against PasswordAuthenticator must fail"),
        };
        assert!(err.contains("--auth password"), "{err}");
    }

    #[test]
    fn debug_shows_no_secret() {
        let (cache, _, _, _) = counting(None);
        let auth = SigV4Authenticator::new("us-west-2", Arc::new(cache));
        assert!(!format!("{auth:?}").contains("s3cr3t"));
    }
}
