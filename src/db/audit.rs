//! The audit trail: one row per write, login, token issue and export, in the write's own
//! transaction. Rows form a hash chain: each row's `hash` is SHA-256 over its content and the
//! previous row's hash, so an edited, inserted or deleted row breaks the chain at that row
//! (`fazhan audit verify`). On PostgreSQL the chain's head row (`audit_chain_head`), updated
//! with each append and locked to the end of the writing transaction, orders the appends (the
//! next writer hashes from the head this one committed); SQLite has one writer at a time.

use entity::audit_event::{ActiveModel, Column, Entity, Model};
use sea_orm::prelude::*;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseBackend, QueryOrder, QuerySelect, Statement,
};
use sha2::{Digest, Sha256};

/// What to record about one write.
pub struct AuditRecord<'a> {
    pub actor_user_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<i64>,
    pub detail: serde_json::Value,
}

impl<'a> AuditRecord<'a> {
    /// A row about one subject (`subject_type`, its id if it has one), written by `actor`; no
    /// organization and no detail until [`in_organization`](Self::in_organization) and
    /// [`with`](Self::with) add them.
    pub fn by(
        actor: &crate::domain::Actor,
        action: &'a str,
        subject_type: &'a str,
        subject_id: Option<i64>,
    ) -> Self {
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: None,
            action,
            subject_type,
            subject_id,
            detail: serde_json::Value::Null,
        }
    }

    /// The organization the row belongs to (what subtree's audit log shows it).
    pub fn in_organization(mut self, organization_id: i64) -> Self {
        self.organization_id = Some(organization_id);
        self
    }

    /// What changed.
    pub fn with(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }

    /// Appends the row, outcome `OK` ([`record`]).
    pub async fn write(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        record(db, self).await
    }
}

/// Who is acting in the request being served: set by the HTTP layer around each request, read by
/// every audit row written while it runs.
#[derive(Debug, Clone, Default)]
pub struct AuditContext {
    pub request_id: Option<String>,
    pub actor_role: Option<String>,
}

tokio::task_local! {
    /// The current request's audit context (absent outside requests: CLI, background jobs).
    pub static AUDIT_CONTEXT: AuditContext;
}

fn context() -> AuditContext {
    AUDIT_CONTEXT.try_with(Clone::clone).unwrap_or_default()
}

/// The chained hash of a row: SHA-256 over the previous hash and every content column, in a
/// fixed order with explicit lengths (so no two rows serialize alike).
pub fn chain_hash(prev_hash: Option<&str>, row: &Model) -> String {
    let mut h = Sha256::new();
    h.update(chain_field(prev_hash));
    h.update(chain_content(row));
    format!("{:x}", h.finalize())
}

/// One field as the chain hashes it: its length in bytes (big-endian `u64`) and the bytes, or
/// `u64::MAX` for a missing value. PostgreSQL writes the previous hash the same way in
/// [`APPEND_ON_POSTGRES`].
fn chain_field(v: Option<&str>) -> Vec<u8> {
    match v {
        Some(s) => {
            let mut out = Vec::with_capacity(8 + s.len());
            out.extend_from_slice(&(s.len() as u64).to_be_bytes());
            out.extend_from_slice(s.as_bytes());
            out
        }
        None => u64::MAX.to_be_bytes().to_vec(),
    }
}

/// What the chain hashes of a row after its link to the previous one: every content column.
fn chain_content(row: &Model) -> Vec<u8> {
    let micros = row.occurred_at.timestamp_micros().to_string();
    let actor = row.actor_user_id.map(|v| v.to_string());
    let org = row.organization_id.map(|v| v.to_string());
    let subject = row.subject_id.map(|v| v.to_string());
    [
        Some(micros.as_str()),
        actor.as_deref(),
        row.actor_role.as_deref(),
        org.as_deref(),
        Some(row.action.as_str()),
        Some(row.subject_type.as_str()),
        subject.as_deref(),
        Some(row.detail.as_str()),
        Some(row.outcome.as_str()),
        row.request_id.as_deref(),
    ]
    .into_iter()
    .flat_map(chain_field)
    .collect()
}

