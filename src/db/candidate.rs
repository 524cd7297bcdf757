//! Candidate rows and their events.

use super::Page;
use crate::domain::pipeline::state::CaseState;
use entity::candidate::{self, ActiveModel, Column, Entity, Model};
use entity::{candidate_event, organization, person};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, ExprTrait, JoinType, QueryOrder, QuerySelect, QueryTrait,
    RelationTrait, Statement,
};
use std::collections::HashMap;
use std::sync::Arc;

/// A case from the first columns of a row (those of `case_columns!`), read by position with
/// `$row.$get(i)`: sqlx's `try_get_unchecked` for PostgreSQL rows, SeaORM's `try_get_by_index` for
/// SQLite's.
/// By position, not by name: SeaORM's by-name read formats `prefix + column` for every column of
/// every row and an error message for every NULL (a third of the service's time on a page of
/// 400 cases).
macro_rules! case_at {
    ($row:ident, $get:ident) => {{
        Model {
            id: $row.$get(0)?,
            person_id: $row.$get(1)?,
            organization_id: $row.$get(2)?,
            stage: $row.$get(3)?,
            version: $row.$get(4)?,
            applied_on: $row.$get(5)?,
            talked_on: $row.$get(6)?,
            activist_on: $row.$get(7)?,
            last_examination_on: $row.$get(8)?,
            target_on: $row.$get(9)?,
            admission_meeting_on: $row.$get(10)?,
            approved_on: $row.$get(11)?,
            oath_on: $row.$get(12)?,
            probation_end_on: $row.$get(13)?,
            conversion_meeting_on: $row.$get(14)?,
            converted_on: $row.$get(15)?,
            archived_on: $row.$get(16)?,
            extended: $row.$get(17)?,
            invalidated: $row.$get(18)?,
            created_at: $row.$get(19)?,
            updated_at: $row.$get(20)?,
        }
    }};
}

/// A case and its person from a row of [`CASE_AND_PERSON_COLUMNS`], read by position as
/// [`case_at`] reads the case.
macro_rules! case_with_person_at {
    ($row:ident, $get:ident) => {{
        let case = case_at!($row, $get);
        let person = person::Model {
            id: $row.$get(21)?,
            organization_id: $row.$get(22)?,
            name: $row.$get(23)?,
            gender: $row.$get(24)?,
            ethnicity: $row.$get(25)?,
            birth_date: $row.$get(26)?,
            id_card_number: $row.$get(27)?,
            phone: $row.$get(28)?,
            education: $row.$get(29)?,
            occupations: $row.$get(30)?,
            is_frontline: $row.$get(31)?,
            is_league_member: $row.$get(32)?,
            household_registration: $row.$get(33)?,
            is_migrant: $row.$get(34)?,
            outflow_organization_id: $row.$get(35)?,
            outflow_organization_name: $row.$get(36)?,
            residence_organization_id: $row.$get(37)?,
            is_business_owner: $row.$get(38)?,
            is_high_level_talent: $row.$get(39)?,
            has_political_violation: $row.$get(40)?,
            expected_departure_on: $row.$get(41)?,
            is_party_member: $row.$get(42)?,
            party_member_since: $row.$get(43)?,
            under_party_probation: $row.$get(44)?,
            created_at: $row.$get(45)?,
            updated_at: $row.$get(46)?,
        };
        (case, person)
    }};
}

/// The columns of a case, in the order [`case_at`] reads them (a macro, for `concat!`).
macro_rules! case_columns {
    () => {
        "c.id, c.person_id, c.organization_id, c.stage, c.version, \
         c.applied_on, c.talked_on, c.activist_on, c.last_examination_on, c.target_on, \
         c.admission_meeting_on, c.approved_on, c.oath_on, c.probation_end_on, \
         c.conversion_meeting_on, c.converted_on, c.archived_on, c.extended, c.invalidated, \
         c.created_at, c.updated_at"
    };
}

/// The columns of a case and of its person, in the order [`case_with_person_at`] reads them.
const CASE_AND_PERSON_COLUMNS: &str = concat!(
    case_columns!(),
    ", p.id, p.organization_id, p.name, p.gender, p.ethnicity, p.birth_date, p.id_card_number, \
     p.phone, p.education, p.occupations, p.is_frontline, p.is_league_member, \
     p.household_registration, p.is_migrant, p.outflow_organization_id, \
     p.outflow_organization_name, p.residence_organization_id, p.is_business_owner, \
     p.is_high_level_talent, p.has_political_violation, p.expected_departure_on, \
     p.is_party_member, p.party_member_since, p.under_party_probation, p.created_at, \
     p.updated_at"
);

