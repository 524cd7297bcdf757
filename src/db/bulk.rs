//! Bulk writes for file imports: one transaction that takes rows batch by batch. On PostgreSQL
//! the rows go in with `COPY … FROM STDIN` in the binary format ([`super::copy_binary`]), sent
//! piece by piece as they are encoded (ids drawn from the tables' sequences first, so a
//! candidate's row can name its person's); elsewhere with multi-row inserts. The transaction is
//! also a [`ConnectionTrait`], so counters, audit and idempotency rows are written through the
//! same functions as everywhere else, in the same transaction.

use super::copy_binary::BinaryRows;
use crate::domain::pipeline::person::{PersonRecord, join_occupations};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, ExecResult, QueryResult, RuntimeErr, Statement,
};
use sea_query_sqlx::SqlxValues;
use std::sync::Arc;

/// A new application: the person and the case's first step.
pub struct NewApplication<'a> {
    pub organization_id: i64,
    pub applied_on: NaiveDate,
    pub person: &'a PersonRecord,
}

impl<'a> NewApplication<'a> {
    /// `person`'s application to `organization_id` on `applied_on`.
    pub fn new(organization_id: i64, applied_on: NaiveDate, person: &'a PersonRecord) -> Self {
        NewApplication {
            organization_id,
            applied_on,
            person,
        }
    }
}

/// A new Party member.
pub struct NewMember<'a> {
    pub organization_id: i64,
    pub person: &'a PersonRecord,
    pub member_since: Option<NaiveDate>,
    pub under_party_probation: bool,
}

/// Who records the rows (each application's first event names them).
#[derive(Clone, Copy)]
pub struct Recorder<'a> {
    pub user_id: i64,
    pub role: &'a str,
    pub at: DateTime<Utc>,
    /// The note on each first event (how the rows came in).
    pub note: &'a str,
}

/// Rows the callers hand over at a time (the SeaORM path splits them further to stay under
/// the databases' bound-parameter limits). A file import holds up to three batches at once
/// (one written, one waiting, one being validated): 2,500 rows kept its peak memory growth
/// under 16 MB where 5,000 did not, at the same speed.
pub const BATCH_ROWS: usize = 2_500;

/// Rows per multi-row insert on the SeaORM path (25 columns × 1,000 stays under SQLite's
/// 32,766 and PostgreSQL's 65,535 bound parameters).
const INSERT_ROWS: usize = 1_000;

/// A transaction that takes bulk rows.
pub enum BulkTxn {
    /// A PostgreSQL transaction on one pooled connection, for `COPY`.
    Postgres(tokio::sync::Mutex<PgBulk>),
    /// Any other database, through SeaORM.
    Other(DatabaseTransaction),
}

/// The PostgreSQL side of a bulk transaction: the transaction, the sequences that number new
/// rows, and how the new rows' references are checked.
pub struct PgBulk {
    tx: PgTransaction,
    /// OIDs of the sequences of `people.id` and `candidates.id` (looked up once: a lookup per
    /// row took a tenth of the server's time in a 100,000-row import).
    sequences: (i64, i64),
    /// The rows' references are checked once per import, not row by row (see
    /// [`ReferenceChecks`]).
    checks: ReferenceChecks,
    /// Organizations the rows written so far name.
    organizations: std::collections::BTreeSet<i64>,
}

/// How the foreign keys of the copied rows are checked.
///
/// PostgreSQL checks a foreign key with one query per inserted row (a trigger): for an
/// application that is four queries (person → organization, case → person, case → organization,
/// event → case), which took more than half of the server's time in a 100,000-row import. The
/// rows an import copies refer only to rows it wrote itself in the same transaction (ids drawn
/// from the sequences just before) and to organizations; so, where the service's role may set
/// `session_replication_role` (a superuser, or on PostgreSQL 15+ a role granted
/// `SET ON PARAMETER session_replication_role`), the `COPY` statements run without the per-row
/// triggers and the organizations are checked and locked once, as a set, before the commit
/// (`FOR KEY SHARE`, the lock the per-row checks would take). Elsewhere the triggers run as usual.
/// `replica` turns off every ordinary trigger too, not only the foreign keys' ones: the schema
/// has none today; one added to `people`, `candidates` or `candidate_events` would be skipped by
/// imports and must be accounted for here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceChecks {
    /// Row by row, by PostgreSQL's triggers.
    PerRow,
    /// Once per import, as a set.
    PerImport,
}

