//! Webhooks: a JSON POST signed with HMAC-SHA256, retried with backoff.
//! The transport is the caller's (the server's SSRF-guarded client).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use extract_concurrency::Policy;
use extract_core::Secret;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature: `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub const SIGNATURE_HEADER: &str = "x-extract-signature";
/// The header naming the event: `batch.completed`, `alert.firing`, `alert.resolved`.
pub const EVENT_HEADER: &str = "x-extract-event";

/// Sends a webhook POST; answers the HTTP status.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// POSTs `body` (JSON) to `url` with `headers`.
    async fn post(
        &self,
        url: &str,
        body: Vec<u8>,
        headers: Vec<(String, String)>,
    ) -> Result<u16, extract_core::Error>;
}

/// `sha256=<hex>` of `body` under `secret`.
///
/// ```
/// let s = extract_batch::sign(b"secret", b"{}");
/// assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
/// ```
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Signs and delivers webhooks (batch completions, alert changes): a JSON
/// POST naming its event in [`EVENT_HEADER`], signed in [`SIGNATURE_HEADER`]
/// when a secret is set, retried with backoff (from one second, doubling,
/// full jitter) through `extract-concurrency`'s retry policy. The one
/// webhook sender of the service.
#[derive(Clone)]
pub struct Webhooks {
    notifier: Arc<dyn Notifier>,
    secret: Option<Vec<u8>>,
    retry: Policy,
}

impl Webhooks {
    /// Delivers through `notifier`, signing with `secret` unless it is
    /// empty, up to `attempts` times.
    pub fn new(notifier: Arc<dyn Notifier>, secret: &Secret, attempts: u32) -> Webhooks {
        Webhooks {
            notifier,
            secret: (!secret.is_empty()).then(|| secret.expose().as_bytes().to_vec()),
            retry: Policy::backoff(
                attempts,
                Duration::from_secs(1),
                Duration::from_secs(64),
                Duration::from_secs(600),
            ),
        }
    }

    /// POSTs `body` to `url` as `event`; true once a 2xx answers. A URL's
    /// query string and userinfo may carry a token: they are never logged.
    pub async fn deliver(&self, url: &str, event: &str, body: Vec<u8>) -> bool {
        let mut headers = vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            (EVENT_HEADER.to_owned(), event.to_owned()),
        ];
        if let Some(secret) = &self.secret {
            headers.push((SIGNATURE_HEADER.to_owned(), sign(secret, &body)));
        }
        let shown = extract_core::redact_url(url);
        let delivered = self
            .retry
            .retry(
                || async {
                    let answer = self.notifier.post(url, body.clone(), headers.clone()).await;
                    match &answer {
                        Ok(status) if (200..300).contains(status) => {}
                        Ok(status) => {
                            tracing::warn!(url = shown, event, status, "webhook not accepted")
                        }
                        Err(e) => tracing::warn!(url = shown, event, error = %e, "webhook failed"),
                    }
                    answer
                },
                |answer| !matches!(answer, Ok(status) if (200..300).contains(status)),
            )
            .await;
        matches!(delivered, Ok(status) if (200..300).contains(&status))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Answers 500 to everything.
    struct Refusing;

    #[async_trait]
    impl Notifier for Refusing {
        async fn post(
            &self,
            _url: &str,
            _body: Vec<u8>,
            _headers: Vec<(String, String)>,
        ) -> Result<u16, extract_core::Error> {
            Ok(500)
        }
    }

    /// Collects what is logged.
    #[derive(Clone, Default)]
    struct Logs(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Logs {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_webhook_url_s_password_and_token_never_reach_the_logs() {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let hooks = Webhooks::new(Arc::new(Refusing), &Secret::new("k"), 1);
        let delivered = hooks
            .deliver(
                "https://bob:hunter2@hooks.example/in?token=abc",
                "batch.completed",
                b"{}".to_vec(),
            )
            .await;
        assert!(!delivered);
        let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("webhook not accepted"), "{text}");
        assert!(text.contains("https://hooks.example/in"), "{text}");
        assert!(
            !text.contains("hunter2") && !text.contains("bob") && !text.contains("abc"),
            "{text}"
        );
    }
}