/// The columns of a case and of its person's name alone ([`PersonPart::NameOnly`]).
const CASE_AND_NAME_COLUMNS: &str = concat!(case_columns!(), ", p.name");

/// The position of the person's name among [`CASE_AND_NAME_COLUMNS`].
const NAME_ONLY_AT: usize = 21;

/// Filters of a candidate list; `under_path` is inside the viewer's scope.
#[derive(Debug, Clone, Default)]
pub struct CandidateFilter {
    pub under_path: String,
    /// Only the cases handled by this organization itself (instead of its whole subtree).
    pub organization_id: Option<i64>,
    pub stage: Option<String>,
    /// Applications in this calendar year.
    pub year: Option<i32>,
    /// Name contains, or (with `search_id_card`) ID-card number equals.
    pub search: Option<String>,
    /// Whether `search` also matches whole ID-card numbers: only for roles that read them in
    /// full, else a masked role could test numbers one by one.
    pub search_id_card: bool,
}

/// The first day of `year` and of the next: applications of that year lie in between.
fn application_year(year: i32) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let first = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
    (first(year), first(year + 1))
}

/// How a case query keeps to a subtree's organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubtreeCheck {
    /// `organization_id IN (the subtree)`, which the database may turn into a join (and
    /// SQLite into probes of the organization index).
    Joined,
    /// The same test kept as a filter on each case: PostgreSQL reads the subtree's organization
    /// ids once into a hash table (an index-only read of `ix_organizations_path_id`) and checks
    /// each case it meets in id order against it. As a join it looked up each case's
    /// organization by its key instead: a city's page of 20 at 5 M candidates met ~1,300 cases
    /// of other cities, each one index lookup (four times slower, see docs/BENCHMARK.md).
    Hashed,
}

fn filtered(f: &CandidateFilter) -> Select<Entity> {
    filtered_with(f, SubtreeCheck::Joined)
}

fn filtered_with(f: &CandidateFilter, check: SubtreeCheck) -> Select<Entity> {
    if let Some(org) = f.organization_id {
        return Entity::find().filter(Column::OrganizationId.eq(org));
    }
    let mut q = Entity::find();
    if let Some(range) = super::subtree_condition(organization::Column::Path, &f.under_path) {
        let orgs = Query::select()
            .column(organization::Column::Id)
            .from(organization::Entity)
            .cond_where(range)
            .to_owned();
        let within = Expr::col((Entity, Column::OrganizationId)).in_subquery(orgs);
        q = q.filter(match check {
            SubtreeCheck::Joined => within,
            // Wrapped, the test cannot be pulled up into a semi-join (`IS TRUE` written out: a
            // bound `true` after `IS` is a syntax error). PostgreSQL only: `$1` is sea-query's
            // placeholder for the wrapped expression on PostgreSQL, not on SQLite.
            SubtreeCheck::Hashed => Expr::cust_with_expr("($1) IS TRUE", within),
        });
    }
    if let Some(stage) = &f.stage {
        q = q.filter(Expr::col((Entity, Column::Stage)).eq(super::enum_literal(stage)));
    }
    if let Some(year) = f.year {
        let (start, end) = application_year(year);
        q = q
            .filter(Column::AppliedOn.gte(start))
            .filter(Column::AppliedOn.lt(end));
    }
    if let Some(s) = f.search.as_deref().filter(|s| !s.trim().is_empty()) {
        let people =
            Query::select()
                .column(person::Column::Id)
                .from(person::Entity)
                .cond_where(
                    sea_orm::Condition::any()
                        .add(super::contains_literally(person::Column::Name, s.trim()))
                        .add_option(f.search_id_card.then(|| {
                            person::Column::IdCardNumber.eq(s.trim().to_ascii_uppercase())
                        })),
                )
                .to_owned();
        q = q.filter(Column::PersonId.in_subquery(people));
    }
    q
}

/// A case with its person, read in one statement (lists show names on every row).
pub type CaseWithPerson = (Model, Option<person::Model>);

