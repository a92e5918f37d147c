//! How each cached type is stored: profiles and search results as JSON,
//! pages as a small JSON header and an LZ4-compressed body.

use bytes::Bytes;
use extract_core::{CompanyProfile, Page, SearchResults};
use serde::{Deserialize, Serialize};

use crate::envelope::Cacheable;

impl Cacheable for CompanyProfile {
    fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
    fn decode(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }
}

impl Cacheable for SearchResults {
    fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
    fn decode(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }
}

#[derive(Serialize, Deserialize)]
struct PageHeader {
    url: String,
    status: u16,
    content_type: Option<String>,
    retry_after: Option<String>,
    truncated: bool,
}

impl Cacheable for Page {
    fn encode(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&PageHeader {
            url: self.url.clone(),
            status: self.status,
            content_type: self.content_type.clone(),
            retry_after: self.retry_after.clone(),
            truncated: self.truncated,
        })
        .unwrap_or_default();
        let mut out = Vec::with_capacity(4 + header.len() + self.body.len() / 3);
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&lz4_flex::compress_prepend_size(&self.body));
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let (len, rest) = bytes.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        let header: PageHeader = serde_json::from_slice(rest.get(..len)?).ok()?;
        let body = lz4_flex::decompress_size_prepended(rest.get(len..)?).ok()?;
        Some(Page {
            url: header.url,
            status: header.status,
            content_type: header.content_type,
            retry_after: header.retry_after,
            body: Bytes::from(body),
            truncated: header.truncated,
        })
    }

    /// Pages that answer the question for a while: successes, redirects'
    /// ends, and "not there" (404/410, e.g. robots.txt). Never 429 or 5xx.
    fn cacheable(&self) -> bool {
        (200..300).contains(&self.status) || matches!(self.status, 404 | 410)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_trip_compressed() {
        let body = "<html>".repeat(10_000);
        let page = Page {
            url: "https://x.com/".into(),
            status: 200,
            content_type: Some("text/html".into()),
            retry_after: None,
            body: Bytes::from(body.clone()),
            truncated: false,
        };
        let bytes = page.encode();
        assert!(bytes.len() < body.len() / 10, "compressed: {}", bytes.len());
        assert_eq!(Page::decode(&bytes).unwrap(), page);
        assert!(Page::decode(&bytes[..bytes.len() - 3]).is_none());
        assert!(!Page {
            status: 503,
            ..page.clone()
        }
        .cacheable());
        assert!(Page {
            status: 404,
            ..page
        }
        .cacheable());
    }
}
