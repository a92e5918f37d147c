//! API keys: `server.api_keys` (`EXTRACT_API_KEYS`) and
//! `server.api_key_hashes_file`, held as SHA-256 hashes and compared in
//! constant time. A key is never logged nor echoed; it is known by its id,
//! the first 8 hex digits of its hash.

use http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Config;

/// The accepted keys' hashes.
#[derive(Debug, Default)]
pub(crate) struct ApiKeys {
    hashes: Vec<[u8; 32]>,
}

/// What a request's credentials come to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// No key is asked for.
    Open,
    /// A valid key, by its id.
    Key(String),
    /// No key given.
    Missing,
    /// A key given that is not accepted.
    Invalid,
}

impl ApiKeys {
    /// The keys of `config`; an unreadable hashes file, or a line in it
    /// that is not a SHA-256 hash, stops the start naming it.
    pub(crate) fn load(config: &Config) -> anyhow::Result<ApiKeys> {
        let mut hashes: Vec<[u8; 32]> = config
            .server
            .api_keys
            .expose()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| Sha256::digest(k.as_bytes()).into())
            .collect();
        let file = config.server.api_key_hashes_file.trim();
        if !file.is_empty() {
            let text = std::fs::read_to_string(file).map_err(|e| {
                anyhow::anyhow!("server.api_key_hashes_file: cannot read {file}: {e}")
            })?;
            for (n, line) in text.lines().enumerate() {
                // `sha256sum` prints "<hash>  <name>": the first word counts.
                let word = line.split_whitespace().next().unwrap_or_default();
                if word.is_empty() || word.starts_with('#') {
                    continue;
                }
                let bytes = hex::decode(word)
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok());
                let Some(hash) = bytes else {
                    anyhow::bail!(
                        "server.api_key_hashes_file: line {} of {file} is not a SHA-256 hash in hex",
                        n + 1
                    );
                };
                hashes.push(hash);
            }
        }
        Ok(ApiKeys { hashes })
    }

    /// Whether any key is configured.
    pub(crate) fn enabled(&self) -> bool {
        !self.hashes.is_empty()
    }

    /// The verdict on a request's headers: `Authorization: Bearer <key>` or
    /// `x-api-key: <key>`. Every accepted hash is compared, in constant time.
    pub(crate) fn check(&self, headers: &HeaderMap) -> Verdict {
        if !self.enabled() {
            return Verdict::Open;
        }
        let bearer = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                // The scheme is case-insensitive (RFC 9110 §11.1).
                let (scheme, token) = v.trim_start().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then_some(token)
            });
        let given = bearer.or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()));
        let Some(given) = given.map(str::trim).filter(|k| !k.is_empty()) else {
            return Verdict::Missing;
        };
        let hash: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        let mut found = subtle::Choice::from(0);
        for h in &self.hashes {
            found |= h.ct_eq(&hash);
        }
        if bool::from(found) {
            Verdict::Key(hex::encode(&hash[..4]))
        } else {
            Verdict::Invalid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn keys_from_the_setting_and_a_file_of_hashes() {
        let dir = std::env::temp_dir().join(format!("api-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("keys.sha256");
        let third = hex::encode(Sha256::digest(b"third"));
        std::fs::write(&file, format!("# ops keys\n{third}  -\n\n")).unwrap();
        let mut c = Config::defaults();
        c.server.api_keys = extract_core::Secret::new("alpha, beta");
        c.server.api_key_hashes_file = file.to_string_lossy().into_owned();
        let keys = ApiKeys::load(&c).unwrap();
        let id = |k: &str| hex::encode(&Sha256::digest(k.as_bytes())[..4]);
        assert_eq!(
            keys.check(&headers(&[("authorization", "Bearer alpha")])),
            Verdict::Key(id("alpha"))
        );
        // The scheme in any case (RFC 9110 §11.1).
        for scheme in ["BEARER", "bearer", "bEaReR"] {
            assert_eq!(
                keys.check(&headers(&[("authorization", &format!("{scheme} alpha"))])),
                Verdict::Key(id("alpha")),
                "{scheme}"
            );
        }
        assert_eq!(
            keys.check(&headers(&[("x-api-key", "beta")])),
            Verdict::Key(id("beta"))
        );
        assert_eq!(
            keys.check(&headers(&[("x-api-key", "third")])),
            Verdict::Key(id("third"))
        );
        assert_eq!(
            keys.check(&headers(&[("x-api-key", "gamma")])),
            Verdict::Invalid
        );
        assert_eq!(keys.check(&headers(&[])), Verdict::Missing);
        assert_eq!(
            keys.check(&headers(&[("authorization", "Basic YWxwaGE=")])),
            Verdict::Missing
        );
        std::fs::write(&file, "not-a-hash\n").unwrap();
        let e = ApiKeys::load(&c).unwrap_err().to_string();
        assert!(
            e.contains("server.api_key_hashes_file") && e.contains("line 1"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            ApiKeys::load(&Config::defaults())
                .unwrap()
                .check(&headers(&[])),
            Verdict::Open
        );
    }
}
