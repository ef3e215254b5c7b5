//! Logging in to the target: SigV4 for Amazon Keyspaces ([`sigv4`] signs, [`provider`] plugs
//! it into the `scylla` driver with AWS credentials from the default chain). Plain
//! username/password needs nothing here: the driver's own `PlainTextAuthenticator` sends it.
//!
//! Secrets (secret keys, session tokens, signatures) go only into the bytes sent to the
//! server: no `Debug`, `Display` or error of this module contains them.

pub mod provider;
pub mod sigv4;

pub use provider::{default_credentials, CredentialsCache, SigV4Authenticator, SigV4AuthError};
pub use sigv4::SigV4Error;
