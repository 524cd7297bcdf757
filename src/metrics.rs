//! The operator's view (`/metrics`, Prometheus text format), one registry per instance:
//! GraphQL requests by operation and outcome, their latency, errors by `extensions.code`,
//! rate-limit refusals, the database pool, the viewer cache, open subscriptions, events received
//! from other instances, the overdue sweeper's last run and the SQL statements executed.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64};

/// Distinct operation names kept as labels; the rest are counted as `other` (names are chosen
/// by clients).
pub const MAX_OPERATION_NAMES: usize = 200;

/// An operation and how it ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub operation: String,
    pub outcome: String,
}

/// An operation.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    pub operation: String,
}

/// An error code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabels {
    pub code: String,
}

/// A state of the pool's connections.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    pub state: String,
}

/// A cache lookup's result.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    pub result: String,
}

fn latency() -> Histogram {
    // 1 ms … 8 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

/// One instance's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<OperationLabels, Histogram, fn() -> Histogram>,
    errors: Family<CodeLabels, Counter>,
    rate_limited: Counter,
    pool: Family<PoolLabels, Gauge>,
    /// Viewer-cache lookups (hits, misses), counted by the cache.
    pub viewer_cache: Family<CacheLabels, Counter>,
    /// Open `letterEvents` subscriptions.
    pub subscriptions: Gauge,
    /// When the overdue sweep last ran here (Unix seconds; 0: not yet).
    pub sweeper_last_run: Gauge<i64, AtomicI64>,
    sql_statements: Counter<u64, AtomicU64>,
    events_received: Counter<u64, AtomicU64>,
    names: Mutex<HashSet<String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric described.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("fazhan");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<OperationLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency as fn() -> Histogram,
        );
        let errors = Family::<CodeLabels, Counter>::default();
        let rate_limited = Counter::default();
        let pool = Family::<PoolLabels, Gauge>::default();
        let viewer_cache = Family::<CacheLabels, Counter>::default();
        let subscriptions = Gauge::default();
        let sweeper_last_run = Gauge::<i64, AtomicI64>::default();
        let sql_statements = Counter::<u64, AtomicU64>::default();
        let events_received = Counter::<u64, AtomicU64>::default();
        registry.register(
            "graphql_requests",
            "GraphQL requests by operation name and outcome (ok, error)",
            requests.clone(),
        );
        registry.register(
            "graphql_request_duration_seconds",
            "GraphQL request latency by operation name",
            latency.clone(),
        );
        registry.register(
            "graphql_errors",
            "GraphQL errors by extensions.code",
            errors.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests refused by a rate limit (RATE_LIMITED)",
            rate_limited.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database pool connections by state (in_use, idle, max), at scrape time",
            pool.clone(),
        );
        registry.register(
            "viewer_cache_lookups",
            "Viewer-cache lookups by result (hit, miss)",
            viewer_cache.clone(),
        );
        registry.register(
            "subscriptions_open",
            "Open letterEvents subscriptions",
            subscriptions.clone(),
        );
        registry.register(
            "overdue_sweep_last_run_seconds",
            "When this instance last ran the overdue sweep (Unix time)",
            sweeper_last_run.clone(),
        );
        registry.register(
            "sql_statements",
            "SQL statements executed",
            sql_statements.clone(),
        );
        registry.register(
            "events_received",
            "Events received from PostgreSQL NOTIFY (every instance's)",
            events_received.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            errors,
            rate_limited,
            pool,
            viewer_cache,
            subscriptions,
            sweeper_last_run,
            sql_statements,
            events_received,
            names: Mutex::new(HashSet::new()),
        }
    }

    /// The label for a client-chosen operation name: itself while few names are known, `other`
    /// beyond that; names that are not GraphQL names are `invalid`.
    fn operation(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "anonymous".into();
        };
        let valid = !name.is_empty()
            && name.len() <= 64
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return "invalid".into();
        }
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if names.contains(name) || names.len() < MAX_OPERATION_NAMES {
            names.insert(name.to_string());
            name.to_string()
        } else {
            "other".into()
        }
    }

    /// Records one GraphQL request: its operation, duration and error codes.
    pub fn request(&self, operation: Option<&str>, seconds: f64, codes: &[&str]) {
        let operation = self.operation(operation);
        let outcome = if codes.is_empty() { "ok" } else { "error" };
        self.requests
            .get_or_create(&RequestLabels {
                operation: operation.clone(),
                outcome: outcome.into(),
            })
            .inc();
        self.latency
            .get_or_create(&OperationLabels { operation })
            .observe(seconds);
        for code in codes {
            self.errors
                .get_or_create(&CodeLabels {
                    code: (*code).into(),
                })
                .inc();
            if *code == "RATE_LIMITED" {
                self.rate_limited.inc();
            }
        }
    }
}