/// An append on PostgreSQL, in one statement: the chain's head row (`audit_chain_head`) takes
/// the new row's hash — SHA-256 over the previous hash, written as [`chain_field`] writes it,
/// and the row's content (`$1`, [`chain_content`]) — and the row is inserted with both hashes.
/// The head stays locked to the end of the transaction, so the next append waits inside
/// PostgreSQL and then hashes from the head this one committed (an `UPDATE` that waited for a
/// row re-reads it); the audit row's id is drawn under that lock, so id order is chain order.
const APPEND_ON_POSTGRES: &str = "WITH head AS (\
    UPDATE audit_chain_head SET prev_hash = hash, hash = encode(sha256(\
      CASE WHEN hash IS NULL THEN decode('ffffffffffffffff', 'hex') \
      ELSE int8send(octet_length(hash)::int8) || convert_to(hash, 'UTF8') END || $1), 'hex') \
    WHERE id = 1 RETURNING prev_hash, hash) \
  INSERT INTO audit_events (occurred_at, actor_user_id, organization_id, action, subject_type, \
    subject_id, detail, actor_role, request_id, outcome, prev_hash, hash) \
  SELECT $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, head.prev_hash, head.hash FROM head \
  RETURNING id";

/// Appends an audit event with outcome `OK`.
pub async fn record(db: &impl ConnectionTrait, r: AuditRecord<'_>) -> Result<(), DbErr> {
    record_outcome(db, r, "OK").await
}

/// Appends an audit event with an outcome (`OK`, `FAILED`, `DUPLICATE` …), chained to the last.
pub async fn record_outcome(
    db: &impl ConnectionTrait,
    r: AuditRecord<'_>,
    outcome: &str,
) -> Result<(), DbErr> {
    let ctx = context();
    let now = chrono::Utc::now();
    // Stored to the microsecond on both databases, so the hash is recomputed from what is read.
    let occurred_at =
        chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let mut row = Model {
        id: 0,
        occurred_at,
        actor_user_id: r.actor_user_id,
        organization_id: r.organization_id,
        action: r.action.to_string(),
        subject_type: r.subject_type.to_string(),
        subject_id: r.subject_id,
        detail: r.detail.to_string(),
        actor_role: ctx.actor_role,
        request_id: ctx.request_id,
        outcome: outcome.to_string(),
        prev_hash: None,
        hash: None,
    };
    if db.get_database_backend() == DatabaseBackend::Postgres {
        return append_on_postgres(db, row).await;
    }
    // SQLite: one writer at a time, so the last row read here is still the last at the insert.
    let prev = Entity::find()
        .select_only()
        .column(Column::Hash)
        .order_by_desc(Column::Id)
        .limit(1)
        .into_tuple::<Option<String>>()
        .one(db)
        .await?
        .flatten();
    row.prev_hash = prev.clone();
    row.hash = Some(chain_hash(prev.as_deref(), &row));
    ActiveModel {
        occurred_at: Set(row.occurred_at),
        actor_user_id: Set(row.actor_user_id),
        organization_id: Set(row.organization_id),
        action: Set(row.action),
        subject_type: Set(row.subject_type),
        subject_id: Set(row.subject_id),
        detail: Set(row.detail),
        actor_role: Set(row.actor_role),
        request_id: Set(row.request_id),
        outcome: Set(row.outcome),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Appends `row` with [`APPEND_ON_POSTGRES`].
async fn append_on_postgres(db: &impl ConnectionTrait, row: Model) -> Result<(), DbErr> {
    let values: Vec<sea_orm::Value> = vec![
        chain_content(&row).into(),
        row.occurred_at.into(),
        row.actor_user_id.into(),
        row.organization_id.into(),
        row.action.into(),
        row.subject_type.into(),
        row.subject_id.into(),
        row.detail.into(),
        row.actor_role.into(),
        row.request_id.into(),
        row.outcome.into(),
    ];
    let inserted = db
        .query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            APPEND_ON_POSTGRES,
            values,
        ))
        .await?;
    match inserted {
        Some(_) => Ok(()),
        None => Err(DbErr::Custom(
            "the audit chain has no head row (audit_chain_head); run the migrations".into(),
        )),
    }
}

