//! The listener: TLS (rustls on ring, a self-signed certificate made at start) or, behind an
//! explicit flag, plain HTTP; one hyper HTTP/1.1 connection task per client. Each connection
//! carries a `ConnCtl` so a forced outcome can reset it (RST) or close it without answering.

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

/// Per-connection control, found in every request's extensions.
#[derive(Clone, Debug)]
pub struct ConnCtl {
    pub peer: SocketAddr,
    /// The names and port this server answers to (`Host` / `Origin` checks of the admin API).
    pub own: Option<Arc<OwnAddress>>,
    kill: Arc<Notify>,
    rst: Arc<AtomicBool>,
}

/// The names (certificate names and the listening address) and the port of this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnAddress {
    names: Vec<String>,
    port: u16,
}

impl OwnAddress {
    pub fn new(listen: SocketAddr, extra_names: &[String]) -> OwnAddress {
        let mut names: Vec<String> = ["127.0.0.1", "localhost", "::1"]
            .iter()
            .map(|s| s.to_string())
            .chain(extra_names.iter().map(|n| n.to_ascii_lowercase()))
            .collect();
        if !listen.ip().is_unspecified() {
            names.push(listen.ip().to_string());
        }
        OwnAddress {
            names,
            port: listen.port(),
        }
    }

    /// Whether `authority` (`host[:port]`, as in `Host` or an origin) names this server.
    pub fn accepts_authority(&self, authority: &str) -> bool {
        let authority = authority.trim().to_ascii_lowercase();
        let (host, port) = match authority.strip_prefix('[') {
            Some(rest) => match rest.split_once(']') {
                Some((h, "")) => (h.to_string(), None),
                Some((h, p)) => match p.strip_prefix(':') {
                    Some(p) => (h.to_string(), Some(p.to_string())),
                    None => return false,
                },
                None => return false,
            },
            None => match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p.to_string())),
                None => (authority.clone(), None),
            },
        };
        let port_ok = port.is_none_or(|p| p.parse::<u16>() == Ok(self.port));
        port_ok && self.names.contains(&host)
    }
}

impl ConnCtl {
    /// The control of a connection from `peer` that nothing serves (for driving a router
    /// in-process as if a client at `peer` had called).
    pub fn detached(peer: SocketAddr) -> ConnCtl {
        ConnCtl {
            peer,
            own: None,
            kill: Arc::new(Notify::new()),
            rst: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Drops the connection with a TCP reset, whatever is in flight.
    pub fn reset(&self) {
        self.rst.store(true, Ordering::SeqCst);
        self.kill.notify_one();
    }

    /// Drops the connection with an ordinary close and no answer.
    pub fn close(&self) {
        self.kill.notify_one();
    }
}

/// A TCP stream that, when dropped after `ConnCtl::reset`, sends RST instead of FIN.
struct ResetOnDrop {
    tcp: TcpStream,
    rst: Arc<AtomicBool>,
}

impl Drop for ResetOnDrop {
    fn drop(&mut self) {
        if self.rst.load(Ordering::SeqCst) {
            let _ = self.tcp.set_zero_linger();
        }
    }
}

impl AsyncRead for ResetOnDrop {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResetOnDrop {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// The server's certificate, made fresh at every start.
pub struct Identity {
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

/// A self-signed certificate for 127.0.0.1, localhost and `extra_names`.
pub fn self_signed(extra_names: &[String]) -> Result<Identity, rcgen::Error> {
    let mut names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    names.extend(extra_names.iter().cloned());
    let ck = rcgen::generate_simple_self_signed(names)?;
    Ok(Identity {
        cert_pem: ck.cert.pem(),
        cert_der: ck.cert.der().to_vec(),
        key_der: ck.signing_key.serialize_der(),
    })
}

/// rustls on ring, TLS 1.2 and 1.3, HTTP/1.1 by ALPN.
pub fn tls_acceptor(id: &Identity) -> Result<tokio_rustls::TlsAcceptor, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_der.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(id.cert_der.clone())], key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Accepts until `stop` turns true; every connection ends when `stop` does.
pub async fn serve(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    router: Router,
    own: Arc<OwnAddress>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let (tcp, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                // EMFILE and friends: keep serving the connections we have.
                Err(_) => { tokio::time::sleep(std::time::Duration::from_millis(50)).await; continue }
            },
            _ = stop.changed() => return,
        };
        let _ = tcp.set_nodelay(true);
        let tls = tls.clone();
        let router = router.clone();
        let stop = stop.clone();
        let own = own.clone();
        tokio::spawn(async move {
            let ctl = ConnCtl {
                peer,
                own: Some(own),
                kill: Arc::new(Notify::new()),
                rst: Arc::new(AtomicBool::new(false)),
            };
            let io = ResetOnDrop {
                tcp,
                rst: ctl.rst.clone(),
            };
            match tls {
                Some(acceptor) => {
                    let Ok(Ok(stream)) = tokio::time::timeout(
                        std::time::Duration::from_secs(10),
                        acceptor.accept(io),
                    )
                    .await
                    else {
                        return;
                    };
                    connection(stream, router, ctl, stop).await
                }
                None => connection(io, router, ctl, stop).await,
            }
        });
    }
}

async fn connection<IO>(io: IO, router: Router, ctl: ConnCtl, mut stop: watch::Receiver<bool>)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let kill = ctl.kill.clone();
    let with_ctl = router.layer(axum::Extension(ctl));
    let service = TowerToHyperService::new(with_ctl);
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(std::time::Duration::from_secs(30))
        .serve_connection(TokioIo::new(io), service);
    tokio::select! {
        _ = conn => {}
        _ = kill.notified() => {}
        _ = stop.changed() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_host_check_takes_own_names_and_port_only() {
        let own = OwnAddress::new(
            SocketAddr::from(([0, 0, 0, 0], 8443)),
            &["192.168.1.20".to_string()],
        );
        for ok in [
            "127.0.0.1:8443",
            "localhost:8443",
            "LOCALHOST",
            "[::1]:8443",
            "192.168.1.20:8443",
        ] {
            assert!(own.accepts_authority(ok), "{ok}");
        }
        for bad in [
            "evil.example:8443",
            "127.0.0.1:9999",
            "127.0.0.1.evil.example",
            "[::1",
            "",
            "localhost:x",
        ] {
            assert!(!own.accepts_authority(bad), "{bad}");
        }
    }
}