/// A case and its person shared, for values handed out more than once (a batch loader clones
/// its value for every field that waited on it).
pub type SharedCase = (Arc<Model>, Option<Arc<person::Model>>);

/// The shared form of a case read with its person.
pub fn shared((case, person): CaseWithPerson) -> SharedCase {
    (Arc::new(case), person.map(Arc::new))
}

/// A page of candidates matching `filter`, in id order, each with its person. The page is cut
/// in a subquery and only its rows are joined to their people: joined first, PostgreSQL's
/// prepared plan for a subtree walks the whole primary key.
pub async fn list(
    db: &impl ConnectionTrait,
    f: &CandidateFilter,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Page<CaseWithPerson>, DbErr> {
    use crate::domain::counts::{prefer_id_order, read_subtree_ids_once};
    let backend = db.get_database_backend();
    let postgres = backend == sea_orm::DatabaseBackend::Postgres;
    let depth = crate::domain::organization::path_ids(&f.under_path).len();
    let whole_subtree = f.organization_id.is_none() && f.search.is_none();
    if postgres
        && whole_subtree
        && super::subtree_condition(organization::Column::Path, &f.under_path).is_some()
        && !prefer_id_order(depth)
    {
        return subtree_page(db, f, after_id.unwrap_or(0), limit).await;
    }
    let check = if postgres && whole_subtree && read_subtree_ids_once(depth) {
        SubtreeCheck::Hashed
    } else {
        SubtreeCheck::Joined
    };
    let mut q = filtered_with(f, check);
    if let Some(a) = after_id {
        q = q.filter(Column::Id.gt(a));
    }
    let page = backend.build(&q.order_by_asc(Column::Id).limit(limit + 1).into_query());
    let sql = format!(
        "SELECT {} FROM ({}) c JOIN people p ON p.id = c.person_id ORDER BY c.id",
        CASE_AND_PERSON_COLUMNS, page.sql
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            page.values.map(|v| v.0).unwrap_or_default(),
        ))
        .await?;
    Ok(Page::from_overfetch(cases_with_people(rows)?, limit))
}

/// A page of a subtree's cases on PostgreSQL: each organization of the subtree gives its first
/// ids after the cursor (an ordered index-only read of `(organization_id, id)`, stopping at the
/// page size), and the page is the smallest of those. The work is bounded by the number of
/// organizations times the page size, however many cases one branch holds; filtering the whole
/// subtree and sorting it reads every case of it (a branch of 70,000 made a street's page 25 times
/// slower).
async fn subtree_page(
    db: &impl ConnectionTrait,
    f: &CandidateFilter,
    after_id: i64,
    limit: u64,
) -> Result<Page<CaseWithPerson>, DbErr> {
    let (sql, values) = subtree_page_statement(f, after_id, limit);
    let rows = db
        .query_all_raw(super::raw(db.get_database_backend(), &sql, values))
        .await?;
    Ok(Page::from_overfetch(cases_with_people(rows)?, limit))
}

/// The statement of [`subtree_page`] (PostgreSQL) with its values. Its shape is chosen by the
/// service, so every parameter is [`super::unseen`] and PostgreSQL keeps one generic plan
/// instead of planning the statement again at every execution.
pub fn subtree_page_statement(
    f: &CandidateFilter,
    after_id: i64,
    limit: u64,
) -> (String, Vec<sea_orm::Value>) {
    let pg = sea_orm::DatabaseBackend::Postgres;
    let param = |n: usize| super::unseen(pg, n);
    let mut values: Vec<sea_orm::Value> = vec![
        f.under_path.clone().into(),
        crate::domain::organization::subtree_upper_bound(&f.under_path).into(),
        after_id.into(),
    ];
    let mut conditions = String::new();
    if let Some(stage) = &f.stage {
        values.push(stage.clone().into());
        conditions.push_str(&format!(" AND stage = {}", param(values.len())));
    }
    if let Some(year) = f.year {
        let (start, end) = application_year(year);
        values.push(start.into());
        values.push(end.into());
        conditions.push_str(&format!(
            " AND applied_on >= {} AND applied_on < {}",
            param(values.len() - 1),
            param(values.len())
        ));
    }
    let n = limit + 1;
    let sql = format!(
        "SELECT {} FROM (SELECT k.id FROM organizations o CROSS JOIN LATERAL \
         (SELECT id FROM candidates WHERE organization_id = o.id AND id > {}{conditions} ORDER BY id LIMIT {n}) k \
         WHERE o.path >= {} AND o.path < {} ORDER BY k.id LIMIT {n}) page \
         JOIN candidates c ON c.id = page.id JOIN people p ON p.id = c.person_id ORDER BY c.id",
        CASE_AND_PERSON_COLUMNS,
        param(3),
        param(1),
        param(2),
    );
    (sql, values)
}

