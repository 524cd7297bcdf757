//! Test harness: a fresh database per test through the real migrations and the same start-up
//! code as `main`; GraphQL in-process or through the real HTTP router.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use fazhan::auth::{TokenKind, viewer};
use fazhan::graphql::{AppSchema, build_schema};
use fazhan::{AppState, Config, app};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tower::ServiceExt;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running service on a fresh database.
#[allow(dead_code)]
pub struct TestApp {
    pub state: AppState,
    pub schema: AppSchema,
    pub router: axum::Router,
    pub backend: Backend,
    cleanup: Cleanup,
}

/// What a test leaves behind, removed when the [`TestApp`] that owns it is dropped — also when
/// the test panics on a failed assertion.
enum Cleanup {
    File(std::path::PathBuf),
    Schema {
        admin_url: String,
        schema: String,
    },
    /// Another instance on the first one's database: the first one cleans up.
    Shared,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::File(file) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                }
            }
            Cleanup::Schema { admin_url, schema } => {
                drop_schema(admin_url.clone(), schema.clone());
            }
            Cleanup::Shared => {}
        }
    }
}

/// Drops a test's PostgreSQL schema from a `Drop`: on a thread of its own with a small runtime,
/// so it works inside a test's runtime (and while it unwinds) without blocking its workers'
/// tasks. A lock held by a task still running gives up after a while rather than hanging.
fn drop_schema(admin_url: String, schema: String) {
    let dropping = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            if let Ok(admin) = Database::connect(&admin_url).await {
                let _ = admin
                    .execute_unprepared(&format!(
                        "SET lock_timeout = '30s'; DROP SCHEMA \"{schema}\" CASCADE"
                    ))
                    .await;
                admin.close().await.ok();
            }
        });
    });
    let _ = dropping.join();
}