/// The name of a document's first operation, when the request names none: `query Probe { … }`
/// → `Probe` (shorthand `{ … }` and unnamed operations have none).
pub fn first_operation_name(document: &str) -> Option<&str> {
    let mut rest = document.trim_start();
    while let Some(comment) = rest.strip_prefix('#') {
        rest = comment.split_once('\n').map_or("", |(_, r)| r).trim_start();
    }
    let rest = ["query", "mutation", "subscription"]
        .iter()
        .find_map(|k| rest.strip_prefix(k))
        .filter(|r| !r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))?;
    let rest = rest.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// Holds one open subscription in the gauge until dropped.
pub struct OpenSubscription(Gauge);

impl OpenSubscription {
    /// Counts a subscription as open.
    pub fn new(gauge: &Gauge) -> Self {
        gauge.inc();
        OpenSubscription(gauge.clone())
    }
}

impl Drop for OpenSubscription {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Metrics {
    /// The text exposition, with the scrape-time gauges set first.
    pub fn render(&self, pool: Option<(u32, u32, u32)>, sql: u64, events: u64) -> String {
        if let Some((size, idle, max)) = pool {
            for (state, n) in [
                ("in_use", size.saturating_sub(idle)),
                ("idle", idle),
                ("max", max),
            ] {
                self.pool
                    .get_or_create(&PoolLabels {
                        state: state.into(),
                    })
                    .set(i64::from(n));
            }
        }
        let bump = |c: &Counter<u64, AtomicU64>, to: u64| {
            let now = c.get();
            if to > now {
                c.inc_by(to - now);
            }
        };
        bump(&self.sql_statements, sql);
        bump(&self.events_received, events);
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_come_from_the_document() {
        assert_eq!(
            first_operation_name("query Probe { me { id } }"),
            Some("Probe")
        );
        assert_eq!(
            first_operation_name("# c\n mutation Go($a: Int) { x }"),
            Some("Go")
        );
        assert_eq!(first_operation_name("{ me { id } }"), None);
        assert_eq!(first_operation_name("query { me { id } }"), None);
        assert_eq!(first_operation_name("queryX { a }"), None);
    }

    #[test]
    fn requests_errors_and_limits_are_counted_with_bounded_names() {
        let m = Metrics::new();
        m.request(Some("IndicatorTable"), 0.004, &[]);
        m.request(Some("Login"), 0.002, &["RATE_LIMITED"]);
        m.request(Some("bad name!"), 0.001, &["BAD_USER_INPUT"]);
        let text = m.render(Some((5, 3, 16)), 42, 0);
        assert!(text.contains(
            r#"fazhan_graphql_requests_total{operation="IndicatorTable",outcome="ok"} 1"#
        ));
        assert!(text.contains(r#"fazhan_graphql_errors_total{code="RATE_LIMITED"} 1"#));
        assert!(text.contains("fazhan_rate_limited_total 1"));
        assert!(text.contains(r#"operation="invalid""#));
        assert!(text.contains(r#"fazhan_db_pool_connections{state="in_use"} 2"#));
        assert!(text.contains("fazhan_sql_statements_total 42"));
        for i in 0..MAX_OPERATION_NAMES + 5 {
            m.request(Some(&format!("Op{i}")), 0.001, &[]);
        }
        let text = m.render(None, 42, 0);
        assert!(text.contains(r#"operation="other""#));
    }
}