fn sqlx_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(e)))
}

fn query(stmt: Statement) -> sqlx::query::Query<'static, sqlx::Postgres, SqlxValues> {
    sqlx::query_with(
        sqlx::AssertSqlSafe(stmt.sql),
        SqlxValues(stmt.values.unwrap_or(sea_orm::sea_query::Values(vec![]))),
    )
}

impl BulkTxn {
    /// Begins the transaction.
    pub async fn begin(db: &DatabaseConnection) -> Result<BulkTxn, DbErr> {
        if db.get_database_backend() == DbBackend::Postgres {
            let pool = db.get_postgres_connection_pool();
            let checks = reference_checks(pool).await?;
            let mut tx = pool.begin().await.map_err(sqlx_err)?;
            let sequences = sqlx::query_as(
                "SELECT pg_get_serial_sequence('people', 'id')::regclass::oid::int8, \
                 pg_get_serial_sequence('candidates', 'id')::regclass::oid::int8",
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(sqlx_err)?;
            Ok(BulkTxn::Postgres(tokio::sync::Mutex::new(PgBulk {
                tx,
                sequences,
                checks,
                organizations: Default::default(),
            })))
        } else {
            Ok(BulkTxn::Other(super::begin_write(db).await?))
        }
    }

    /// Commits everything written.
    pub async fn commit(self) -> Result<(), DbErr> {
        match self {
            BulkTxn::Postgres(bulk) => {
                let mut bulk = bulk.into_inner();
                if bulk.checks == ReferenceChecks::PerImport {
                    lock_organizations(&mut bulk.tx, &bulk.organizations).await?;
                }
                bulk.tx.commit().await.map_err(sqlx_err)
            }
            BulkTxn::Other(tx) => tx.commit().await,
        }
    }

    /// Undoes everything written.
    pub async fn rollback(self) -> Result<(), DbErr> {
        match self {
            BulkTxn::Postgres(bulk) => bulk.into_inner().tx.rollback().await.map_err(sqlx_err),
            BulkTxn::Other(tx) => tx.rollback().await,
        }
    }

    /// Writes applications: a person, a case at step 1 and its event for each.
    pub async fn insert_applications(
        &self,
        rows: &[NewApplication<'_>],
        by: Recorder<'_>,
    ) -> Result<(), DbErr> {
        match self {
            _ if rows.is_empty() => Ok(()),
            BulkTxn::Postgres(bulk) => copy_applications(&mut *bulk.lock().await, rows, by).await,
            BulkTxn::Other(tx) => insert_applications_with(tx, rows, by).await,
        }
    }

    /// Writes Party members.
    pub async fn insert_members(
        &self,
        rows: &[NewMember<'_>],
        at: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        match self {
            _ if rows.is_empty() => Ok(()),
            BulkTxn::Postgres(bulk) => copy_members(&mut *bulk.lock().await, rows, at).await,
            BulkTxn::Other(tx) => insert_members_with(tx, rows).await,
        }
    }
}

/// A PostgreSQL transaction that takes `COPY`.
type PgTransaction = sqlx::Transaction<'static, sqlx::Postgres>;

/// Whether this connection's role may copy rows without the per-row foreign-key triggers.
async fn reference_checks(pool: &sqlx::PgPool) -> Result<ReferenceChecks, DbErr> {
    let (superuser, version): (bool, i32) = sqlx::query_as(
        "SELECT current_setting('is_superuser') = 'on', \
         current_setting('server_version_num')::int4",
    )
    .fetch_one(pool)
    .await
    .map_err(sqlx_err)?;
    let granted = !superuser
        && version >= 150_000
        && sqlx::query_scalar::<_, bool>(
            "SELECT has_parameter_privilege('session_replication_role', 'SET')",
        )
        .fetch_one(pool)
        .await
        .map_err(sqlx_err)?;
    Ok(if superuser || granted {
        ReferenceChecks::PerImport
    } else {
        ReferenceChecks::PerRow
    })
}

/// Checks and locks, as a set, the organizations the copied rows name: each must exist, and
/// none may be deleted or renumbered until the commit (`FOR KEY SHARE`, as the per-row checks
/// would lock them).
async fn lock_organizations(
    tx: &mut PgTransaction,
    ids: &std::collections::BTreeSet<i64>,
) -> Result<(), DbErr> {
    let ids: Vec<i64> = ids.iter().copied().collect();
    let found: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM organizations WHERE id = ANY($1) ORDER BY id FOR KEY SHARE",
    )
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(sqlx_err)?;
    match ids.iter().find(|id| found.binary_search(id).is_err()) {
        None => Ok(()),
        Some(missing) => Err(DbErr::Custom(format!(
            "imported rows name organization {missing}, which does not exist"
        ))),
    }
}

/// Before an import's `COPY` statements: records the organizations the rows name and, when
/// the import checks references as a set, turns the per-row triggers off until
/// [`end_copies`].
async fn begin_copies(
    bulk: &mut PgBulk,
    organizations: impl Iterator<Item = i64>,
) -> Result<(), DbErr> {
    bulk.organizations.extend(organizations);
    match bulk.checks {
        ReferenceChecks::PerRow => Ok(()),
        ReferenceChecks::PerImport => set_replication_role(&mut bulk.tx, "replica").await,
    }
}

/// After an import's `COPY` statements: the triggers on again for whatever else the
/// transaction writes.
async fn end_copies(bulk: &mut PgBulk) -> Result<(), DbErr> {
    match bulk.checks {
        ReferenceChecks::PerRow => Ok(()),
        ReferenceChecks::PerImport => set_replication_role(&mut bulk.tx, "origin").await,
    }
}

async fn set_replication_role(tx: &mut PgTransaction, role: &str) -> Result<(), DbErr> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "SET LOCAL session_replication_role = {role}"
    )))
    .execute(&mut **tx)
    .await
    .map(|_| ())
    .map_err(sqlx_err)
}