/// Reads rows selected with [`CASE_AND_PERSON_COLUMNS`].
fn cases_with_people(rows: Vec<sea_orm::QueryResult>) -> Result<Vec<CaseWithPerson>, DbErr> {
    // Sized up front: collected from a fallible map the vector grew by doubling, copying the
    // cases read so far each time (2 % of a branches-and-cases read's instructions).
    let mut cases = Vec::with_capacity(rows.len());
    for row in &rows {
        let (case, person) = match row.try_as_pg_row() {
            // sqlx reads a NULL into `None` directly; SeaORM builds an error message first.
            Some(pg) => case_with_person(pg).map_err(super::lane::sqlx_err)?,
            None => case_with_person_at!(row, try_get_by_index),
        };
        cases.push((case, Some(person)));
    }
    Ok(cases)
}

/// Number of candidates matching `filter`.
pub async fn count(db: &impl ConnectionTrait, f: &CandidateFilter) -> Result<u64, DbErr> {
    filtered(f).count(db).await
}

/// Candidates of a subtree in the given stages (for alerts), not invalidated.
pub async fn in_stages(
    db: &impl ConnectionTrait,
    path: &str,
    stages: &[&str],
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let f = CandidateFilter {
        under_path: path.to_string(),
        ..Default::default()
    };
    filtered(&f)
        .filter(Column::Stage.is_in(stages.iter().map(|s| String::from(*s))))
        .filter(Column::Invalidated.eq(false))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// One candidate.
pub async fn find_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// One case, if the organization that handles it lies in the subtree at `scope_path` (one
/// statement: the scope check is a join, not a second read).
pub async fn find_in_subtree(
    db: &impl ConnectionTrait,
    id: i64,
    scope_path: &str,
) -> Result<Option<Model>, DbErr> {
    in_subtree(Entity::find_by_id(id), scope_path).one(db).await
}

/// How much of a case's person a lookup reads with the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonPart {
    /// Every column of the person.
    Whole,
    /// The person's name alone (22 columns instead of 47): for a selection that asks for no
    /// other field of the person. Any other field of the person still answers, through the
    /// person loader (docs/BENCHMARK.md, round thirteen).
    NameOnly,
}

/// What a lookup read of a case's person.
#[derive(Clone, Debug, PartialEq)]
pub enum PersonRead {
    /// The whole person (shared: the case's type keeps it as read).
    Whole(Arc<person::Model>),
    /// The person's name alone.
    NameOnly(String),
}

/// A case and what a lookup read of its person.
pub type LookedUpCase = (Model, PersonRead);

/// A row of [`case_lookup`]'s statement for `part`, read by position.
macro_rules! looked_up_at {
    ($row:ident, $get:ident, $part:expr) => {{
        match $part {
            PersonPart::Whole => {
                let (case, person) = case_with_person_at!($row, $get);
                (case, PersonRead::Whole(Arc::new(person)))
            }
            PersonPart::NameOnly => (
                case_at!($row, $get),
                PersonRead::NameOnly($row.$get(NAME_ONLY_AT)?),
            ),
        }
    }};
}

/// One case with its person (or its person's name, by `part`), if it lies in the subtree at
/// `scope_path` (one statement, read by position as lists are).
pub async fn find_in_subtree_with_person(
    db: &impl ConnectionTrait,
    id: i64,
    scope_path: &str,
    part: PersonPart,
) -> Result<Option<LookedUpCase>, DbErr> {
    let (sql, upper) = case_lookup(scope_path, part);
    let mut values: Vec<sea_orm::Value> = vec![id.into()];
    if let Some(upper) = upper {
        values.push(scope_path.into());
        values.push(upper.into());
    }
    let rows = db
        .query_all_raw(super::raw(db.get_database_backend(), sql, values))
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(match row.try_as_pg_row() {
        Some(pg) => looked_up(pg, part).map_err(super::lane::sqlx_err)?,
        None => looked_up_at!(row, try_get_by_index, part),
    }))
}

