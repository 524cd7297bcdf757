//! Writing the generated rows: PostgreSQL with `COPY`, SQLite with large batched inserts, each
//! table chunk in one transaction; secondary indexes dropped for the load and built after it.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Value};

/// A cell.
pub(super) enum V {
    I(i64),
    T(String),
    B(bool),
    D(NaiveDate),
    N,
    Now,
}

/// Rows gathered for one table.
pub(super) struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    pub(super) rows: Vec<Vec<V>>,
}

impl Table {
    pub(super) fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Table {
            name,
            columns,
            rows: Vec::new(),
        }
    }

    /// The rows gathered so far, leaving this table empty.
    pub(super) fn take(&mut self) -> Table {
        std::mem::replace(self, Table::new(self.name, self.columns))
    }
}

/// The secondary indexes of the bulk-loaded tables (PostgreSQL): dropped before the load and
/// built again after it, which sorts each index once instead of inserting millions of entries
/// one by one. Indexes that back a constraint (primary keys, unique constraints) stay. A seed
/// that fails between the two leaves a database to drop (a seed needs an empty one anyway).
pub(super) struct SecondaryIndexes(Vec<String>);

impl SecondaryIndexes {
    pub(super) async fn drop(db: &DatabaseConnection, tables: &[&str]) -> anyhow::Result<Self> {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(SecondaryIndexes(vec![]));
        }
        let list = tables
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                DatabaseBackend::Postgres,
                format!(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i \
                     WHERE i.schemaname = current_schema() AND i.tablename IN ({list}) \
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) \
                     ORDER BY i.indexname"
                ),
            ))
            .await?;
        let mut definitions = vec![];
        for row in rows {
            let name: String = row.try_get("", "indexname")?;
            definitions.push(row.try_get::<String>("", "indexdef")?);
            db.execute_unprepared(&format!("DROP INDEX \"{name}\""))
                .await?;
        }
        Ok(SecondaryIndexes(definitions))
    }

    pub(super) async fn recreate(self, db: &DatabaseConnection) -> anyhow::Result<()> {
        for definition in self.0 {
            db.execute_unprepared(&definition).await?;
        }
        Ok(())
    }
}

/// Writes batches of tables while the next batch is generated: on PostgreSQL up to two batches
/// at once, each on its own connection (a batch's tables in order, for their foreign keys), so
/// that both cores work; on SQLite (one writer) in line.
pub(super) struct Writer {
    db: DatabaseConnection,
    parallel: usize,
    running: std::collections::VecDeque<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Writer {
    pub(super) fn new(db: &DatabaseConnection) -> Self {
        let parallel = match db.get_database_backend() {
            DatabaseBackend::Postgres => 2,
            _ => 1,
        };
        Writer {
            db: db.clone(),
            parallel,
            running: Default::default(),
        }
    }

    /// Writes the tables (in order), in the background when another writer is free.
    pub(super) async fn write(&mut self, tables: Vec<Table>) -> anyhow::Result<()> {
        if self.parallel <= 1 {
            for mut t in tables {
                flush(&self.db, &mut t).await?;
            }
            return Ok(());
        }
        while self.running.len() >= self.parallel {
            self.wait_oldest().await?;
        }
        let db = self.db.clone();
        self.running.push_back(tokio::spawn(async move {
            for mut t in tables {
                flush(&db, &mut t).await?;
            }
            Ok(())
        }));
        Ok(())
    }

    async fn wait_oldest(&mut self) -> anyhow::Result<()> {
        if let Some(task) = self.running.pop_front() {
            task.await??;
        }
        Ok(())
    }

    /// Waits until everything is written.
    pub(super) async fn finish(&mut self) -> anyhow::Result<()> {
        while !self.running.is_empty() {
            self.wait_oldest().await?;
        }
        Ok(())
    }
}

fn csv_field(v: &V, now: &str, out: &mut String) {
    match v {
        V::I(i) => out.push_str(&i.to_string()),
        V::T(s) => {
            out.push('"');
            out.push_str(&s.replace('"', "\"\""));
            out.push('"');
        }
        V::B(b) => out.push_str(if *b { "t" } else { "f" }),
        V::D(d) => out.push_str(&d.to_string()),
        V::N => {}
        V::Now => out.push_str(now),
    }
}

/// Writes a table's rows and empties it.
pub(super) async fn flush(db: &DatabaseConnection, t: &mut Table) -> anyhow::Result<()> {
    if t.rows.is_empty() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            use sea_orm::sqlx::postgres::PgPoolCopyExt;
            let now_s = now.to_rfc3339();
            let mut buf = String::with_capacity(t.rows.len() * 64);
            for row in &t.rows {
                for (i, v) in row.iter().enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    csv_field(v, &now_s, &mut buf);
                }
                buf.push('\n');
            }
            let pool = db.get_postgres_connection_pool();
            let mut copy = pool
                .copy_in_raw(&format!(
                    "COPY {} ({}) FROM STDIN WITH (FORMAT csv)",
                    t.name,
                    t.columns.join(", ")
                ))
                .await?;
            copy.send(buf.into_bytes()).await?;
            copy.finish().await?;
        }
        _ => {
            let per = (30_000 / t.columns.len()).max(1);
            let txn = crate::db::begin_write(db).await?;
            for chunk in t.rows.chunks(per) {
                let row = format!("({})", vec!["?"; t.columns.len()].join(", "));
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES {}",
                    t.name,
                    t.columns.join(", "),
                    vec![row; chunk.len()].join(", ")
                );
                let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * t.columns.len());
                for r in chunk {
                    for v in r {
                        values.push(match v {
                            V::I(i) => Value::from(*i),
                            V::T(s) => Value::from(s.clone()),
                            V::B(b) => Value::from(*b),
                            V::D(d) => Value::from(*d),
                            V::N => Value::String(None),
                            V::Now => Value::from(now),
                        });
                    }
                }
                txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                    DatabaseBackend::Sqlite,
                    sql,
                    values,
                ))
                .await?;
            }
            txn.commit().await?;
        }
    }
    t.rows.clear();
    Ok(())
}