/// Where the chain first fails, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first row whose hash or link does not match (the last row when the chain's head does
    /// not match it).
    pub id: i64,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Walks the whole chain in id order (in pages, so memory stays flat) and names the first row
/// that does not match. Rows written before the chain existed (no hash, at the start) are
/// skipped; once the chain has begun, every row must carry a matching hash and link. On
/// PostgreSQL the last row must also be the one the chain's head names (SQLite keeps no head,
/// so there rows removed from the end go unseen).
pub async fn verify(db: &impl ConnectionTrait) -> Result<(u64, Option<ChainBreak>), DbErr> {
    let mut after = 0i64;
    let mut prev: Option<String> = None;
    let mut started = false;
    let mut checked = 0u64;
    loop {
        let rows = Entity::find()
            .filter(Column::Id.gt(after))
            .order_by_asc(Column::Id)
            .limit(1000)
            .all(db)
            .await?;
        let Some(last) = rows.last() else {
            // The end of the walk. On PostgreSQL the chain's head holds the last row's hash,
            // which is how rows removed from the end are seen. The head is read after the rows:
            // if it has moved on, the rows appended meanwhile are walked first.
            let reason = match head(db).await? {
                Head::NotKept => return Ok((checked, None)),
                Head::Missing => "the chain's head row is missing",
                Head::Holds(hash) if hash == prev => return Ok((checked, None)),
                Head::Holds(_) if appended_after(db, after).await? => continue,
                Head::Holds(_) => {
                    "the chain's head does not match its last row (rows removed from the end)"
                }
            };
            return Ok((checked, Some(ChainBreak { id: after, reason })));
        };
        after = last.id;
        for row in rows {
            checked += 1;
            let Some(stored) = row.hash.clone() else {
                if started {
                    return Ok((
                        checked,
                        Some(ChainBreak {
                            id: row.id,
                            reason: "hash missing",
                        }),
                    ));
                }
                continue;
            };
            if started && row.prev_hash != prev {
                return Ok((
                    checked,
                    Some(ChainBreak {
                        id: row.id,
                        reason: "link to the previous row does not match",
                    }),
                ));
            }
            if chain_hash(row.prev_hash.as_deref(), &row) != stored {
                return Ok((
                    checked,
                    Some(ChainBreak {
                        id: row.id,
                        reason: "content does not match its hash",
                    }),
                ));
            }
            started = true;
            prev = Some(stored);
        }
    }
}

/// The chain's head, as `verify` finds it.
enum Head {
    /// SQLite keeps no head.
    NotKept,
    /// PostgreSQL keeps one, and its row is gone.
    Missing,
    /// The hash of the chain's last row (none before the first hashed row).
    Holds(Option<String>),
}

/// Reads the chain's head.
async fn head(db: &impl ConnectionTrait) -> Result<Head, DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(Head::NotKept);
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT hash FROM audit_chain_head WHERE id = 1",
        ))
        .await?;
    Ok(match row {
        Some(r) => Head::Holds(r.try_get::<Option<String>>("", "hash")?),
        None => Head::Missing,
    })
}

