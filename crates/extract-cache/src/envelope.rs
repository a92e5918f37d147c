//! The stored form of a value: a compact header (magic, schema version,
//! created-at, source) around the payload. A value written under another
//! schema version, or damaged, decodes to `None`: a miss, never an error.

use std::sync::Arc;

use crate::key::SCHEMA_VERSION;

const MAGIC: &[u8; 2] = b"XC";

/// A value the cache can store.
pub trait Cacheable: Send + Sync + Sized + 'static {
    /// The payload bytes.
    fn encode(&self) -> Vec<u8>;
    /// The value back from its payload, or `None` if unreadable.
    fn decode(bytes: &[u8]) -> Option<Self>;
    /// Whether this value may be stored at all (a 5xx page may not).
    fn cacheable(&self) -> bool {
        true
    }
}

/// A cached value with its metadata.
#[derive(Debug)]
pub struct Entry<V> {
    /// The value.
    pub value: Arc<V>,
    /// When it was computed, Unix seconds.
    pub created_at: u64,
    /// Who computed it (host name or service name), for debugging shared caches.
    pub source: String,
    /// Its stored size, for the in-process tier's size bound.
    pub weight: u32,
}

impl<V> Entry<V> {
    /// The entry's age in seconds at `now`.
    pub fn age(&self, now: u64) -> u64 {
        now.saturating_sub(self.created_at)
    }
}

/// Encodes a value with its metadata; returns the bytes (their length is the weight).
pub fn encode<V: Cacheable>(value: &V, created_at: u64, source: &str) -> Vec<u8> {
    let payload = value.encode();
    let source = &source.as_bytes()[..source.len().min(255)];
    let mut out = Vec::with_capacity(2 + 4 + 8 + 1 + source.len() + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&SCHEMA_VERSION.to_le_bytes());
    out.extend_from_slice(&created_at.to_le_bytes());
    out.push(source.len() as u8);
    out.extend_from_slice(source);
    out.extend_from_slice(&payload);
    out
}

/// Decodes stored bytes; `None` for another schema version or damage.
pub fn decode<V: Cacheable>(bytes: &[u8]) -> Option<Entry<V>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (version, rest) = rest.split_first_chunk::<4>()?;
    if u32::from_le_bytes(*version) != SCHEMA_VERSION {
        return None;
    }
    let (created, rest) = rest.split_first_chunk::<8>()?;
    let (len, rest) = rest.split_first()?;
    let source = rest.get(..*len as usize)?;
    let payload = rest.get(*len as usize..)?;
    Some(Entry {
        value: Arc::new(V::decode(payload)?),
        created_at: u64::from_le_bytes(*created),
        source: String::from_utf8_lossy(source).into_owned(),
        weight: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Cacheable for String {
        fn encode(&self) -> Vec<u8> {
            self.as_bytes().to_vec()
        }
        fn decode(bytes: &[u8]) -> Option<Self> {
            String::from_utf8(bytes.to_vec()).ok()
        }
    }

    #[test]
    fn round_trip_and_foreign_versions_miss() {
        let bytes = encode(&"hello".to_owned(), 42, "node-a");
        let e: Entry<String> = decode(&bytes).unwrap();
        assert_eq!(
            (e.value.as_str(), e.created_at, e.source.as_str()),
            ("hello", 42, "node-a")
        );
        let mut other = bytes.clone();
        other[2] = other[2].wrapping_add(1);
        assert!(decode::<String>(&other).is_none());
        assert!(decode::<String>(b"garbage").is_none());
        assert!(decode::<String>(&bytes[..10]).is_none());
    }
}