/// Runs a test body on SQLite and, when `TEST_DATABASE_URL` is set, on PostgreSQL.
macro_rules! db_test {
    ($(#[$meta:meta])* $name:ident, |$app:ident| $body:block) => {
        db_test!($(#[$meta])* $name, fazhan::Config::for_tests(String::new()), |$app| $body);
    };
    ($(#[$meta:meta])* $name:ident, $config:expr, |$app:ident| $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite, $config).await.expect("sqlite");
                $body
                $app.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres, $config).await else {
                    eprintln!("skipped: TEST_DATABASE_URL is not set");
                    return;
                };
                $body
                $app.cleanup().await;
            }
        }
    };
}

impl TestApp {
    /// A fresh, migrated, bootstrapped database; `None` for PostgreSQL without
    /// `TEST_DATABASE_URL`.
    pub async fn spawn(backend: Backend, config: Config) -> Option<TestApp> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (db, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join("fazhan-tests");
                std::fs::create_dir_all(&dir).unwrap();
                let file = dir.join(format!("{id}.db"));
                let url = format!("sqlite://{}?mode=rwc", file.display());
                (
                    app::connect_url(&url, 4, None).await.unwrap(),
                    Cleanup::File(file),
                )
            }
            Backend::Postgres => {
                let admin_url = std::env::var("TEST_DATABASE_URL")
                    .ok()
                    .filter(|u| !u.is_empty())?;
                let schema = format!("t_{id}");
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("TEST_DATABASE_URL answers");
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
                    .await
                    .unwrap();
                admin.close().await.ok();
                let db = app::connect_url(&admin_url, 4, Some(&schema))
                    .await
                    .unwrap();
                (db, Cleanup::Schema { admin_url, schema })
            }
        };
        app::migrate(&db).await.expect("migrations apply");
        Some(TestApp::start(db, config, backend, cleanup).await)
    }

    /// The service's state, schema and router on a migrated database.
    async fn start(
        db: sea_orm::DatabaseConnection,
        mut config: Config,
        backend: Backend,
        cleanup: Cleanup,
    ) -> TestApp {
        config.database_url = Some(String::from("test"));
        let state = app::state_for(db, config).await.expect("state");
        TestApp::serving(state, backend, cleanup)
    }

    /// The schema and router over `state`.
    fn serving(state: AppState, backend: Backend, cleanup: Cleanup) -> TestApp {
        let schema = build_schema(&state);
        let router = fazhan::http::router(state.clone());
        TestApp {
            state,
            schema,
            router,
            backend,
            cleanup,
        }
    }

    /// Another instance of the service on the same PostgreSQL schema, with its own state
    /// (caches, limits, event bus) and router, as a second replica behind a load balancer
    /// would be. `None` on SQLite.
    pub async fn another_instance(&self, config: Config) -> Option<TestApp> {
        let Cleanup::Schema { admin_url, schema } = &self.cleanup else {
            return None;
        };
        let db = app::connect_url(admin_url, 4, Some(schema)).await.unwrap();
        Some(TestApp::start(db, config, self.backend, Cleanup::Shared).await)
    }

    /// This instance with its lag-tolerant reads going to `replica`'s database (as
    /// `DATABASE_READ_URL` does); everything else stays on this one's.
    pub fn reading_from(&self, replica: &TestApp) -> TestApp {
        let mut state = self.state.clone();
        state.read_db = replica.state.db.clone();
        TestApp::serving(state, self.backend, Cleanup::Shared)
    }

    /// Closes the connections and drops the test's database (dropping the app does the same
    /// without waiting for the connections to close).
    pub async fn cleanup(self) {
        self.state.db.clone().close().await.ok();
        drop(self);
    }

    /// Loads the demo data set.
    pub async fn load_demo(&self) {
        assert!(
            fazhan::service::demo::load(&self.state.db)
                .await
                .expect("demo loads")
        );
    }

    /// A login-kind token for a user, issued with the service's keys.
    pub async fn token_for(&self, username: &str) -> String {
        self.issue(username, TokenKind::Login, chrono::Duration::hours(1))
            .await
            .0
    }

    /// A token of `kind` for a user valid for `lifetime` (negative: already expired), issued
    /// with the service's keys; with its expiry.
    pub async fn issue(
        &self,
        username: &str,
        kind: TokenKind,
        lifetime: chrono::Duration,
    ) -> (String, i64) {
        let user = fazhan::db::user::find_by_username(&self.state.db, username)
            .await
            .unwrap()
            .expect("user exists");
        let generation = user.token_generation;
        self.state
            .jwt
            .issue(user.id, generation, kind, lifetime)
            .unwrap()
    }

    /// Executes a document in-process as `username` (None: anonymous); returns the JSON response.
    pub async fn exec(&self, username: Option<&str>, query: &str, variables: Value) -> Value {
        let header = match username {
            Some(u) => Some(format!("Bearer {}", self.token_for(u).await)),
            None => None,
        };
        let viewer = viewer::resolve(
            &self.state.db,
            &self.state.jwt,
            &self.state.viewers,
            header.as_deref(),
        )
        .await
        .expect("valid viewer");
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables))
            .data(viewer)
            .data(fazhan::graphql::context::RequestInfo::new(None));
        let executed = fazhan::graphql::run::execute(&self.schema, &self.state, request).await;
        serde_json::to_value(executed.response).unwrap()
    }

    /// Executes and asserts there were no errors; returns `data`.
    pub async fn ok(&self, username: Option<&str>, query: &str, variables: Value) -> Value {
        let r = self.exec(username, query, variables).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r:#}");
        r["data"].clone()
    }

    /// Sends a request through the real router.
    pub async fn http(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
        let resp = self.router.clone().oneshot(request).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, headers, body)
    }

    /// GETs `uri` through the real router, without credentials.
    pub async fn get(&self, uri: &str) -> (StatusCode, HeaderMap, Value) {
        self.http(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// POSTs a GraphQL request over HTTP with an optional `Authorization` header.
    pub async fn post(
        &self,
        authorization: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json");
        if let Some(a) = authorization {
            req = req.header("authorization", a);
        }
        let body = json!({ "query": query, "variables": variables }).to_string();
        self.http(req.body(Body::from(body)).unwrap()).await
    }

    /// The global id of an organization by name.
    pub async fn org_id(&self, name: &str) -> String {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let org = entity::organization::Entity::find()
            .filter(entity::organization::Column::Name.eq(name))
            .one(&self.state.db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("organization {name} exists"));
        fazhan::graphql::ids::encode(fazhan::graphql::ids::NodeType::Organization, org.id).0
    }

    /// Asserts that the counters kept with every step equal a recomputation from the cases.
    pub async fn assert_counts_consistent(&self) {
        let diffs = fazhan::service::counts::verify(&self.state.db)
            .await
            .expect("verify runs");
        assert!(diffs.is_empty(), "counts differ: {diffs:#?}");
    }

    /// The global id of a user by username.
    pub async fn user_id(&self, username: &str) -> String {
        let user = fazhan::db::user::find_by_username(&self.state.db, username)
            .await
            .unwrap()
            .unwrap();
        fazhan::graphql::ids::encode(fazhan::graphql::ids::NodeType::User, user.id).0
    }
}

/// The `extensions.code` of the first error.
pub fn code(r: &Value) -> &str {
    r["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("an error with a code: {r:#}"))
}

/// Reads nested JSON by a dotted path, as chained indexing does (a missing step is `null`):
/// `r.at("data.candidate.stage")`; a number steps into an array (`"errors.0.extensions"`).
pub trait JsonPath {
    /// The value at `path`.
    fn at(&self, path: &str) -> &Value;
    /// The string at `path`, owned; panics when it is not a string.
    fn string_at(&self, path: &str) -> String {
        let v = self.at(path);
        v.as_str()
            .unwrap_or_else(|| panic!("a string at {path}: {v:#}"))
            .to_string()
    }
    /// The integers at `paths`, each `None` where there is none (compare with `[Some(1), …]`).
    fn ints_at(&self, paths: &[&str]) -> Vec<Option<i64>> {
        paths.iter().map(|p| self.at(p).as_i64()).collect()
    }
    /// The array at `path`; panics when it is not an array.
    fn array_at(&self, path: &str) -> &Vec<Value> {
        let v = self.at(path);
        v.as_array()
            .unwrap_or_else(|| panic!("an array at {path}: {v:#}"))
    }
}

impl JsonPath for Value {
    fn at(&self, path: &str) -> &Value {
        path.split('.')
            .fold(self, |v, step| match step.parse::<usize>() {
                Ok(i) if v.is_array() => &v[i],
                _ => &v[step],
            })
    }
}

/// The `extensions` of the first error (`rule`, `source`, `details` of a refusal).
pub fn ext(r: &Value) -> &Value {
    r.at("errors.0.extensions")
}

/// The `content-type` of a response.
pub fn content_type(headers: &HeaderMap) -> &str {
    headers["content-type"].to_str().unwrap()
}