/// The statement that reads one case with its person or its person's name (`$1` the id), and
/// when `scope_path` is not the root's, the upper bound of its subtree (`$2`, `$3` the range on
/// the organization's path).
fn case_lookup(scope_path: &str, part: PersonPart) -> (&'static str, Option<String>) {
    use crate::domain::organization::{path_depth, subtree_upper_bound};
    use std::sync::LazyLock;
    /// By part (whole, name only), then anywhere and in a subtree.
    static STATEMENTS: LazyLock<[[String; 2]; 2]> = LazyLock::new(|| {
        [CASE_AND_PERSON_COLUMNS, CASE_AND_NAME_COLUMNS].map(|columns| {
            [
                format!(
                    "SELECT {columns} FROM candidates c \
                     JOIN people p ON p.id = c.person_id WHERE c.id = $1"
                ),
                format!(
                    "SELECT {columns} FROM candidates c \
                     JOIN people p ON p.id = c.person_id \
                     JOIN organizations o ON o.id = c.organization_id \
                     WHERE c.id = $1 AND o.path >= $2 AND o.path < $3"
                ),
            ]
        })
    });
    let [anywhere, in_subtree] = match part {
        PersonPart::Whole => &STATEMENTS[0],
        PersonPart::NameOnly => &STATEMENTS[1],
    };
    if path_depth(scope_path) > 0 {
        (in_subtree.as_str(), Some(subtree_upper_bound(scope_path)))
    } else {
        (anywhere.as_str(), None)
    }
}