/// Draws ids for `n` applications: a person's and a case's each, from the sequences with the
/// OIDs `sequences`.
async fn draw_ids(
    tx: &mut PgTransaction,
    sequences: (i64, i64),
    n: usize,
) -> Result<Vec<(i64, i64)>, DbErr> {
    sqlx::query_as(
        "SELECT nextval($1::oid::regclass), nextval($2::oid::regclass) \
         FROM generate_series(1, $3)",
    )
    .bind(sequences.0)
    .bind(sequences.1)
    .bind(n as i64)
    .fetch_all(&mut **tx)
    .await
    .map_err(sqlx_err)
}

/// Applications with `COPY`, their ids drawn first so that a case names its person.
async fn copy_applications(
    bulk: &mut PgBulk,
    rows: &[NewApplication<'_>],
    by: Recorder<'_>,
) -> Result<(), DbErr> {
    let ids = draw_ids(&mut bulk.tx, bulk.sequences, rows.len()).await?;
    let step = application_step();
    begin_copies(bulk, rows.iter().map(|r| r.organization_id)).await?;
    let tx = &mut bulk.tx;
    let rows_with_ids = || rows.iter().zip(&ids);
    copy(
        tx,
        PEOPLE_COPY,
        rows_with_ids(),
        |out, (r, (person_id, _))| {
            person_row(out, *person_id, r.organization_id, r.person, None, by.at)
        },
    )
    .await?;
    copy(
        tx,
        "COPY candidates (id, person_id, organization_id, stage, version, applied_on, \
         extended, invalidated, created_at, updated_at) FROM STDIN (FORMAT binary)",
        rows_with_ids(),
        |out, (r, (person_id, case_id))| {
            out.row(10)
                .int8(*case_id)
                .int8(*person_id)
                .int8(r.organization_id)
                .text("APPLICANT")
                .int4(1)
                .date(r.applied_on)
                .bool(false)
                .bool(false)
                .timestamptz(by.at)
                .timestamptz(by.at);
        },
    )
    .await?;
    copy(
        tx,
        "COPY candidate_events (candidate_id, step, step_number, occurred_on, \
         recorded_at, actor_user_id, organization_id, details, warnings, note, \
         actor_role) FROM STDIN (FORMAT binary)",
        rows_with_ids(),
        |out, (r, (_, case_id))| {
            out.row(11)
                .int8(*case_id)
                .text(&step)
                .int2(1)
                .date(r.applied_on)
                .timestamptz(by.at)
                .int8(by.user_id)
                .int8(r.organization_id)
                .text(&application_details(r.organization_id))
                .text("[]")
                .text(by.note)
                .text(by.role);
        },
    )
    .await?;
    end_copies(bulk).await
}

/// Party members with `COPY`.
async fn copy_members(
    bulk: &mut PgBulk,
    rows: &[NewMember<'_>],
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let ids: Vec<(i64,)> =
        sqlx::query_as("SELECT nextval($1::oid::regclass) FROM generate_series(1, $2)")
            .bind(bulk.sequences.0)
            .bind(rows.len() as i64)
            .fetch_all(&mut *bulk.tx)
            .await
            .map_err(sqlx_err)?;
    begin_copies(bulk, rows.iter().map(|r| r.organization_id)).await?;
    copy(
        &mut bulk.tx,
        PEOPLE_COPY,
        rows.iter().zip(&ids),
        |out, (r, (id,))| {
            let member = Some((r.member_since, r.under_party_probation));
            person_row(out, *id, r.organization_id, r.person, member, at)
        },
    )
    .await?;
    end_copies(bulk).await
}

/// Party members with multi-row inserts (the SeaORM path).
async fn insert_members_with(
    tx: &DatabaseTransaction,
    rows: &[NewMember<'_>],
) -> Result<(), DbErr> {
    for rows in rows.chunks(INSERT_ROWS) {
        let models = rows.iter().map(|r| {
            let member = Some((r.member_since, r.under_party_probation));
            super::person::new_row(r.organization_id, r.person, member)
        });
        entity::person::Entity::insert_many(models).exec(tx).await?;
    }
    Ok(())
}

/// Applications with multi-row inserts (the SeaORM path).
async fn insert_applications_with(
    tx: &DatabaseTransaction,
    rows: &[NewApplication<'_>],
    by: Recorder<'_>,
) -> Result<(), DbErr> {
    for rows in rows.chunks(INSERT_ROWS) {
        insert_application_chunk(tx, rows, by).await?;
    }
    Ok(())
}

/// One multi-row insert per table for applications.
async fn insert_application_chunk(
    tx: &DatabaseTransaction,
    rows: &[NewApplication<'_>],
    by: Recorder<'_>,
) -> Result<(), DbErr> {
    let people = rows
        .iter()
        .map(|r| super::person::new_row(r.organization_id, r.person, None));
    let person_ids = entity::person::Entity::insert_many(people)
        .exec_with_returning_keys(tx)
        .await?;
    let cases = rows
        .iter()
        .zip(person_ids)
        .map(|(r, id)| case_row(r, id, by));
    let case_ids = entity::candidate::Entity::insert_many(cases)
        .exec_with_returning_keys(tx)
        .await?;
    let events = rows
        .iter()
        .zip(case_ids)
        .map(|(r, id)| event_row(r, id, by));
    entity::candidate_event::Entity::insert_many(events)
        .exec(tx)
        .await?;
    Ok(())
}

/// An application's case at step 1.
fn case_row(
    r: &NewApplication<'_>,
    person_id: i64,
    by: Recorder<'_>,
) -> entity::candidate::ActiveModel {
    entity::candidate::ActiveModel {
        person_id: Set(person_id),
        organization_id: Set(r.organization_id),
        stage: Set("APPLICANT".into()),
        version: Set(1),
        applied_on: Set(r.applied_on),
        extended: Set(false),
        invalidated: Set(false),
        created_at: Set(by.at),
        updated_at: Set(by.at),
        ..Default::default()
    }
}

/// An application's first event.
fn event_row(
    r: &NewApplication<'_>,
    case_id: i64,
    by: Recorder<'_>,
) -> entity::candidate_event::ActiveModel {
    entity::candidate_event::ActiveModel {
        candidate_id: Set(case_id),
        step: Set(application_step()),
        step_number: Set(1),
        occurred_on: Set(r.applied_on),
        recorded_at: Set(by.at),
        actor_user_id: Set(by.user_id),
        organization_id: Set(r.organization_id),
        details: Set(application_details(r.organization_id)),
        warnings: Set("[]".into()),
        corrects_event_id: Set(None),
        note: Set(Some(by.note.into())),
        actor_role: Set(Some(by.role.into())),
        ..Default::default()
    }
}

/// The first step's stored name (as the pipeline writes it).
fn application_step() -> String {
    crate::domain::pipeline::model::StepDetails::SubmitApplication { organization_id: 0 }.name()
}

fn application_details(organization_id: i64) -> String {
    serde_json::to_string(
        &crate::domain::pipeline::model::StepDetails::SubmitApplication { organization_id },
    )
    .unwrap_or_default()
}

const PEOPLE_COPY: &str = "COPY people (id, organization_id, name, gender, ethnicity, birth_date, \
     id_card_number, phone, education, occupations, is_frontline, is_league_member, \
     household_registration, is_migrant, outflow_organization_id, outflow_organization_name, \
     residence_organization_id, is_business_owner, is_high_level_talent, has_political_violation, \
     expected_departure_on, is_party_member, party_member_since, under_party_probation, \
     created_at, updated_at) FROM STDIN (FORMAT binary)";

/// A person's row, in [`PEOPLE_COPY`]'s column order.
fn person_row(
    out: &mut BinaryRows,
    id: i64,
    organization_id: i64,
    p: &PersonRecord,
    member: Option<(Option<NaiveDate>, bool)>,
    at: DateTime<Utc>,
) {
    out.row(26)
        .int8(id)
        .int8(organization_id)
        .text(&p.name)
        .text(p.gender.as_str())
        .text(&p.ethnicity)
        .date(p.birth_date)
        .opt_text(p.id_card_number.as_deref())
        .opt_text(p.phone.as_deref())
        .text(p.education.as_str())
        .text(&join_occupations(&p.occupations))
        .bool(p.is_frontline)
        .bool(p.is_league_member)
        .opt_text(p.household_registration.as_deref())
        .bool(p.is_migrant)
        .opt_int8(p.outflow_organization_id)
        .opt_text(p.outflow_organization_name.as_deref())
        .opt_int8(p.residence_organization_id)
        .bool(p.is_business_owner)
        .bool(p.is_high_level_talent)
        .bool(p.has_political_violation)
        .opt_date(p.expected_departure_on)
        .bool(member.is_some())
        .opt_date(member.and_then(|m| m.0))
        .bool(member.is_some_and(|m| m.1))
        .timestamptz(at)
        .timestamptz(at);
}

/// Runs `statement` (a `COPY … FROM STDIN (FORMAT binary)`) with a row written by `write` for
/// each item, sent in pieces of [`super::copy_binary::CHUNK_BYTES`] as they fill.
async fn copy<T>(
    tx: &mut PgTransaction,
    statement: &str,
    items: impl Iterator<Item = T>,
    mut write: impl FnMut(&mut BinaryRows, T),
) -> Result<(), DbErr> {
    let mut sink = tx.copy_in_raw(statement).await.map_err(sqlx_err)?;
    let sent: Result<(), sqlx::Error> = async {
        let mut data = BinaryRows::new();
        for item in items {
            write(&mut data, item);
            if data.is_full() {
                sink.send(data.bytes()).await?;
                data.clear();
            }
        }
        data.end();
        sink.send(data.bytes()).await?;
        Ok(())
    }
    .await;
    if let Err(e) = sent {
        let _ = sink.abort("send failed").await;
        return Err(sqlx_err(e));
    }
    sink.finish().await.map_err(sqlx_err)?;
    Ok(())
}

/// One `ConnectionTrait` method on either transaction: on PostgreSQL `$pg` runs with `$tx` the
/// locked sqlx transaction (its sqlx error mapped to a `DbErr`), elsewhere `$other` with `$tx`
/// the SeaORM transaction.
macro_rules! on_either {
    ($self:ident, |$tx:ident| postgres: $pg:expr, other: $other:expr) => {
        match $self {
            BulkTxn::Postgres(locked) => {
                let mut guard = locked.lock().await;
                let $tx = &mut guard.tx;
                $pg.map_err(sqlx_err)
            }
            BulkTxn::Other($tx) => $other,
        }
    };
}

#[async_trait::async_trait]
impl ConnectionTrait for BulkTxn {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            BulkTxn::Postgres(_) => DbBackend::Postgres,
            BulkTxn::Other(tx) => tx.get_database_backend(),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        on_either!(self, |tx|
            postgres: query(stmt).execute(&mut **tx).await.map(Into::into),
            other: tx.execute_raw(stmt).await)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        on_either!(self, |tx|
            postgres: sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut **tx)
                .await
                .map(Into::into),
            other: tx.execute_unprepared(sql).await)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        on_either!(self, |tx|
            postgres: query(stmt).fetch_optional(&mut **tx).await.map(|r| r.map(Into::into)),
            other: tx.query_one_raw(stmt).await)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        on_either!(self, |tx|
            postgres: query(stmt)
                .fetch_all(&mut **tx)
                .await
                .map(|rows| rows.into_iter().map(Into::into).collect()),
            other: tx.query_all_raw(stmt).await)
    }
}
