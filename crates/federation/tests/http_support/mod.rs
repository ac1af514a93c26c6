//! Shared by the `http_*` tests: fixed keys and certificates, loopback servers, a client
//! configured for them, and the signature check a receiving server does.

#![allow(dead_code)] // each test binary uses a part of it

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::Listener;
use chrono::Utc;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method, Uri};
use rhizome_federation::http::{FetchConfig, HttpClient};
use rhizome_federation::keys::load_rsa_private_key;
use rhizome_federation::signatures::{CavageSigner, ParsedSignature, PublicKey, verify_digest};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::server::TlsStream;
use url::Url;

pub const KEY_ID: &str = "https://rhizome.test/users/alice#main-key";
pub const USER_AGENT: &str = "RhizomeTest/1.0 (+https://rhizome.test/)";
pub const AP: &str = "application/activity+json";

/// An RSA-2048 test key, fixed because key generation is slow in debug builds.
pub const SIGNING_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZ/AqH64mCkFY7\n\
kov9/Y1cYRqQsm1OjNM9BKFBByKif8bQRAc/2Im//B409aJyvzLyNH5GT9qjO2Uf\n\
akq8sqDir7IMRcpUSlqk9soWrRpHEt5WABUv03NtUY9zGFPlRKfOoqB+GyAx5dLB\n\
l/q3FFthw3COiq1M5I5pKMj0TU/32Gcb1U0Bo/9kTSicVrQLU9hwUPqWUIHaEijI\n\
4iNhFqRR+/5zghnbD+cPVDQmyZ/4r/c8UJP2PEIvRirjo5F6piRhLVR5zTzaZ3KX\n\
pWaJM14hiNciGhYjFlDd5fmEg+uW0V97CJ6IWN2C90nDG+0naKB9c1OFVDk370h3\n\
MuFTiJmZAgMBAAECggEAWN7v8DAwFOIBtjHuDzQzUMlqCjokZFT3vjXIBHoDPdr4\n\
VGqXxgjjSDlim1bVzxByldqe7M2bptcNSDyOkdYFz8Wvwl8luS3DPOQ8yffy8a0Y\n\
pllMSf5cXeJVqKfvdFaET7Nv2Vn3y0AWp8Tte3y6MOZ8WjDhrKq2ANuW6jsm8jUw\n\
AtTPX107EKx9W7kwWUJdGpZN4dAj6Mxptasa8THANJHoI7kuC4QHiGCGGLvjciW6\n\
/HsHWPSMs4FVITCwcYOqKL6/uW7f7eDobirdMWbMzEeEhR04xa6iI238Z8e8yF4A\n\
kxVzjbbKewA4mfReoc2U6Tj3Qzl8ODMfBUqp3vfRTQKBgQD6/g8pVooevaFf/Bly\n\
6sdJhSiLj+LmKZmD/GkdS7kbA1lC7oYUYx/Nua5FHh0Nj9xOWJCJnUyKslRJoJdk\n\
n7NTrhjQoBuk0A6uruVZ6BskEobJzmF+7Zv2KR9CQVSdY/QIWJsvs2Qt8CVvo+jk\n\
O2fxduxvss+f+Sj3e+aYlH0WRwKBgQDeVWUA0eO65u1C47lW/LVjzb1g5EfSlKKC\n\
Op612P9IRFW2SDeqodELvCW0O0qt2YTmqFi6X5FMHuLLBNkhTtd0V6q0lB5xQhKS\n\
Cc/kp2sVRB0SrUdrLLUPXly68aDWVkACEmDzvZpmfXnGoc0Jkl5XtsO+u1CRhpoF\n\
NaaHJH5hHwKBgErMqiIMq07r/orHa6Imu8t6RpIJCHrFTP3bnEvhxEF7pv9ebFDp\n\
FZJO0tPAXLIs/F/Q3wpT+XqgGKR0momfWmcGzFhoTrS4WJfQgYNgu63tY4QC4GVe\n\
VItwx+ML6zaYkiJmnaECmklidxWlSIOz/I8mfOHw7RVkwMO4hglUv06DAoGBAJ7x\n\
5ZdEdc20MYJUUrfBSdvjxbNy/3WoFNWNGtFeJIKBd9Uso780l8IP69SBXs4SZ1SO\n\
nX//ulv06KXC/Yc2WgkuczdNfMXzOlt08E7C8WbunuovPpN8DqTCDQEIpLcWSgQx\n\
J2aY8by7j0dVfMOPBCso2Z+NQfgHhiybQkXy7PZ5AoGBAKjPwoHejll0yKzAS0Hp\n\
ZD3TfBlIN+I7icRD7u5ItDYxt5eInglHo54hAbeW1fMv9l1EMI3R7rcPxVAYQHoo\n\
0HWatzmGYjtiC2jq1JVLXaJ5YS69JZyyaB52bjM/ti0VijkS3jnSaWik++nmWHVW\n\
L2yuNUPpHBSr0DjnjBRQA0ut\n\
-----END PRIVATE KEY-----\n\
";

