//! Accepting connections (HTTP/1.1 and HTTP/2 on one port), their limits
//! (header-read timeout, idle timeout, a cap on open connections) and
//! graceful shutdown: report not ready, stop accepting, let in-flight
//! requests finish within the grace period.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch, Notify};
use tokio::task::JoinHandle;

use crate::{router, App};

/// A server running in the background.
pub struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Shuts down gracefully and waits until it has.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Serves `app` on `listener` in the background until [`Running::shutdown`].
pub fn spawn(app: App, listener: TcpListener) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    app.listening_on(addr);
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(run(app, listener, async {
        let _ = stopped.await;
    }));
    Ok(Running {
        addr,
        stop: Some(stop),
        task,
    })
}

/// Connections open now, refused over the cap, and closed for idling.
#[derive(Debug, Default)]
pub struct Connections {
    open: AtomicUsize,
    refused: AtomicU64,
    idle_closed: AtomicU64,
    all_closed: Notify,
}

/// A snapshot of [`Connections`], as the system stats show it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ConnectionStats {
    /// Open now.
    pub open: usize,
    /// Accepted over `server.max_connections` and closed at once.
    pub refused: u64,
    /// Closed after `server.idle_timeout_ms` without traffic.
    pub idle_closed: u64,
}

impl Connections {
    /// A snapshot.
    pub fn stats(&self) -> ConnectionStats {
        ConnectionStats {
            open: self.open.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            idle_closed: self.idle_closed.load(Ordering::Relaxed),
        }
    }
}

/// Bytes read or written on a connection bump its clock.
struct Tracked<T> {
    inner: T,
    last: Arc<AtomicU64>,
    epoch: Instant,
}

impl<T> Tracked<T> {
    fn touch(&self) {
        self.last
            .store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Tracked<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tracked<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then drains:
/// `/ready` answers 503 for `server.drain_delay_ms` while the listener still
/// accepts, then the listener closes and connections get
/// `server.shutdown_grace_ms` to finish.
pub async fn run(app: App, listener: TcpListener, shutdown: impl Future<Output = ()>) {
    let cfg = app.config().server.clone();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(cfg.header_read_timeout_ms.max(1)));
    let idle = Duration::from_millis(cfg.idle_timeout_ms.max(1));
    let conns = app.connections().clone();
    let (closing, closed) = watch::channel(false);
    tokio::pin!(shutdown);
    let mut drain_by: Option<tokio::time::Instant> = None;
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown, if drain_by.is_none() => {
                // Not ready first, still serving: load balancers move away.
                app.start_draining();
                tracing::info!(delay_ms = cfg.drain_delay_ms, "shutting down: /ready answers 503");
                drain_by = Some(tokio::time::Instant::now() + Duration::from_millis(cfg.drain_delay_ms));
                continue;
            }
            () = sleep_until_or_never(drain_by) => break,
        };
        if conns.open.load(Ordering::Acquire) >= cfg.max_connections.max(1) {
            conns.refused.fetch_add(1, Ordering::Relaxed);
            drop(stream);
            continue;
        }
        let _ = stream.set_nodelay(true);
        conns.open.fetch_add(1, Ordering::AcqRel);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let app = app.clone();
        let counting = in_flight.clone();
        let service = hyper::service::service_fn(move |req| {
            let app = app.clone();
            let counting = counting.clone();
            async move {
                counting.fetch_add(1, Ordering::AcqRel);
                let response = router::serve(app, req).await;
                counting.fetch_sub(1, Ordering::AcqRel);
                Ok::<_, Infallible>(response)
            }
        });
        let epoch = Instant::now();
        let last = Arc::new(AtomicU64::new(0));
        let io = Tracked {
            inner: stream,
            last: last.clone(),
            epoch,
        };
        let conn = builder
            .serve_connection(TokioIo::new(io), service)
            .into_owned();
        let (conns, mut closed) = (conns.clone(), closed.clone());
        tokio::spawn(async move {
            tokio::pin!(conn);
            let mut tick = tokio::time::interval(idle / 4);
            let mut shutting = false;
            loop {
                tokio::select! {
                    _ = conn.as_mut() => break,
                    _ = tick.tick(), if !shutting => {
                        let quiet = epoch.elapsed().saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
                        if quiet >= idle && in_flight.load(Ordering::Acquire) == 0 {
                            conns.idle_closed.fetch_add(1, Ordering::Relaxed);
                            shutting = true;
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                    changed = closed.changed(), if !shutting => {
                        if changed.is_err() || *closed.borrow() {
                            shutting = true;
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
            if conns.open.fetch_sub(1, Ordering::AcqRel) == 1 {
                conns.all_closed.notify_waiters();
            }
        });
    }
    drop(listener);
    let grace = Duration::from_millis(cfg.shutdown_grace_ms);
    tracing::info!(
        grace_ms = grace.as_millis() as u64,
        "shutting down: draining connections"
    );
    let _ = closing.send(true);
    let all_closed = async {
        loop {
            let notified = conns.all_closed.notified();
            if conns.open.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    };
    let connections = async {
        tokio::select! {
            () = all_closed => tracing::info!("all connections closed"),
            () = tokio::time::sleep(grace) => tracing::warn!("grace period over; closing remaining connections"),
        }
    };
    // Batches stop taking items, finish the running ones within the same
    // grace, and hand their leases back.
    tokio::join!(connections, app.batches().shutdown(grace));
}

async fn sleep_until_or_never(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
