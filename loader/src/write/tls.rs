//! TLS to the target with rustls: trust anchors (the Amazon roots shipped in `loader/certs/`
//! or `--ca-file`), and the check that the server's certificate names the host.
//!
//! Why a verifier of our own: the `scylla` driver hands rustls the node's IP address as the
//! server name (it connects to addresses, including peers found in `system.peers`), while
//! Keyspaces' certificate names `cassandra.<region>.amazonaws.com` and no IP. So the chain is
//! checked by rustls' WebPKI verifier as usual, and the name is checked against the names the
//! user gave ([`TlsVerify::Names`]): the host names of `--target`, or `--tls-server-name`,
//! and the connected address unless `--tls-server-name` says exactly what to expect.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, OtherError, RootCertStore, SignatureScheme};

use crate::cli::conn::{TlsSettings, TlsVerify};

/// The roots Amazon Keyspaces' endpoints chain to (`loader/certs/README.md` says where they
/// come from), as (name, PEM).
pub const AMAZON_ROOTS: [(&str, &str); 6] = [
    ("Amazon Root CA 1", include_str!("../../certs/Amazon_Root_CA_1.pem")),
    ("Amazon Root CA 2", include_str!("../../certs/Amazon_Root_CA_2.pem")),
    ("Amazon Root CA 3", include_str!("../../certs/Amazon_Root_CA_3.pem")),
    ("Amazon Root CA 4", include_str!("../../certs/Amazon_Root_CA_4.pem")),
    ("Starfield Class 2 CA", include_str!("../../certs/Starfield_Class_2_CA.pem")),
    (
        "Starfield Services Root Certificate Authority - G2",
        include_str!("../../certs/Starfield_Services_Root_Certificate_Authority_-_G2.pem"),
    ),
];

/// What stops TLS from being set up, before any connection. Causes are part of each
/// message (not `source()`), so the top level's `{:#}` prints them once.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// `--ca-file` cannot be read.
    #[error("cannot read --ca-file {}: {error}", path.display())]
    ReadCaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// `--ca-file` is not PEM.
    #[error("--ca-file {} is not a PEM file of certificates: {error}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        error: rustls::pki_types::pem::Error,
    },
    /// `--ca-file` holds no `CERTIFICATE` block.
    #[error("--ca-file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path.display())]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// A certificate cannot serve as a trust anchor.
    #[error("{what}: certificate {index} cannot be used as a trusted root: {error}")]
    BadRoot {
        /// The file, or "shipped root <name>".
        what: String,
        /// Position of the certificate (1-based).
        index: usize,
        /// Why.
        error: rustls::Error,
    },
    /// `--tls-server-name` (or a `--target` host) is not a DNS name or IP address.
    #[error("{name:?} is not a valid DNS name or IP address for TLS name checks")]
    BadServerName {
        /// The name.
        name: String,
    },
    /// rustls refused the configuration.
    #[error("TLS set-up failed: {0}")]
    Rustls(rustls::Error),
    /// The WebPKI verifier could not be built from the roots.
    #[error("TLS set-up failed: {0}")]
    Verifier(rustls::client::VerifierBuilderError),
}

/// Why the server's certificate was refused; what rustls reports to the driver, so the
/// connection error tells the user which flag to look at.
#[derive(Debug, thiserror::Error)]
pub enum CertificateRejected {
    /// The chain does not lead to a trusted root (or is expired, or malformed).
    #[error(
        "the server's TLS certificate is not trusted ({error}); it must chain to {roots}; \
         pass --ca-file with the CA that signed it"
    )]
    Untrusted {
        /// What was trusted.
        roots: String,
        /// rustls' reason.
        error: rustls::Error,
    },
    /// The chain is fine but the certificate names another host.
    #[error(
        "the server's TLS certificate is not valid for {expected} ({error}); \
         pass --tls-server-name with a name it holds"
    )]
    WrongName {
        /// The names tried.
        expected: String,
        /// rustls' reason.
        error: rustls::Error,
    },
}

/// The rustls client configuration for `settings`: TLS 1.2 and 1.3, aws-lc-rs crypto.
///
/// # Errors
/// [`TlsError`] when `--ca-file` is unreadable or holds no usable certificate, or a name
/// to check is not a DNS name or IP address.
pub fn client_config(settings: &TlsSettings) -> Result<Arc<ClientConfig>, TlsError> {
    // Explicit provider: other crates in the process may enable rustls' `ring` feature too,
    // and then rustls cannot pick a default by itself.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let check = match &settings.verify {
        TlsVerify::Insecure => None,
        TlsVerify::Names { names, accept_ip } => {
            let (roots, described) = match &settings.ca_file {
                Some(path) => (roots_from_file(path)?, format!("a CA in --ca-file {}", path.display())),
                None => (shipped_roots()?, "the Amazon roots shipped with ksbulk (Amazon Root CA 1-4, Starfield)".to_string()),
            };
            let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .map_err(TlsError::Verifier)?;
            let names = names
                .iter()
                .map(|n| ServerName::try_from(n.clone()).map_err(|_| TlsError::BadServerName { name: n.clone() }))
                .collect::<Result<Vec<_>, _>>()?;
            Some(NameCheck { inner, names, accept_ip: *accept_ip, roots: described })
        }
    };
    let verifier = Arc::new(Verifier { provider: Arc::clone(&provider), check });
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(TlsError::Rustls)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The shipped Amazon roots.
///
/// # Errors
/// [`TlsError::BadRoot`] if one does not parse (a build problem; tests check they all do).
pub fn shipped_roots() -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    for (name, pem) in AMAZON_ROOTS {
        let bad = |error| TlsError::BadRoot { what: format!("shipped root {name}"), index: 1, error };
        let der = CertificateDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| bad(rustls::Error::General(format!("bad PEM: {e}"))))?;
        store.add(der).map_err(bad)?;
    }
    Ok(store)
}

