//! Completion webhooks: a JSON POST signed with HMAC-SHA256, retried with
//! backoff. The transport is the caller's (the server's SSRF-guarded client).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature: `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub const SIGNATURE_HEADER: &str = "x-extract-signature";
/// The header naming the event: `batch.completed`.
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
    ) -> Result<u16, String>;
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

/// Delivers `body` to `url`, signed when `secret` is set, up to `attempts`
/// times with exponential backoff from one second; true once a 2xx answers.
pub async fn deliver(
    notifier: Arc<dyn Notifier>,
    url: String,
    body: Vec<u8>,
    secret: Option<Vec<u8>>,
    attempts: u32,
) -> bool {
    let mut headers = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        (EVENT_HEADER.to_owned(), "batch.completed".to_owned()),
    ];
    if let Some(secret) = &secret {
        headers.push((SIGNATURE_HEADER.to_owned(), sign(secret, &body)));
    }
    // A query string may carry a token: it is never logged.
    let shown = url.split(['?', '#']).next().unwrap_or_default().to_owned();
    for attempt in 0..attempts.max(1) {
        match notifier.post(&url, body.clone(), headers.clone()).await {
            Ok(status) if (200..300).contains(&status) => return true,
            Ok(status) => tracing::warn!(url = shown, status, attempt, "webhook not accepted"),
            Err(e) => tracing::warn!(url = shown, error = %e, attempt, "webhook failed"),
        }
        if attempt + 1 < attempts {
            tokio::time::sleep(Duration::from_secs(1 << attempt.min(6))).await;
        }
    }
    false
}
