//! Typed configuration, read once from the environment (12-factor). Every variable also has a
//! command-line flag; `fazhan --help` lists them.

use clap::{Args, ValueEnum};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the service runs: development generates what is missing, production refuses to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// JSON lines when stderr is not a terminal (a container, a log collector), text otherwise.
    Auto,
    Text,
    Json,
}

/// The service's configuration.
#[derive(Clone, Args)]
pub struct Config {
    /// Database URL (sqlite://… or postgres://…). Default: an SQLite file in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// A read-only replica (PostgreSQL streaming replica) for the reads that tolerate its lag:
    /// indicators, the per-child table and its export. Default: everything on `DATABASE_URL`.
    #[arg(long, env = "DATABASE_READ_URL", global = true)]
    pub database_read_url: Option<String>,
    /// Directory for the embedded database and other local state.
    #[arg(long, env = "FAZHAN_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Address to listen on.
    #[arg(
        long,
        env = "BIND_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind_addr: SocketAddr,
    /// development or production.
    #[arg(
        long = "env",
        env = "FAZHAN_ENV",
        value_enum,
        default_value = "development",
        global = true
    )]
    pub environment: Environment,
    /// Secret for signing tokens (HS256). Required in production; generated and kept in the
    /// database in development.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,
    /// Lifetime of a login token, in hours.
    #[arg(long, env = "JWT_TTL_HOURS", default_value_t = 12, global = true)]
    pub jwt_ttl_hours: u32,
    /// Password of the `admin` user created on first start (generated and printed once if unset).
    #[arg(
        long,
        env = "FAZHAN_ADMIN_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub admin_password: Option<String>,
    /// Maximum depth of a GraphQL query.
    #[arg(long, env = "GRAPHQL_MAX_DEPTH", default_value_t = 16, global = true)]
    pub max_depth: usize,
    /// Maximum complexity of a GraphQL query (a list field counts `first` × its selection).
    #[arg(
        long,
        env = "GRAPHQL_MAX_COMPLEXITY",
        default_value_t = 20_000,
        global = true
    )]
    pub max_complexity: usize,
    /// Largest page a connection returns (`first`).
    #[arg(
        long,
        env = "GRAPHQL_MAX_PAGE_SIZE",
        default_value_t = 100,
        global = true
    )]
    pub max_page_size: usize,
    /// How long a batch loader waits to gather keys before it queries, in milliseconds.
    #[arg(
        long,
        env = "GRAPHQL_LOADER_DELAY_MS",
        default_value_t = 1,
        global = true
    )]
    pub loader_delay_ms: u64,
    /// Largest request body, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 16 * 1024 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Largest file `POST /imports/…` takes, in bytes (spooled to a temporary file, not held in
    /// memory).
    #[arg(long, env = "MAX_IMPORT_BYTES", default_value_t = 256 * 1024 * 1024, global = true)]
    pub max_import_bytes: usize,
    /// Login attempts allowed per username per minute.
    #[arg(
        long,
        env = "LOGIN_ATTEMPTS_PER_MINUTE",
        default_value_t = 10,
        global = true
    )]
    pub login_attempts_per_minute: u32,
    /// Login attempts allowed per client address per minute (whatever the usernames).
    #[arg(
        long,
        env = "LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub login_attempts_per_address_per_minute: u32,
    /// Password checks (argon2) the whole process runs per second at most; attempts past it are
    /// `RATE_LIMITED` without a check.
    #[arg(
        long,
        env = "LOGIN_CHECKS_PER_SECOND",
        default_value_t = 8,
        global = true
    )]
    pub login_checks_per_second: u32,
    /// Duplicate ID-card numbers one user may be told about per hour (applications and
    /// imports); past it the request is `RATE_LIMITED`.
    #[arg(
        long,
        env = "DUPLICATE_CHECKS_PER_HOUR",
        default_value_t = 100,
        global = true
    )]
    pub duplicate_checks_per_hour: u32,
    /// ID-card numbers one user may have checked for duplicates per hour (every application or
    /// imported row counts), whatever is found.
    #[arg(
        long,
        env = "DUPLICATE_CHECK_NUMBERS_PER_HOUR",
        default_value_t = 200_000,
        global = true
    )]
    pub duplicate_check_numbers_per_hour: u32,
    /// How long a signed-in user's role and scope are reused without re-reading them, in
    /// milliseconds (0 = read on every request). Changes made through this service take effect at
    /// once; changes made elsewhere (another instance, the CLI) within this time.
    #[arg(long, env = "VIEWER_CACHE_MS", default_value_t = 5_000, global = true)]
    pub viewer_cache_ms: u64,
    /// Largest database pool.
    #[arg(long, env = "DB_MAX_CONNECTIONS", default_value_t = 16, global = true)]
    pub db_max_connections: u32,
    /// PostgreSQL connections kept beside the pool for the hottest reads (`node` on a case),
    /// run as hand-written statements without the pool's round trip on every release.
    #[arg(long, env = "DB_LANE_CONNECTIONS", default_value_t = 4, global = true)]
    pub db_lane_connections: u32,
    /// GraphQL operations executed at once over HTTP; more wait their turn in arrival order
    /// (0 = eight per CPU core). Executing more at once than the cores can run only holds more
    /// responses in memory and spreads the waiting unevenly.
    #[arg(
        long,
        env = "MAX_CONCURRENT_OPERATIONS",
        default_value_t = 0,
        global = true
    )]
    pub max_concurrent_operations: u32,
    /// Log format: auto (JSON when stderr is not a terminal), text or json.
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "auto",
        global = true
    )]
    pub log_format: LogFormat,
    /// Serve GraphiQL at `GET /graphql` for browsers: default on in development, off in
    /// production unless set.
    #[arg(long, env = "GRAPHIQL", global = true)]
    pub graphiql: Option<bool>,
    /// Bearer token required by `GET /metrics`. Without it, `/metrics` is open in development
    /// and not served (404) in production.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true, global = true)]
    pub metrics_token: Option<String>,
    /// Origins whose browser pages may call the API (comma-separated, e.g.
    /// `https://portal.example.cn`); none by default. Never a wildcard: requests carry bearer
    /// tokens.
    #[arg(
        long,
        env = "CORS_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_allowed_origins: Vec<String>,
}