/// Every certificate of a PEM file, as trusted roots.
///
/// # Errors
/// [`TlsError::ReadCaFile`], [`TlsError::Pem`], [`TlsError::NoCertificate`],
/// [`TlsError::BadRoot`].
pub fn roots_from_file(path: &Path) -> Result<RootCertStore, TlsError> {
    let bytes = std::fs::read(path).map_err(|error| TlsError::ReadCaFile { path: path.to_path_buf(), error })?;
    let mut store = RootCertStore::empty();
    for (i, der) in CertificateDer::pem_slice_iter(&bytes).enumerate() {
        let der = der.map_err(|error| TlsError::Pem { path: path.to_path_buf(), error })?;
        store
            .add(der)
            .map_err(|error| TlsError::BadRoot { what: format!("--ca-file {}", path.display()), index: i + 1, error })?;
    }
    if store.is_empty() {
        return Err(TlsError::NoCertificate { path: path.to_path_buf() });
    }
    Ok(store)
}

/// The server certificate check: none with `--insecure-skip-verify`, else [`NameCheck`].
/// Handshake signatures are always checked, so the session keys belong to whoever holds
/// the presented certificate's key.
#[derive(Debug)]
struct Verifier {
    provider: Arc<CryptoProvider>,
    check: Option<NameCheck>,
}

/// WebPKI chain check, then the name check against the expected names (see the module doc).
#[derive(Debug)]
struct NameCheck {
    inner: Arc<WebPkiServerVerifier>,
    names: Vec<ServerName<'static>>,
    accept_ip: bool,
    roots: String,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(check) = &self.check else {
            return Ok(ServerCertVerified::assertion());
        };
        let candidates = check.accept_ip.then_some(server_name).into_iter().chain(check.names.iter());
        let mut name_error = None;
        for name in candidates {
            match check.inner.verify_server_cert(end_entity, intermediates, name, ocsp_response, now) {
                Ok(ok) => return Ok(ok),
                Err(e) if is_name_error(&e) => name_error = name_error.or(Some(e)),
                // The chain is refused whatever the name: no point trying the others.
                Err(error) => return Err(rejected(CertificateRejected::Untrusted { roots: check.roots.clone(), error })),
            }
        }
        let expected = check
            .accept_ip
            .then(|| server_name.to_str().into_owned())
            .into_iter()
            .chain(check.names.iter().map(|n| n.to_str().into_owned()))
            .collect::<Vec<_>>()
            .join(" or ");
        let error = name_error.unwrap_or(rustls::Error::InvalidCertificate(CertificateError::NotValidForName));
        Err(rejected(CertificateRejected::WrongName { expected, error }))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

fn is_name_error(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. })
    )
}

fn rejected(e: CertificateRejected) -> rustls::Error {
    rustls::Error::Other(OtherError(Arc::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str], accept_ip: bool) -> TlsSettings {
        TlsSettings { ca_file: None, verify: TlsVerify::Names { names: names.iter().map(|s| s.to_string()).collect(), accept_ip } }
    }

    #[test]
    fn every_shipped_root_parses() {
        assert_eq!(shipped_roots().unwrap().len(), AMAZON_ROOTS.len());
        for (name, pem) in AMAZON_ROOTS {
            assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{name}");
        }
    }

    #[test]
    fn config_with_shipped_roots_and_keyspaces_name() {
        client_config(&names(&["cassandra.us-east-1.amazonaws.com"], true)).unwrap();
    }

    #[test]
    fn insecure_config_builds() {
        client_config(&TlsSettings { ca_file: None, verify: TlsVerify::Insecure }).unwrap();
    }

    #[test]
    fn bad_server_name_is_refused() {
        let e = client_config(&names(&["not a name!"], false)).unwrap_err();
        assert!(matches!(e, TlsError::BadServerName { .. }), "{e}");
    }

    #[test]
    fn ca_file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let e = roots_from_file(&missing).unwrap_err();
        assert!(matches!(e, TlsError::ReadCaFile { .. }) && e.to_string().contains("missing.pem"), "{e}");

        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = roots_from_file(&empty).unwrap_err();
        assert!(matches!(e, TlsError::NoCertificate { .. }), "{e}");

        let two = dir.path().join("two.pem");
        std::fs::write(&two, format!("{}{}", AMAZON_ROOTS[0].1, AMAZON_ROOTS[2].1)).unwrap();
        assert_eq!(roots_from_file(&two).unwrap().len(), 2);

        let settings = TlsSettings { ca_file: Some(empty), verify: TlsVerify::Names { names: vec![], accept_ip: true } };
        assert!(client_config(&settings).is_err());
    }
}