/// The public half of [`SIGNING_KEY_PEM`].
pub const SIGNING_PUBLIC_PEM: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2fwKh+uJgpBWO5KL/f2N\n\
XGEakLJtTozTPQShQQcion/G0EQHP9iJv/weNPWicr8y8jR+Rk/aoztlH2pKvLKg\n\
4q+yDEXKVEpapPbKFq0aRxLeVgAVL9NzbVGPcxhT5USnzqKgfhsgMeXSwZf6txRb\n\
YcNwjoqtTOSOaSjI9E1P99hnG9VNAaP/ZE0onFa0C1PYcFD6llCB2hIoyOIjYRak\n\
Ufv+c4IZ2w/nD1Q0Jsmf+K/3PFCT9jxCL0Yq46OReqYkYS1Uec082mdyl6VmiTNe\n\
IYjXIhoWIxZQ3eX5hIPrltFfewieiFjdgvdJwxvtJ2igfXNThVQ5N+9IdzLhU4iZ\n\
mQIDAQAB\n\
-----END PUBLIC KEY-----\n\
";

/// A test CA (P-256, valid 2000–2099) that signed [`TLS_CERT_PEM`].
pub const TEST_CA_PEM: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBaDCCAQ6gAwIBAgICEAAwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPUmhpem9t\n\
ZSB0ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIwOTkxMjMxMDAwMDAwWjAaMRgw\n\
FgYDVQQDDA9SaGl6b21lIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n\
AAQw0V3SJx4Kb7js15zaLU7pgLhQ8TBoGWUTU9kmQt3rc+xJ3pP78Br+gHwAJBL+\n\
HWH+VBzjoE1Dq/ZcmrdtIhn5o0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB\n\
/wQEAwIBBjAdBgNVHQ4EFgQUUi2fnlaVODS3/UMSDqPIo0NlUgcwCgYIKoZIzj0E\n\
AwIDSAAwRQIhAI2trf8Nrbb/jDgid6WHGylXSrWdcCU1NjysJ9zJuAIqAiBLz8al\n\
/3zmEJNJRSNTzPs5frlHors6yxlsQ226XF8FNA==\n\
-----END CERTIFICATE-----\n\
";

/// A server certificate for `127.0.0.1` and `localhost`, signed by [`TEST_CA_PEM`].
pub const TLS_CERT_PEM: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBszCCAVmgAwIBAgICEAEwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPUmhpem9t\n\
ZSB0ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIwOTkxMjMxMDAwMDAwWjAUMRIw\n\
EAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAS/15mv\n\
LVspjthQHeHCUrBLVMwIMdXM54IrcfwIz2r3DM5ipQMcdqxsMaXwjNKhWwD2PqM2\n\
mm51og65tdHlkOLBo4GSMIGPMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeA\n\
MBMGA1UdJQQMMAoGCCsGAQUFBwMBMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9z\n\
dDAfBgNVHSMEGDAWgBRSLZ+eVpU4NLf9QxIOo8ijQ2VSBzAdBgNVHQ4EFgQUUg1e\n\
FCzIwuVaDg5CBinN4lVLShIwCgYIKoZIzj0EAwIDSAAwRQIgFuAucs+IFP13QHKy\n\
/01W0wW0/7I88cNT9Z36OEZ0J20CIQCHahH47xA/RuvGW5F/20k3ZGnQX8RYG+oZ\n\
yerI2XpQHQ==\n\
-----END CERTIFICATE-----\n\
";