impl Config {
    /// Whether GraphiQL is served.
    pub fn graphiql_enabled(&self) -> bool {
        self.graphiql
            .unwrap_or(self.environment != Environment::Production)
    }

    /// The database URL to connect to (the default SQLite file is created on first start).
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("fazhan.db").display()
            ),
        }
    }

    /// Whether the database is the embedded SQLite one.
    pub fn is_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// A configuration with every default, for tests and tools.
    pub fn for_tests(database_url: String) -> Self {
        Config {
            database_url: Some(database_url),
            database_read_url: None,
            data_dir: PathBuf::from("data"),
            bind_addr: "127.0.0.1:0".parse().expect("valid address"),
            environment: Environment::Development,
            jwt_secret: Some("test-secret-test-secret-test-secret".into()),
            jwt_ttl_hours: 12,
            admin_password: Some("admin-password-1".into()),
            max_depth: 16,
            max_complexity: 20_000,
            max_page_size: 100,
            loader_delay_ms: 1,
            max_body_bytes: 16 * 1024 * 1024,
            max_import_bytes: 256 * 1024 * 1024,
            login_attempts_per_minute: 10,
            login_attempts_per_address_per_minute: 30,
            login_checks_per_second: 8,
            duplicate_checks_per_hour: 100,
            duplicate_check_numbers_per_hour: 200_000,
            viewer_cache_ms: 5_000,
            db_max_connections: 8,
            db_lane_connections: 4,
            max_concurrent_operations: 0,
            log_format: LogFormat::Text,
            graphiql: None,
            metrics_token: None,
            cors_allowed_origins: vec![],
        }
    }
}

impl Config {
    /// GraphQL operations executed at once ([`Config::max_concurrent_operations`], resolved).
    pub fn concurrent_operations(&self) -> usize {
        match self.max_concurrent_operations {
            0 => 8 * std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n as usize,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url().split('@').next_back())
            .field("bind_addr", &self.bind_addr)
            .field("environment", &self.environment)
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("max_depth", &self.max_depth)
            .field("max_complexity", &self.max_complexity)
            .field("max_page_size", &self.max_page_size)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}
