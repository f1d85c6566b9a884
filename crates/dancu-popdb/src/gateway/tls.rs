//! The TLS a gateway's client speaks. Real one-stop clients call gateways
//! by IP address with a private certificate and switch verification off;
//! dancu never does (no setting turns it off) and offers instead:
//!
//! * `ca_cert`: a private CA, trusted besides the public roots;
//! * `tls_server_name`: the name the certificate must be valid for, when
//!   the URL holds an IP address (or another name);
//! * `pin_sha256`: accept exactly the certificate whose DER has this
//!   SHA-256 fingerprint (a self-signed gateway certificate) — its
//!   handshake signature is still checked, any other certificate refused.

use std::fmt;
use std::sync::Arc;

use reqwest::Client;
use rustls::DigitallySignedStruct as Dss;
use rustls::Error as TlsError;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{
    HandshakeSignatureValid as Valid, ServerCertVerified, ServerCertVerifier,
};
use rustls::pki_types::CertificateDer as Cert;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};

/// The TLS settings of one gateway.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct TlsSettings {
    /// Extra trusted roots (PEM), checked to hold at least one certificate.
    pub(crate) ca_pem: Option<Vec<u8>>,
    /// The name to verify instead of the URL's host.
    pub(crate) server_name: Option<String>,
    /// The pinned certificate's SHA-256.
    pub(crate) pin: Option<[u8; 32]>,
}

impl fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSettings")
            .field("ca_cert", &self.ca_pem.as_ref().map(|_| "<set>"))
            .field("tls_server_name", &self.server_name)
            .field("pin_sha256", &self.pin.map(|p| dancu_wire::auth::hex(&p)))
            .finish()
    }
}

impl TlsSettings {
    /// Whether anything differs from the default client.
    pub(crate) fn is_default(&self) -> bool {
        self.ca_pem.is_none() && self.server_name.is_none() && self.pin.is_none()
    }

    /// Checks the settings: the PEM holds certificates, the name is a DNS
    /// name or an IP address.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if let Some(pem) = &self.ca_pem {
            certificates(pem)?;
        }
        if let Some(name) = &self.server_name {
            ServerName::try_from(name.as_str()).map_err(|_| {
                format!("tls_server_name: {name:?} is not a DNS name or IP address")
            })?;
        }
        Ok(())
    }

    /// The client these settings give: redirects never followed, plain
    /// `http` allowed (the URL check allows it for loopback only).
    pub(crate) fn client(&self) -> Result<Client, String> {
        let builder = Client::builder()
            .https_only(false)
            .redirect(reqwest::redirect::Policy::none());
        let builder = if self.is_default() {
            builder.use_rustls_tls()
        } else {
            builder.use_preconfigured_tls(self.rustls_config()?)
        };
        builder
            .build()
            .map_err(|_| "the HTTP client could not be built".to_owned())
    }

    fn rustls_config(&self) -> Result<rustls::ClientConfig, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(pem) = &self.ca_pem {
            for cert in certificates(pem)? {
                roots
                    .add(cert)
                    .map_err(|_| "ca_cert holds a certificate that cannot be a root".to_owned())?;
            }
        }
        let webpki =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .map_err(|_| "the certificate verifier could not be built".to_owned())?;
        let server_name =
            match &self.server_name {
                Some(n) => Some(ServerName::try_from(n.clone()).map_err(|_| {
                    format!("tls_server_name: {n:?} is not a DNS name or IP address")
                })?),
                None => None,
            };
        let verifier = Arc::new(Verifier {
            webpki,
            server_name,
            pin: self.pin,
        });
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|_| "no TLS protocol version is available".to_owned())?
            // A verifier of our own (it verifies; nothing is switched off).
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(config)
    }
}

fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|_| "ca_cert is not a PEM certificate".to_owned())?;
    if certs.is_empty() {
        return Err("ca_cert holds no certificate".to_owned());
    }
    Ok(certs)
}

/// Parses a SHA-256 fingerprint: 64 hex digits, optionally in pairs
/// separated by `:` (as `openssl x509 -fingerprint -sha256` prints it).
pub(crate) fn parse_pin(text: &str) -> Result<[u8; 32], String> {
    let hex: String = text.trim().chars().filter(|c| *c != ':').collect();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("pin_sha256: 64 hex digits (pairs may be separated by ':')".to_owned());
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        *byte = std::str::from_utf8(pair)
            .ok()
            .and_then(|pair| u8::from_str_radix(pair, 16).ok())
            .ok_or_else(|| "pin_sha256: not hex".to_owned())?;
    }
    Ok(out)
}

/// Verifies the chain and name (against `server_name` when set), or, with
/// a pin, that the certificate is exactly the pinned one; handshake
/// signatures are always checked.
#[derive(Debug)]
struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
    server_name: Option<ServerName<'static>>,
    pin: Option<[u8; 32]>,
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
        if let Some(pin) = self.pin {
            let seen: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
            return if seen == pin {
                Ok(ServerCertVerified::assertion())
            } else {
                Err(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::ApplicationVerificationFailure,
                ))
            };
        }
        let name = self.server_name.as_ref().unwrap_or(server_name);
        self.webpki
            .verify_server_cert(end_entity, intermediates, name, ocsp_response, now)
    }

    fn verify_tls12_signature(&self, m: &[u8], c: &Cert<'_>, d: &Dss) -> Result<Valid, TlsError> {
        self.webpki.verify_tls12_signature(m, c, d)
    }

    fn verify_tls13_signature(&self, m: &[u8], c: &Cert<'_>, d: &Dss) -> Result<Valid, TlsError> {
        self.webpki.verify_tls13_signature(m, c, d)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_parse_with_or_without_colons() {
        let hex = "AB".repeat(32);
        assert_eq!(parse_pin(&hex).unwrap(), [0xab; 32]);
        let colons: Vec<String> = (0..32).map(|_| "ab".to_owned()).collect();
        assert_eq!(parse_pin(&colons.join(":")).unwrap(), [0xab; 32]);
        assert!(parse_pin("abc").is_err());
        assert!(parse_pin(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn settings_are_checked() {
        let bad = TlsSettings {
            ca_pem: Some(b"not a pem".to_vec()),
            ..TlsSettings::default()
        };
        assert!(bad.validate().is_err());
        let bad = TlsSettings {
            server_name: Some("not a name!".into()),
            ..TlsSettings::default()
        };
        assert!(bad.validate().is_err());
        let ok = TlsSettings {
            server_name: Some("lgsp.tinh.gov.vn".into()),
            pin: Some([1; 32]),
            ..TlsSettings::default()
        };
        ok.validate().unwrap();
        ok.client().unwrap();
    }
}