/// Whether rows were appended after `id`.
async fn appended_after(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    Ok(Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Id.gt(id))
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Organizations under this path (rows without an organization are left out unless the
    /// path is the root's).
    pub under_path: String,
    pub include_unorganized: bool,
    pub from: Option<DateTimeUtc>,
    pub to: Option<DateTimeUtc>,
}

fn filtered(f: &AuditFilter) -> sea_orm::Select<Entity> {
    use sea_orm::Condition;
    let org_ids = sea_orm::sea_query::Query::select()
        .column(entity::organization::Column::Id)
        .from(entity::organization::Entity)
        .and_where(entity::organization::Column::Path.gte(f.under_path.clone()))
        .and_where(entity::organization::Column::Path.lt(
            crate::domain::organization::subtree_upper_bound(&f.under_path),
        ))
        .to_owned();
    let mut scope = Condition::any().add(Column::OrganizationId.in_subquery(org_ids));
    if f.include_unorganized {
        scope = scope.add(Column::OrganizationId.is_null());
    }
    let mut q = Entity::find().filter(scope);
    if let Some(from) = f.from {
        q = q.filter(Column::OccurredAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(Column::OccurredAt.lt(to));
    }
    q
}

/// Rows of the audit log a filter selects.
pub async fn count(db: &impl ConnectionTrait, f: &AuditFilter) -> Result<u64, DbErr> {
    filtered(f).count(db).await
}

/// A page of the audit log, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    f: &AuditFilter,
    before_id: Option<i64>,
    limit: u64,
) -> Result<super::Page<Model>, DbErr> {
    let mut q = filtered(f);
    if let Some(b) = before_id {
        q = q.filter(Column::Id.lt(b));
    }
    let mut rows = q.order_by_desc(Column::Id).limit(limit + 1).all(db).await?;
    let has_next = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok(super::Page { rows, has_next })
}

/// The audit events of one subject, oldest first.
pub async fn for_subject(
    db: &impl ConnectionTrait,
    subject_type: &str,
    subject_id: i64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::SubjectType.eq(subject_type))
        .filter(Column::SubjectId.eq(subject_id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Model {
        Model {
            id: 1,
            occurred_at: chrono::DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            actor_user_id: Some(2),
            organization_id: Some(3),
            action: "candidate.record_step".into(),
            subject_type: "candidate".into(),
            subject_id: Some(4),
            detail: "{}".into(),
            actor_role: Some("ORGANIZER".into()),
            request_id: Some("r-1".into()),
            outcome: "OK".into(),
            prev_hash: None,
            hash: None,
        }
    }

    #[test]
    fn every_column_and_the_previous_hash_change_the_hash() {
        let base = chain_hash(None, &row());
        assert_eq!(base, chain_hash(None, &row()), "deterministic");
        assert_ne!(base, chain_hash(Some("00"), &row()));
        let mut r = row();
        r.detail = "{\"x\":1}".into();
        assert_ne!(base, chain_hash(None, &r));
        let mut r = row();
        r.outcome = "FAILED".into();
        assert_ne!(base, chain_hash(None, &r));
        let mut r = row();
        r.actor_user_id = None;
        assert_ne!(base, chain_hash(None, &r));
        // The id is not hashed: the position is given by the link to the previous row.
        let mut r = row();
        r.id = 99;
        assert_eq!(base, chain_hash(None, &r));
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        let mut a = row();
        a.action = "ab".into();
        a.subject_type = "c".into();
        let mut b = row();
        b.action = "a".into();
        b.subject_type = "bc".into();
        assert_ne!(chain_hash(None, &a), chain_hash(None, &b));
    }

    #[test]
    fn the_hash_of_a_known_row_stays_what_stored_chains_hold() {
        // Computed outside the service (Python's hashlib over the documented layout): a change
        // of the layout would break every chain already stored, and PostgreSQL's append
        // (`APPEND_ON_POSTGRES`) writes the previous hash in the same layout.
        assert_eq!(
            chain_hash(None, &row()),
            "20de7c1805542cdf4cce31b6153c4741b4fda4af840d15e908dde411543c2b2a"
        );
        assert_eq!(
            chain_hash(Some("abc"), &row()),
            "608f31f707254b363dfc845dd1b6d21287ffecc9e1216926902e994fa7d6790f"
        );
    }
}
