//! `/__sandbox/…`: knobs, stats, the webhook receiver, the world's truth.

use std::collections::HashMap;

use http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::{header_pairs, json, lock, not_found, Hook, Knobs, ResBody, State, MAX_HOOKS};

pub(super) async fn control(
    state: &State,
    method: &Method,
    rest: &str,
    query: &str,
    req: Request<Incoming>,
) -> Response<ResBody> {
    match (method, rest) {
        (&Method::GET, "stats") => json(StatusCode::OK, &state.stats()),
        (&Method::POST, "reset") => {
            state.reset();
            json(StatusCode::OK, &state.stats())
        }
        (&Method::GET, "config") => json(StatusCode::OK, &state.knobs()),
        (&Method::GET, "hooks") => json(StatusCode::OK, &state.hooks()),
        (&Method::POST, hook) if hook.starts_with("hooks/") => {
            let path = format!("/__sandbox/{hook}");
            let headers = header_pairs(req.headers());
            let body = match http_body_util::Limited::new(req.into_body(), 1 << 20)
                .collect()
                .await
            {
                Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
                Err(e) => {
                    return json(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        &serde_json::json!({"error": e.to_string()}),
                    )
                }
            };
            {
                let mut hooks = lock(&state.hooks);
                if hooks.len() >= MAX_HOOKS {
                    hooks.pop_front();
                }
                hooks.push_back(Hook {
                    path,
                    headers,
                    body,
                });
            }
            json(StatusCode::OK, &serde_json::json!({"received": true}))
        }
        (&Method::POST, "config") => {
            let body = match http_body_util::Limited::new(req.into_body(), 64 * 1024)
                .collect()
                .await
            {
                Ok(b) => b.to_bytes(),
                Err(e) => {
                    return json(
                        StatusCode::BAD_REQUEST,
                        &serde_json::json!({"error": e.to_string()}),
                    )
                }
            };
            // Unset fields keep their current values.
            let mut current = serde_json::to_value(state.knobs()).unwrap_or_default();
            let patch: serde_json::Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(e) => {
                    return json(
                        StatusCode::BAD_REQUEST,
                        &serde_json::json!({"error": e.to_string()}),
                    )
                }
            };
            if let (Some(cur), Some(p)) = (current.as_object_mut(), patch.as_object()) {
                for (k, v) in p {
                    cur.insert(k.clone(), v.clone());
                }
            }
            match serde_json::from_value::<Knobs>(current) {
                Ok(k) => {
                    state.set_knobs(k);
                    json(StatusCode::OK, &state.knobs())
                }
                Err(e) => json(
                    StatusCode::BAD_REQUEST,
                    &serde_json::json!({"error": e.to_string()}),
                ),
            }
        }
        (&Method::GET, "companies") => {
            let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let offset: usize = params
                .get("offset")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let limit: usize = params
                .get("limit")
                .and_then(|v| v.parse().ok())
                .unwrap_or(100);
            let list: Vec<serde_json::Value> = state
                .world
                .companies()
                .iter()
                .skip(offset)
                .take(limit.min(10_000))
                .map(|c| serde_json::json!({"name": c.name, "domain": c.domain, "host": c.host, "style": c.style}))
                .collect();
            json(StatusCode::OK, &list)
        }
        (&Method::GET, r) if r.starts_with("truth/") => {
            let name = url::form_urlencoded::parse(format!("n={}", &r[6..]).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let comprehensive = query.contains("mode=comprehensive");
            match state.world.lookup(&name) {
                Some(c) if comprehensive => {
                    json(StatusCode::OK, &state.world.truth_comprehensive(c))
                }
                Some(c) => json(StatusCode::OK, &state.world.truth(c)),
                None => json(
                    StatusCode::NOT_FOUND,
                    &serde_json::json!({"error": format!("no company {name:?}")}),
                ),
            }
        }
        _ => not_found(rest),
    }
}
