//! Crash safety: the real server process is killed (SIGKILL) while a 10,000-row file import
//! (`POST /imports/candidates`) runs;
//! after a restart the import is all there or not there at all, and the retry with the same
//! idempotency key imports exactly once. On SQLite and, with `TEST_DATABASE_URL`, PostgreSQL.

use crate::fixtures::id_card;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ROWS: usize = 10_000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `fazhan serve --demo` on `database_url` and waits until it answers.
async fn start(database_url: &str, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fazhan"))
        .args(["serve", "--demo"])
        .env("DATABASE_URL", database_url)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", "crash-test-secret-crash-test-secret")
        .env("FAZHAN_ADMIN_PASSWORD", "crash-admin-pass-1")
        .env("DUPLICATE_CHECK_NUMBERS_PER_HOUR", "1000000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the fazhan binary starts");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not become ready");
}

async fn graphql(port: u16, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().json().await.unwrap()
}

async fn login(port: u16) -> String {
    let r = graphql(port, None, "mutation { login(input: {username: \"street.organizer\", password: \"demo-pass-2026\"}) { token } }", json!({})).await;
    r["data"]["login"]["token"]
        .as_str()
        .expect("a token")
        .to_string()
}

async fn cases(port: u16, token: &str) -> i64 {
    let r = graphql(
        port,
        Some(token),
        "{ candidates { totalCount } }",
        json!({}),
    )
    .await;
    r["data"]["candidates"]["totalCount"]
        .as_i64()
        .expect("a count")
}

async fn killed_mid_import_then_retried(database_url: &str) {
    let port = free_port();
    let mut server = start(database_url, port).await;
    let token = login(port).await;
    let branch = graphql(
        port,
        Some(&token),
        "{ organizations(search: \"和平社区第一党支部\") { edges { node { id } } } }",
        json!({}),
    )
    .await["data"]["organizations"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut file =
        String::from("姓名,性别,出生日期,身份证号,学历,职业类别,递交申请日期,所属党组织ID\n");
    for i in 0..ROWS {
        // Distinct numbers: a birth date per row for ten years of days, then the sequence.
        let day = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
            + chrono::Duration::days((i % 3650) as i64);
        let birth = day.to_string();
        let seq = 100 + (i / 3650) as u32;
        file.push_str(&format!(
            "导入{i},女,{birth},{},大学本科,工人,2025-03-03,{branch}\n",
            id_card(&birth, seq)
        ));
    }
    let in_flight = {
        let (token, file) = (token.clone(), file.clone());
        tokio::spawn(async move { upload(port, &token, file).await })
    };
    // Kill the process while the import is being validated or written.
    tokio::time::sleep(Duration::from_millis(350)).await;
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = in_flight.await;
    let port = free_port();
    let mut server = start(database_url, port).await;
    let token = login(port).await;
    let after_crash = cases(port, &token).await;
    eprintln!(
        "after the crash ({}): {after_crash} cases",
        &database_url[..8]
    );
    assert!(
        after_crash == 0 || after_crash == ROWS as i64,
        "a crash left a partial import: {after_crash} cases"
    );
    let r = upload(port, &token, file.clone()).await.expect("an answer");
    assert!(
        r.get("errors").is_none(),
        "{}",
        &r.to_string()[..r.to_string().len().min(2000)]
    );
    assert_eq!(r["imported"], ROWS);
    assert_eq!(
        r["replayed"],
        after_crash == ROWS as i64,
        "a retry after a crash that imported nothing imports; after one that committed it replays"
    );
    assert_eq!(cases(port, &token).await, ROWS as i64);
    // And once more: the first result, nothing new.
    let r = upload(port, &token, file).await.expect("an answer");
    assert_eq!(r["replayed"], true);
    assert_eq!(cases(port, &token).await, ROWS as i64);
    server.kill().unwrap();
    server.wait().unwrap();
}

/// The file import with the key `crash-import-1`, tolerating the connection dying with the
/// server.
async fn upload(port: u16, token: &str, file: String) -> Option<Value> {
    reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/imports/candidates"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .header("idempotency-key", "crash-import-1")
        .body(file)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_import_leaves_nothing_and_its_retry_imports_once_sqlite() {
    let dir = std::env::temp_dir().join("fazhan-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("crash-{}.db", uuid::Uuid::new_v4().simple()));
    killed_mid_import_then_retried(&format!("sqlite://{}?mode=rwc", file.display())).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_import_leaves_nothing_and_its_retry_imports_once_postgres() {
    use sea_orm::{ConnectionTrait, Database};
    let Some(admin_url) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let name = format!("crash_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&admin_url).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    killed_mid_import_then_retried(&format!("{base}/{name}")).await;
    admin
        .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
        .ok();
}

#[test]
fn production_refuses_to_serve_the_demo_data_set() {
    let dir = std::env::temp_dir().join(format!("fazhan-prod-{}", uuid::Uuid::new_v4().simple()));
    let out = Command::new(env!("CARGO_BIN_EXE_fazhan"))
        .args(["serve", "--demo"])
        .env("FAZHAN_ENV", "production")
        .env("FAZHAN_DATA_DIR", &dir)
        .env("JWT_SECRET", "production-secret-production-secret-x")
        .env("BIND_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("RUST_LOG", "warn")
        .output()
        .expect("the fazhan binary runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success(), "production served the demo data set");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--demo"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
