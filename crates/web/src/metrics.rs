//! HTTP request counts and latencies, kept in memory per process, and the
//! middleware that records them. Routes are labelled by their pattern
//! (`/api/v1/links/{key}`), never by the raw path, so labels stay few.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default)]
struct Latency {
    /// Counts per bucket of `BUCKETS`, not cumulative.
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

#[derive(Debug, Default)]
pub struct HttpMetrics {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Latency>,
}

impl HttpMetrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut inner = self.lock();
        *inner
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let latency = inner.latency.entry(route.to_owned()).or_default();
        latency.count += 1;
        latency.sum_seconds += seconds;
        if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            latency.buckets[i] += 1;
        }
    }

    /// The Prometheus text exposition of what was recorded.
    pub fn render(&self, out: &mut String) {
        let inner = self.lock();
        out.push_str("# HELP startlink_http_requests_total HTTP requests by method, route pattern and status.\n");
        out.push_str("# TYPE startlink_http_requests_total counter\n");
        for ((method, route, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "startlink_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP startlink_http_request_duration_seconds Time to the response head, by route pattern.\n");
        out.push_str("# TYPE startlink_http_request_duration_seconds histogram\n");
        for (route, latency) in &inner.latency {
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(latency.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "startlink_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "startlink_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                latency.count
            );
            let _ = writeln!(
                out,
                "startlink_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                latency.sum_seconds
            );
            let _ = writeln!(
                out,
                "startlink_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                latency.count
            );
        }
    }
}

/// Records every request that reached a route of this application.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    state.metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_counts_agree() {
        let metrics = HttpMetrics::default();
        metrics.record("GET", "/a", 200, 0.003);
        metrics.record("GET", "/a", 200, 0.2);
        metrics.record("POST", "/a", 403, 20.0);
        let mut out = String::new();
        metrics.render(&mut out);
        assert!(
            out.contains(
                "startlink_http_requests_total{method=\"GET\",route=\"/a\",status=\"200\"} 2"
            ),
            "{out}"
        );
        assert!(
            out.contains("_bucket{route=\"/a\",le=\"0.005\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("_bucket{route=\"/a\",le=\"0.25\"} 2\n"),
            "{out}"
        );
        assert!(out.contains("_bucket{route=\"/a\",le=\"10\"} 2\n"), "{out}");
        assert!(
            out.contains("_bucket{route=\"/a\",le=\"+Inf\"} 3\n"),
            "{out}"
        );
        assert!(out.contains("_count{route=\"/a\"} 3\n"), "{out}");
    }
}
