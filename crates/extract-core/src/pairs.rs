//! `(key, value)` text pairs as a JSON object, in their order: the
//! caller's own columns of a batch record and of an export row. Values read
//! may be strings, numbers or booleans (kept as their text), or null (empty).
//! Use with `#[serde(with = "extract_core::pairs")]` on a `Vec<(String, String)>`.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserializer, Serializer};

/// Writes the pairs as one object, in order.
pub fn serialize<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// Reads an object as pairs, in the order written.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    struct Pairs;
    impl<'de> Visitor<'de> for Pairs {
        type Value = Vec<(String, String)>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of strings, numbers or booleans")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::Bool(_) | serde_json::Value::Number(_) => v.to_string(),
                    _ => {
                        return Err(serde::de::Error::custom(format!(
                            "{k} must be a string, a number or a boolean"
                        )))
                    }
                };
                out.push((k, v));
            }
            Ok(out)
        }
    }
    d.deserialize_map(Pairs)
}