/// The private key of [`TLS_CERT_PEM`] (PKCS#8).
pub const TLS_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwoJDfaWQiucJ361a\n\
4arxuNaA6s74cY+NU9+Va0FOpRahRANCAAS/15mvLVspjthQHeHCUrBLVMwIMdXM\n\
54IrcfwIz2r3DM5ipQMcdqxsMaXwjNKhWwD2PqM2mm51og65tdHlkOLB\n\
-----END PRIVATE KEY-----\n\
";

pub fn signer() -> CavageSigner {
    CavageSigner::new(KEY_ID, load_rsa_private_key(SIGNING_KEY_PEM).unwrap())
}

pub fn public_key() -> PublicKey {
    PublicKey::from_pem(SIGNING_PUBLIC_PEM).unwrap()
}

/// A client for the test servers: plain http and loopback allowed, short timeout.
pub fn local_config() -> FetchConfig {
    FetchConfig {
        allow_http: true,
        allow_private_addresses: true,
        timeout: Duration::from_secs(2),
        user_agent: USER_AGENT.into(),
        ..FetchConfig::default()
    }
}

pub fn local_client() -> HttpClient {
    HttpClient::new(local_config()).unwrap()
}

/// Serves `router` on `ip` (e.g. `127.0.0.1`), on a free port, until the test ends.
pub async fn serve_on(ip: &str, router: Router) -> SocketAddr {
    let listener = TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

pub async fn serve(router: Router) -> SocketAddr {
    serve_on("127.0.0.1", router).await
}

/// Serves `router` over TLS with [`TLS_CERT_PEM`] on 127.0.0.1.
pub async fn serve_tls(router: Router) -> SocketAddr {
    let certs = vec![CertificateDer::from_pem_slice(TLS_CERT_PEM.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(TLS_KEY_PEM.as_bytes()).unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let listener = TlsListener {
        tcp: TcpListener::bind("127.0.0.1:0").await.unwrap(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    let addr = listener.tcp.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // Failed handshakes (a client that refuses our certificate) are skipped; the loop lives
        // as long as the test's runtime.
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// What a receiving server checks: the signature's shape and time, the body digest, and the
/// signature itself against the test key.
pub fn verify_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<(), String> {
    let parsed = ParsedSignature::from_request(method, uri, headers).map_err(|e| e.to_string())?;
    if parsed.key_id() != KEY_ID {
        return Err(format!("unexpected key id {}", parsed.key_id()));
    }
    parsed.check_time(Utc::now()).map_err(|e| e.to_string())?;
    if let Some(body) = body {
        verify_digest(headers, body).map_err(|e| e.to_string())?;
    }
    parsed.verify(&public_key()).map_err(|e| e.to_string())
}

/// A header as text, or "" when absent.
pub fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Waits (at most `limit`) until `done` holds; returns whether it did.
pub async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let step = Duration::from_millis(10);
    for _ in 0..(limit.as_millis() / step.as_millis()).max(1) {
        if done() {
            return true;
        }
        tokio::time::sleep(step).await;
    }
    done()
}

pub fn url(text: String) -> Url {
    Url::parse(&text).unwrap()
}

pub fn json_response(content_type: &'static str, body: String) -> Response {
    ([(CONTENT_TYPE, content_type)], body).into_response()
}

/// `/objects/{name}` answers an object whose id is on the host it was asked for, and counts
/// the requests.
pub fn object_server(hits: Arc<AtomicUsize>) -> Router {
    Router::new().route(
        "/objects/{name}",
        get(move |Path(name): Path<String>, headers: HeaderMap| {
            let hits = hits.clone();
            async move {
                hits.fetch_add(1, SeqCst);
                let id = format!("http://{}/objects/{name}", header(&headers, "host"));
                let body = serde_json::json!({ "id": id, "type": "Note" });
                json_response(AP, body.to_string())
            }
        }),
    )
}
