//! Sites that misbehave on purpose: slow, refusing robots, huge, gzip bombs, redirect loops.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{header, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame};

use super::{full, html, not_found, redirect, ResBody};

/// Sites that misbehave on purpose, for fault tests.
pub(super) async fn fault_site(host: &str, path: &str) -> Response<ResBody> {
    match host.trim_end_matches(".sandbox.test") {
        "slow" if path == "/robots.txt" => not_found(path),
        "slow" if path == "/robots.txt" => not_found(path),
        "norobots" => match path {
            "/robots.txt" => full(StatusCode::OK, "text/plain", "User-agent: *\nDisallow: /\n"),
            _ => html("<html><head><title>Private</title></head><body>Nobody may crawl this.</body></html>".to_owned()),
        },
        "robots-broken" => match path {
            "/robots.txt" => full(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "oops\n"),
            _ => html("<html><head><title>Half broken</title></head></html>".to_owned()),
        },
        "robots-down" => match path {
            "/robots.txt" => full(StatusCode::SERVICE_UNAVAILABLE, "text/plain", "down\n"),
            _ => html("<html><head><title>Half down</title></head></html>".to_owned()),
        },
        "slow" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            html("<html><title>Slow</title></html>".to_owned())
        }
        "huge" => Response::builder()
            .header(header::CONTENT_TYPE, "text/html")
            .body(Repeat::new(Bytes::from(vec![b'a'; 64 * 1024]), 4 * 1024).boxed())
            .unwrap_or_else(|_| not_found(host)),
        "garbage" => full(
            StatusCode::OK,
            "application/octet-stream",
            (0..4096u32)
                .map(|i| (i * 7919 % 251) as u8)
                .collect::<Vec<u8>>(),
        ),
        "redirect-loop" => redirect(
            StatusCode::FOUND,
            "https://redirect-loop.sandbox.test/again",
        ),
        // To another origin (the echo host shows what followed the redirect).
        "redirect-away" => redirect(StatusCode::FOUND, "http://echo.sandbox.test/landed"),
        "redirect-chain" => {
            let n: u32 = path.trim_start_matches('/').parse().unwrap_or(0);
            if n == 0 {
                html("<html><head><title>Chain end</title><meta name=\"description\" content=\"You made it.\"></head></html>".to_owned())
            } else {
                redirect(StatusCode::FOUND, &format!("/{}", n - 1))
            }
        }
        "error" => full(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/html",
            "<h1>500</h1>",
        ),
        "empty" => html(String::new()),
        "gzip" => gzipped("<html><head><title>Gzip Co</title><meta name=\"description\" content=\"Compressed.\"></head></html>".to_owned()),
        // 64 MB of markup in a few hundred KB of gzip: a decompression bomb.
        "bomb" => {
            static BOMB: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
            let body = BOMB.get_or_init(|| {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                let chunk = b"<p>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</p>".repeat(1024);
                for _ in 0..(64 * 1024 * 1024 / chunk.len()) {
                    let _ = std::io::Write::write_all(&mut e, &chunk);
                }
                Bytes::from(e.finish().unwrap_or_default())
            });
            let mut r = full(StatusCode::OK, "text/html", body.clone());
            r.headers_mut().insert(header::CONTENT_ENCODING, http::HeaderValue::from_static("gzip"));
            r
        }
        _ => not_found(host),
    }
}

/// A body that repeats one chunk `count` times: a huge response without the memory.
pub(super) struct Repeat {
    chunk: Bytes,
    remaining: usize,
}

impl Repeat {
    fn new(chunk: Bytes, count: usize) -> Self {
        Repeat {
            chunk,
            remaining: count,
        }
    }
}

impl Body for Repeat {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        self.remaining -= 1;
        Poll::Ready(Some(Ok(Frame::data(self.chunk.clone()))))
    }
}

/// An HTML answer compressed with gzip.
pub(super) fn gzipped(body: String) -> Response<ResBody> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = std::io::Write::write_all(&mut e, body.as_bytes());
    let mut r = full(
        StatusCode::OK,
        "text/html; charset=utf-8",
        e.finish().unwrap_or_default(),
    );
    r.headers_mut().insert(
        header::CONTENT_ENCODING,
        http::HeaderValue::from_static("gzip"),
    );
    r
}