/// One case with its person (or its person's name, by `part`), if it lies in the subtree at
/// `scope_path`: the `node` lookup, the service's most frequent statement, written by hand and
/// run on the hot-read lane (see [`super::lane`]); where there is no lane, as
/// [`find_in_subtree_with_person`].
pub async fn find_in_subtree_with_person_on_lane(
    db: &impl ConnectionTrait,
    lane: &super::lane::Lane,
    id: i64,
    scope_path: &str,
    part: PersonPart,
) -> Result<Option<LookedUpCase>, DbErr> {
    let (sql, bounds) = case_lookup(scope_path, part);
    let mut fresh = false;
    loop {
        let Some(mut conn) = lane.connection(fresh).await? else {
            return find_in_subtree_with_person(db, id, scope_path, part).await;
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
        if let Some(upper) = &bounds {
            query = query.bind(scope_path).bind(upper.as_str());
        }
        let row = tokio::time::timeout(super::lane::WAIT, query.fetch_optional(conn.conn()))
            .await
            .map_err(|_| DbErr::Custom("the case lookup took too long".into()))?;
        match row {
            Ok(row) => {
                conn.release();
                return row
                    .map(|r| looked_up(&r, part))
                    .transpose()
                    .map_err(super::lane::sqlx_err);
            }
            // Gone stale while idle: once more on a new connection (this one is closed).
            Err(e) if conn.reused && !fresh && super::lane::is_stale(&e) => fresh = true,
            Err(e) => return Err(super::lane::sqlx_err(e)),
        }
    }
}

/// A PostgreSQL row of [`CASE_AND_PERSON_COLUMNS`], read by position.
///
/// Unchecked: sqlx's `try_get` compares each column's declared type with the Rust type before
/// decoding it (15 % of the service's instructions on a street's branches-and-cases read,
/// 47 columns × 400 rows; callgrind, docs/BENCHMARK.md round nine). The statement's columns are
/// the service's own (each model type checked against its migration's column type). The
/// decoders catch only part of a mismatch (integers are range-checked, text is checked as
/// UTF-8; a `bool` reads the first byte, a `timestamptz` would take a `timestamp` as UTC). What
/// the check guarded against, a column whose type changed under the model, is what
/// `statements::a_case_reads_the_same_in_lists_pages_and_by_id` (every column against SeaORM's
/// by-name read, both databases) fails on.
fn case_with_person(r: &sqlx::postgres::PgRow) -> Result<(Model, person::Model), sqlx::Error> {
    use sqlx::Row;
    Ok(case_with_person_at!(r, try_get_unchecked))
}

/// A PostgreSQL row of [`case_lookup`]'s statement for `part`, read by position and unchecked
/// as [`case_with_person`] reads one.
fn looked_up(r: &sqlx::postgres::PgRow, part: PersonPart) -> Result<LookedUpCase, sqlx::Error> {
    use sqlx::Row;
    Ok(looked_up_at!(r, try_get_unchecked, part))
}

/// Narrows a case query to the subtree at `scope_path` by a join on the organization's path.
fn in_subtree(q: Select<Entity>, scope_path: &str) -> Select<Entity> {
    match super::subtree_condition(organization::Column::Path, scope_path) {
        Some(range) => q
            .join(JoinType::InnerJoin, candidate::Relation::Organization.def())
            .filter(range),
        None => q,
    }
}

/// Candidates by ids (loaders).
pub async fn find_by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// The events of one case, in recording order.
pub async fn events(
    db: &impl ConnectionTrait,
    candidate_id: i64,
) -> Result<Vec<candidate_event::Model>, DbErr> {
    candidate_event::Entity::find()
        .filter(candidate_event::Column::CandidateId.eq(candidate_id))
        .order_by_asc(candidate_event::Column::Id)
        .all(db)
        .await
}

/// The events of many cases (the timeline loader), each list in recording order.
pub async fn events_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<candidate_event::Model>>, DbErr> {
    let rows = candidate_event::Entity::find()
        .filter(candidate_event::Column::CandidateId.is_in(ids.iter().copied()))
        .order_by_asc(candidate_event::Column::Id)
        .all(db)
        .await?;
    let mut out: HashMap<i64, Vec<_>> = HashMap::new();
    for r in rows {
        out.entry(r.candidate_id).or_default().push(r);
    }
    Ok(out)
}

/// One event.
pub async fn event_by_id(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<candidate_event::Model>, DbErr> {
    candidate_event::Entity::find_by_id(id).one(db).await
}

/// Appends an event.
pub async fn insert_event(
    db: &impl ConnectionTrait,
    row: candidate_event::ActiveModel,
) -> Result<candidate_event::Model, DbErr> {
    row.insert(db).await
}

/// A new case row from its first state.
pub async fn insert(
    db: &impl ConnectionTrait,
    person_id: i64,
    organization_id: i64,
    state: &CaseState,
) -> Result<Model, DbErr> {
    let now = chrono::Utc::now();
    let mut row = ActiveModel {
        person_id: Set(person_id),
        organization_id: Set(organization_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    project(&mut row, state);
    row.insert(db).await
}

fn project(row: &mut ActiveModel, s: &CaseState) {
    row.stage = Set(s
        .stage
        .map(|st| st.as_str())
        .unwrap_or("APPLICANT")
        .to_string());
    row.applied_on = Set(s.applied_on.unwrap_or_default());
    row.talked_on = Set(s.talked_on);
    row.activist_on = Set(s.activist_on);
    row.last_examination_on = Set(s.examinations.iter().max().copied());
    row.target_on = Set(s.target_on);
    row.admission_meeting_on = Set(s.admission_meeting_on);
    row.approved_on = Set(s.approved_on);
    row.oath_on = Set(s.oath_on);
    row.probation_end_on = Set(s.probation_end);
    row.conversion_meeting_on = Set(s.conversion_meeting.map(|m| m.0));
    row.converted_on = Set(s.converted_on);
    row.archived_on = Set(s.archived_on);
    row.extended = Set(s.extended);
    row.invalidated = Set(s.invalidated);
}

/// Writes the new state of a case if its version is still `expected_version`; returns whether
/// it was (a concurrent step bumped it otherwise). One statement, so two writers never both win.
pub async fn update_if_version(
    db: &impl ConnectionTrait,
    id: i64,
    expected_version: i32,
    organization_id: i64,
    state: &CaseState,
) -> Result<bool, DbErr> {
    let mut row = ActiveModel {
        ..Default::default()
    };
    project(&mut row, state);
    row.organization_id = Set(organization_id);
    row.updated_at = Set(chrono::Utc::now());
    let columns = (Column::Id, Column::Version);
    super::update_at_version::<Entity>(db, row, columns, id, expected_version).await
}

/// The key of one page of an organization's own cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CasesPageKey {
    pub organization_id: i64,
    pub after_id: i64,
    pub limit: u64,
}

/// Pages of the cases of many organizations, each case with its person, in one statement per
/// (cursor, size) group: a lateral join on PostgreSQL, a window function on SQLite. The lateral
/// part selects ids only, so each page is an ordered index-only read of `(organization_id, id)`
/// whatever the organization's size; selecting whole rows there, the prepared plan sorts every
/// case of a large branch (46 ms instead of 0.6 ms for a branch of 70,000).
pub async fn pages_by_organization(
    db: &impl ConnectionTrait,
    keys: &[CasesPageKey],
) -> Result<HashMap<CasesPageKey, Page<CaseWithPerson>>, DbErr> {
    let mut groups: HashMap<(i64, u64), Vec<i64>> = HashMap::new();
    for k in keys {
        groups
            .entry((k.after_id, k.limit))
            .or_default()
            .push(k.organization_id);
    }
    let backend = db.get_database_backend();
    let mut out = HashMap::new();
    for ((after_id, limit), orgs) in groups {
        let mut values: Vec<sea_orm::Value> = vec![after_id.into()];
        let sql = match super::IdList::push(backend, &orgs, &mut values) {
            super::IdList::Array(array) => format!(
                "SELECT {CASE_AND_PERSON_COLUMNS} FROM unnest({array}) AS o(id) CROSS JOIN LATERAL \
                 (SELECT id FROM candidates WHERE organization_id = o.id AND id > {} ORDER BY id LIMIT {}) k \
                 JOIN candidates c ON c.id = k.id JOIN people p ON p.id = c.person_id",
                super::unseen(backend, 1),
                limit + 1
            ),
            list => format!(
                "SELECT {CASE_AND_PERSON_COLUMNS} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY organization_id ORDER BY id) AS rn \
                 FROM candidates WHERE id > $1 AND {}) c \
                 JOIN people p ON p.id = c.person_id WHERE c.rn <= {}",
                list.contains("organization_id"),
                limit + 1
            ),
        };
        let rows = db.query_all_raw(super::raw(backend, &sql, values)).await?;
        let mut by_org: HashMap<i64, Vec<CaseWithPerson>> = HashMap::new();
        for row in cases_with_people(rows)? {
            by_org
                .entry(row.0.organization_id)
                .or_insert_with(|| Vec::with_capacity(limit as usize + 1))
                .push(row);
        }
        for organization_id in orgs {
            let mut rows = by_org.remove(&organization_id).unwrap_or_default();
            rows.sort_by_key(|r| r.0.id);
            out.insert(
                CasesPageKey {
                    organization_id,
                    after_id,
                    limit,
                },
                Page::from_overfetch(rows, limit),
            );
        }
    }
    Ok(out)
}

/// Number of cases each organization handles itself (one grouped statement).
pub async fn counts_by_organization(
    db: &impl ConnectionTrait,
    orgs: &[i64],
) -> Result<HashMap<i64, i64>, DbErr> {
    let rows = Entity::find()
        .select_only()
        .column(Column::OrganizationId)
        .column_as(Column::Id.count(), "n")
        .filter(Column::OrganizationId.is_in(orgs.iter().copied()))
        .group_by(Column::OrganizationId)
        .into_model::<super::OrgCount>()
        .all(db)
        .await?;
    let mut out: HashMap<i64, i64> = orgs.iter().map(|o| (*o, 0)).collect();
    out.extend(rows.into_iter().map(|r| (r.organization_id, r.n)));
    Ok(out)
}

/// Ids of the cases handled by one organization.
pub async fn ids_in_organization(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<Vec<i64>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::OrganizationId.eq(organization_id))
        .into_tuple::<i64>()
        .all(db)
        .await
}

/// Whether an organization keeps open cases: any in a stage from applicant to probation, not
/// invalidated.
pub async fn has_open_cases(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<bool, DbErr> {
    use crate::domain::pipeline::model::Stage;
    let open = Stage::ALL
        .into_iter()
        .filter(|s| s.is_pre_member() || s.is_probation())
        .map(Stage::as_str);
    Ok(Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::Stage.is_in(open))
        .filter(Column::Invalidated.eq(false))
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}

/// Re-export for callers that need the column type.
pub use candidate::Model as CandidateModel;
