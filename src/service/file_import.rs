//! Import files (Excel and CSV) of applications or Party members, read as a stream: each row is
//! validated as it arrives and written in batches inside one transaction (`COPY` on
//! PostgreSQL). All or nothing: any bad row and the transaction is rolled back, with every bad
//! row reported (row, column, message) up to [`MAX_REPORTED`]. Memory stays flat whatever the
//! file's size: a batch, the organizations and rules seen, and the counters' deltas are all it
//! holds. ID-card numbers are looked up on record by the reading stage, beside the writing one;
//! duplicates inside the file are found in the batch itself and, for a number that may have
//! come before (see [`SeenNumbers`]), through the transaction, which sees its own rows.

use super::duplicates::{self, DuplicateChecks};
use super::import::{
    BranchCounts, check_application, earlier_import, receives_applications, rolled_up,
    validate_person, write_applications,
};
use super::require;
use crate::db::bulk::{BulkTxn, NewApplication};
use crate::db::{self, audit::AuditRecord};
use crate::domain::import_file::{self, CellError, FileRow, ImportKind, Layout};
use crate::domain::pipeline::person::{self, PersonRecord};
use crate::domain::pipeline::rules::LocalRules;
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};
use entity::organization::Model as Organization;
use sea_orm::DatabaseConnection;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use tokio::sync::mpsc::{Receiver, Sender};

/// Bad rows reported at most (the count of all is reported too).
pub const MAX_REPORTED: usize = 1_000;

/// One record read from the file: its spreadsheet row (from 1) and cells.
pub type Record = (usize, Vec<String>);

/// What the reading thread hands over at a time: up to [`CHUNK_ROWS`] records, or why the file
/// could not be read further.
pub type Chunk = Result<Vec<Record>, String>;

/// Records handed over together. Handed over one by one, the reading thread was parked and
/// woken again for each row once the service fell behind it (two context switches a row).
pub const CHUNK_ROWS: usize = 256;

/// The reading side: records gathered into chunks for the service (on a blocking thread).
pub struct RecordSender {
    tx: Sender<Chunk>,
    chunk: Vec<Record>,
}

impl RecordSender {
    pub fn new(tx: Sender<Chunk>) -> Self {
        Self {
            tx,
            chunk: Vec::with_capacity(CHUNK_ROWS),
        }
    }

    /// Adds a record; false when the service stopped listening (the reader should stop).
    pub fn push(&mut self, row: usize, cells: Vec<String>) -> bool {
        self.chunk.push((row, cells));
        self.chunk.len() < CHUNK_ROWS || self.flush()
    }

    /// Hands over the records gathered so far; false when the service stopped listening.
    fn flush(&mut self) -> bool {
        if self.chunk.is_empty() {
            return true;
        }
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_ROWS));
        self.tx.blocking_send(Ok(chunk)).is_ok()
    }

    /// Ends the file: the records gathered so far, then the reason it could not be read
    /// further, if any.
    pub fn finish(mut self, result: Result<(), String>) {
        if self.flush()
            && let Err(e) = result
        {
            let _ = self.tx.blocking_send(Err(e));
        }
    }
}

/// The service's side: the records one at a time, out of the chunks the reader sends.
pub struct Records {
    rx: Receiver<Chunk>,
    chunk: std::vec::IntoIter<Record>,
}

impl Records {
    pub fn new(rx: Receiver<Chunk>) -> Self {
        Self {
            rx,
            chunk: Vec::new().into_iter(),
        }
    }

    /// The next record, the reason the file could not be read further, or `None` at its end.
    async fn next(&mut self) -> Option<Result<Record, String>> {
        loop {
            if let Some(record) = self.chunk.next() {
                return Some(Ok(record));
            }
            match self.rx.recv().await? {
                Ok(chunk) => self.chunk = chunk.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// What the request asks.
pub struct FileImport {
    pub kind: ImportKind,
    /// The organization of rows that leave theirs empty.
    pub default_organization: Option<i64>,
    pub idempotency_key: Option<String>,
    /// SHA-256 of the file's bytes (with the kind and default organization, the request's
    /// identity for the idempotency key).
    pub file_sha256: String,
}

/// A finished import.
#[derive(Debug)]
pub struct Imported {
    pub rows: usize,
    /// This answers a retry of a key already imported (nothing was written again).
    pub replayed: bool,
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    /// Bad rows: the first [`MAX_REPORTED`] and how many in all.
    Rows {
        errors: Vec<CellError>,
        /// Bad cells in all.
        total: usize,
        /// Rows with at least one bad cell.
        rows: usize,
    },
    Other(AppError),
}

impl From<AppError> for ImportError {
    fn from(e: AppError) -> Self {
        ImportError::Other(e)
    }
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(e: sea_orm::DbErr) -> Self {
        ImportError::Other(e.into())
    }
}

/// The bad rows seen so far (kept up to [`MAX_REPORTED`]).
#[derive(Default)]
struct Problems {
    kept: Vec<CellError>,
    total: usize,
    rows: HashSet<usize>,
}

impl Problems {
    fn add(&mut self, errors: impl IntoIterator<Item = CellError>) {
        for e in errors {
            self.total += 1;
            self.rows.insert(e.row);
            if self.kept.len() < MAX_REPORTED {
                self.kept.push(e);
            }
        }
    }

    /// Adds the bad rows another stage saw.
    fn merge(&mut self, other: Problems) {
        self.total += other.total;
        self.rows.extend(other.rows);
        let room = MAX_REPORTED.saturating_sub(self.kept.len());
        self.kept.extend(other.kept.into_iter().take(room));
    }

    fn one(&mut self, row: usize, column: &str, field: &str, message: String) {
        self.add([CellError {
            row,
            column: column.into(),
            field: field.into(),
            message,
        }]);
    }
}

/// A validated row waiting for its batch.
struct Ready {
    row: usize,
    organization: i64,
    applied_on: chrono::NaiveDate,
    person: PersonRecord,
    member_since: Option<chrono::NaiveDate>,
    under_party_probation: bool,
    /// The organization is a "two new" (新经济组织、新社会组织) one (the counters keep it).
    two_new: bool,
}

/// A batch of validated rows, screened for ID-card numbers on record before it is written.
struct Screened {
    rows: Vec<Ready>,
    /// The batch's numbers that were on record when the batch was screened.
    on_record: HashSet<String>,
    /// The batch's numbers, not on record, that may have come earlier in the file (to be looked
    /// up through the transaction, which sees the rows written so far).
    seen_before: Vec<String>,
}

/// The ID-card numbers of the rows so far, kept in a fixed 2 MB whatever the file's size (a
/// Bloom filter sized for the largest file, a million rows): it can be wrong only by answering
/// "maybe" for a number not seen (about one in a thousand at a million numbers, each costing
/// one exact lookup through the transaction), never by missing one that was.
struct SeenNumbers(fastbloom::BloomFilter);

impl SeenNumbers {
    fn new() -> Self {
        SeenNumbers(fastbloom::BloomFilter::with_num_bits(1 << 24).expected_items(1_000_000))
    }

    /// Remembers `number`; `true` when it may have been remembered before.
    fn insert(&mut self, number: &str) -> bool {
        let seen = self.0.contains(number);
        self.0.insert(number);
        seen
    }
}

/// Looks a full batch's ID-card numbers up on record (through `db`, the pool: while the
/// transaction's connection takes the previous batch's `COPY`, another answers this lookup)
/// and notes the numbers that may have come earlier in the file.
async fn screen(
    db: &DatabaseConnection,
    checks: &DuplicateChecks,
    actor: &Actor,
    seen: &mut SeenNumbers,
    tally: &mut duplicates::Tally,
    rows: Vec<Ready>,
) -> AppResult<Screened> {
    let mut numbers = HashSet::new();
    let mut seen_before = vec![];
    for n in rows
        .iter()
        .filter_map(|r| r.person.id_card_number.as_deref())
    {
        if numbers.insert(n) && seen.insert(n) {
            seen_before.push(n.to_string());
        }
    }
    let numbers: Vec<String> = numbers.into_iter().map(String::from).collect();
    let on_record: HashSet<String> = duplicates::look_up(db, checks, actor, &numbers, tally)
        .await?
        .into_iter()
        .collect();
    seen_before.retain(|n| !on_record.contains(n));
    Ok(Screened {
        rows,
        on_record,
        seen_before,
    })
}

/// What an import has learnt of the tree (bounded by the organizations the file names).
struct Tree<'a> {
    db: &'a DatabaseConnection,
    organizations: HashMap<i64, Option<Organization>>,
    rules: HashMap<i64, LocalRules>,
}

impl Tree<'_> {
    async fn organization(&mut self, actor: &Actor, id: i64) -> AppResult<Option<&Organization>> {
        if !self.organizations.contains_key(&id) {
            let o = db::organization::find_by_id(self.db, id)
                .await?
                .filter(|o| actor.can_see(&o.path) && o.active);
            self.organizations.insert(id, o);
        }
        Ok(self.organizations[&id].as_ref())
    }

    async fn rules(&mut self, org: &Organization) -> AppResult<&LocalRules> {
        if !self.rules.contains_key(&org.id) {
            let r = db::local_rules::effective(self.db, &org.path).await?;
            self.rules.insert(org.id, r);
        }
        Ok(&self.rules[&org.id])
    }
}

/// The service's answer to one file. `decode_organization` reads an organization cell (an API
/// id) into its number.
pub async fn import_file(
    db: &DatabaseConnection,
    checks: &DuplicateChecks,
    actor: &Actor,
    request: FileImport,
    mut records: Records,
    decode_organization: impl Fn(&str) -> Option<i64>,
) -> Result<Imported, ImportError> {
    if !actor.may(Permission::ManagePipeline) {
        require(actor, Permission::SubmitReports)?;
    }
    let operation = match request.kind {
        ImportKind::Candidates => "importCandidatesFile",
        ImportKind::Members => "importMembersFile",
    };
    let request_hash = format!(
        "{operation}:{}:{}",
        request.default_organization.unwrap_or_default(),
        request.file_sha256
    );
    let key = request.idempotency_key.clone();
    let earlier = || earlier_import(db, actor, key.as_deref(), &request_hash, "a different file");
    if let Some(rows) = earlier().await? {
        return Ok(Imported {
            rows,
            replayed: true,
        });
    }
    let layout = match records.next().await {
        None => return Err(empty_file().into()),
        Some(Err(e)) => return Err(unreadable(e).into()),
        Some(Ok((_, header))) => Layout::from_header(
            request.kind,
            &header,
            request.default_organization.is_some(),
        )
        .map_err(|errors| ImportError::Rows {
            total: errors.len(),
            rows: 1,
            errors,
        })?,
    };
    let mut tally = duplicates::Tally::default();
    let outcome = write_rows(
        db,
        checks,
        actor,
        &request,
        (operation, &request_hash),
        &layout,
        records,
        &decode_organization,
        &mut tally,
    )
    .await;
    // The import's transaction has ended (committed or dropped): its checks are audited now,
    // whatever became of it.
    duplicates::audit_tally(db, actor, tally).await?;
    match outcome {
        Ok(rows) => Ok(Imported {
            rows,
            replayed: false,
        }),
        // The same file sent again while the first was still being written failed against the
        // first's rows: once the first has committed, the retry answers what it wrote.
        Err(e) => match earlier().await {
            Ok(Some(rows)) => Ok(Imported {
                rows,
                replayed: true,
            }),
            _ => Err(e),
        },
    }
}

/// Reads, validates and writes every row in one transaction; commits only when every row
/// passed. Returns how many rows were written.
#[allow(clippy::too_many_arguments)]
async fn write_rows(
    db: &DatabaseConnection,
    checks: &DuplicateChecks,
    actor: &Actor,
    request: &FileImport,
    (operation, request_hash): (&str, &str),
    layout: &Layout,
    records: Records,
    decode_organization: &impl Fn(&str) -> Option<i64>,
    tally: &mut duplicates::Tally,
) -> Result<usize, ImportError> {
    let txn = BulkTxn::begin(db).await?;
    let result = fill(
        db,
        &txn,
        checks,
        actor,
        request,
        (operation, request_hash),
        layout,
        records,
        decode_organization,
        tally,
    )
    .await;
    // Ended explicitly either way: a transaction left to drop would hold SQLite's write lock
    // until its connection is next used.
    match result {
        Ok(n) => {
            txn.commit().await?;
            Ok(n)
        }
        Err(e) => {
            txn.rollback().await?;
            Err(e)
        }
    }
}

/// The rows into the open transaction, and the counters, audit and key with them.
///
/// Two stages run together: one reads and validates rows, looks each batch of
/// [`db::bulk::BATCH_ROWS`] up on record and hands it over, the other finds the duplicates
/// within the file and writes the batch. While PostgreSQL takes one batch's `COPY`, the next
/// batch is being read, validated and looked up on another connection (done one after the
/// other, the server sat idle for a sixth of a 100,000-row import, and the lookups took a
/// twentieth of the transaction's time). At most one batch waits between the stages, so memory
/// stays bounded by three batches and [`SeenNumbers`].
#[allow(clippy::too_many_arguments)]
async fn fill(
    db: &DatabaseConnection,
    txn: &BulkTxn,
    checks: &DuplicateChecks,
    actor: &Actor,
    request: &FileImport,
    (operation, request_hash): (&str, &str),
    layout: &Layout,
    records: Records,
    decode_organization: &impl Fn(&str) -> Option<i64>,
    tally: &mut duplicates::Tally,
) -> Result<usize, ImportError> {
    let (batches, mut to_write) = tokio::sync::mpsc::channel::<Screened>(1);
    let validating = validate_rows(
        (db, checks, tally),
        actor,
        request,
        layout,
        records,
        decode_organization,
        batches,
    );
    let by = db::bulk::Recorder {
        user_id: actor.user_id,
        role: actor.role.as_str(),
        at: chrono::Utc::now(),
        note: "file import",
    };
    let writing = async move {
        let mut problems = Problems::default();
        let mut per_branch = BranchCounts::new();
        let mut written = 0usize;
        while let Some(batch) = to_write.recv().await {
            written += flush(txn, batch, &mut per_branch, &mut problems, request.kind, by).await?;
        }
        AppResult::Ok((written, per_branch, problems))
    };
    let (validated, written) = tokio::join!(validating, writing);
    // A failed write ends the reading too (its batches have nowhere to go): the write's error
    // is the one to report.
    let (written, per_branch, write_problems) = written?;
    let (tree, mut problems) = validated?;
    problems.merge(write_problems);
    if problems.total > 0 {
        problems.kept.sort_by_key(|e| e.row);
        return Err(ImportError::Rows {
            rows: problems.rows.len(),
            errors: problems.kept,
            total: problems.total,
        });
    }
    if written == 0 {
        return Err(empty_file().into());
    }
    record(
        txn,
        actor,
        request,
        (operation, request_hash),
        &tree,
        per_branch,
        written,
    )
    .await?;
    Ok(written)
}

/// The reading stage of [`fill`]: every record read and validated, the rows that pass screened
/// and handed to `batches` a batch at a time. Returns what was learnt of the tree and the bad
/// rows.
async fn validate_rows<'a>(
    (db, checks, tally): (
        &'a DatabaseConnection,
        &DuplicateChecks,
        &mut duplicates::Tally,
    ),
    actor: &Actor,
    request: &FileImport,
    layout: &Layout,
    mut records: Records,
    decode_organization: &impl Fn(&str) -> Option<i64>,
    batches: tokio::sync::mpsc::Sender<Screened>,
) -> AppResult<(Tree<'a>, Problems)> {
    let mut tree = Tree {
        db,
        organizations: HashMap::new(),
        rules: HashMap::new(),
    };
    let mut problems = Problems::default();
    let mut seen = SeenNumbers::new();
    let mut batch: Vec<Ready> = Vec::with_capacity(db::bulk::BATCH_ROWS);
    while let Some(record) = records.next().await {
        let (row, cells) = record.map_err(unreadable)?;
        if import_file::is_blank(&cells) {
            continue;
        }
        match import_file::read_row(layout, row, &cells) {
            Err(errors) => problems.add(errors),
            Ok(parsed) => {
                let ready = validate(
                    &mut tree,
                    actor,
                    request,
                    parsed,
                    decode_organization,
                    &mut problems,
                )
                .await?;
                batch.extend(ready);
            }
        }
        if batch.len() >= db::bulk::BATCH_ROWS {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(db::bulk::BATCH_ROWS));
            let screened = screen(db, checks, actor, &mut seen, tally, full).await?;
            if batches.send(screened).await.is_err() {
                // The writing stage has stopped (its error is reported).
                return Ok((tree, problems));
            }
        }
    }
    if !batch.is_empty() {
        let screened = screen(db, checks, actor, &mut seen, tally, batch).await?;
        let _ = batches.send(screened).await;
    }
    Ok((tree, problems))
}

/// What goes with the rows written: the counters (applications), the audit row and the
/// idempotency key.
async fn record(
    txn: &BulkTxn,
    actor: &Actor,
    request: &FileImport,
    (operation, request_hash): (&str, &str),
    tree: &Tree<'_>,
    per_branch: BranchCounts,
    written: usize,
) -> AppResult<()> {
    let kind = request.kind;
    if kind == ImportKind::Candidates {
        let orgs = &tree.organizations;
        let deltas = rolled_up(per_branch, |id| {
            orgs[&id]
                .as_ref()
                .map(|o| o.path.as_str())
                .unwrap_or_default()
        });
        db::counts::apply(txn, &deltas).await?;
    }
    let (action, subject) = match kind {
        ImportKind::Candidates => ("candidate.import", "candidate"),
        ImportKind::Members => ("member.import", "person"),
    };
    db::audit::record(
        txn,
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: Some(actor.organization_id),
            action,
            subject_type: subject,
            subject_id: None,
            detail: json!({ "rows": written, "file": true }),
        },
    )
    .await?;
    if let Some(key) = &request.idempotency_key {
        db::idempotency::record(
            txn,
            actor.user_id,
            key,
            operation,
            request_hash,
            written as i64,
        )
        .await?;
    }
    Ok(())
}

fn empty_file() -> AppError {
    AppError::bad_input("file", "文件中没有数据行", "the file has no data rows")
}

/// The file could not be read further; `reason` is already in Chinese and English.
fn unreadable(reason: String) -> AppError {
    // The reader's reasons are "中文 / English" when they are the service's own.
    let (zh, en) = reason.split_once(" / ").unwrap_or((&reason, &reason));
    AppError::bad_input(
        "file",
        format!("无法读取文件：{zh}"),
        format!("the file could not be read: {en}"),
    )
}

/// The heading of the column that holds `field` (empty when none does).
fn column_of(kind: ImportKind, field: &str) -> &'static str {
    if field.is_empty() {
        return "";
    }
    kind.columns()
        .iter()
        .find(|c| {
            c.field == field
                || (field == "outflowOrganizationId" && c.field == "outflowOrganizationName")
        })
        .map(|c| c.header_zh)
        .unwrap_or_default()
}

/// One row against the tree and the rules; `None` when it was reported.
async fn validate(
    tree: &mut Tree<'_>,
    actor: &Actor,
    request: &FileImport,
    parsed: FileRow,
    decode_organization: &impl Fn(&str) -> Option<i64>,
    problems: &mut Problems,
) -> AppResult<Option<Ready>> {
    let row = parsed.row;
    let org_id = match parsed.organization.as_deref() {
        Some(text) => decode_organization(text),
        None => request.default_organization,
    };
    let org = match org_id {
        Some(id) => tree.organization(actor, id).await?.cloned(),
        None => None,
    };
    let Some(org) = org else {
        problems.one(
            row,
            "所属党组织ID",
            "organizationId",
            "未找到 / not found".into(),
        );
        return Ok(None);
    };
    let candidates = request.kind == ImportKind::Candidates;
    if candidates && let Err(message) = receives_applications(&org) {
        problems.one(row, "所属党组织ID", "organizationId", message);
        return Ok(None);
    }
    let p = match validate_person(parsed.person, candidates) {
        Ok(p) => p,
        Err((field, message)) => {
            problems.one(row, column_of(request.kind, field), field, message);
            return Ok(None);
        }
    };
    let applied_on = parsed.applied_on.unwrap_or_default();
    // An application date after today is P3's, checked with the step's other rules below.
    let today = crate::clock::today();
    if let Err(e) = person::born_by(p.birth_date, today) {
        problems.one(row, "出生日期", "birthDate", e.to_string());
        return Ok(None);
    }
    if let Some(since) = parsed.member_since
        && let Err(e) = person::joined_as_adult(p.birth_date, since, today)
    {
        problems.one(row, "入党日期", "memberSince", e.to_string());
        return Ok(None);
    }
    if candidates {
        let rules = tree.rules(&org).await?;
        if let Err((field, message)) = check_application(org.id, &p, applied_on, rules) {
            problems.one(row, column_of(request.kind, field), field, message);
            return Ok(None);
        }
    }
    Ok(Some(Ready {
        row,
        organization: org.id,
        applied_on,
        person: p,
        member_since: parsed.member_since,
        under_party_probation: parsed.under_party_probation,
        two_new: org.is_two_new,
    }))
}

/// Refuses a screened batch's rows whose ID-card number is on record or came before in the
/// file (in the batch, or in a row already written: looked up through the transaction) and
/// writes the rest. Returns how many were written.
async fn flush(
    txn: &BulkTxn,
    screened: Screened,
    per_branch: &mut BranchCounts,
    problems: &mut Problems,
    kind: ImportKind,
    by: db::bulk::Recorder<'_>,
) -> AppResult<usize> {
    let Screened {
        rows: batch,
        on_record,
        seen_before,
    } = screened;
    if batch.is_empty() {
        return Ok(0);
    }
    let written_before: HashSet<String> = db::person::existing_id_cards(txn, &seen_before)
        .await?
        .into_iter()
        .collect();
    let mut in_batch = HashSet::new();
    let mut refused = HashSet::new();
    for r in batch.iter() {
        if let Some(n) = &r.person.id_card_number
            && (!in_batch.insert(n.as_str()) || written_before.contains(n))
        {
            refused.insert(r.row);
            problems.one(
                r.row,
                "身份证号",
                "idCardNumber",
                "文件中身份证号重复 / duplicate ID-card number in the file".into(),
            );
        }
    }
    for r in batch.iter() {
        if !refused.contains(&r.row)
            && r.person
                .id_card_number
                .as_ref()
                .is_some_and(|n| on_record.contains(n))
        {
            refused.insert(r.row);
            problems.one(
                r.row,
                "身份证号",
                "idCardNumber",
                duplicates::DUPLICATE_MESSAGE.into(),
            );
        }
    }
    let passing: Vec<&Ready> = batch.iter().filter(|r| !refused.contains(&r.row)).collect();
    match kind {
        ImportKind::Candidates => {
            let rows: Vec<_> = passing
                .iter()
                .map(|r| NewApplication::new(r.organization, r.applied_on, &r.person))
                .collect();
            let two_new: HashMap<i64, bool> = passing
                .iter()
                .map(|r| (r.organization, r.two_new))
                .collect();
            write_applications(txn, &rows, by, per_branch, |id| two_new[&id]).await?;
        }
        ImportKind::Members => {
            let rows: Vec<_> = passing
                .iter()
                .map(|r| db::bulk::NewMember {
                    organization_id: r.organization,
                    person: &r.person,
                    member_since: r.member_since,
                    under_party_probation: r.under_party_probation,
                })
                .collect();
            txn.insert_members(&rows, by.at).await?;
        }
    }
    Ok(passing.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_numbers_never_miss_a_number_and_rarely_claim_one() {
        let mut seen = SeenNumbers::new();
        let numbers: Vec<String> = (0..200_000)
            .map(|i| format!("11010119900101{i:06}"))
            .collect();
        let claimed = numbers.iter().filter(|n| seen.insert(n)).count();
        assert!(
            claimed < 20,
            "{claimed} of 200,000 new numbers taken as seen"
        );
        assert!(
            numbers.iter().all(|n| seen.insert(n)),
            "a number seen was missed"
        );
    }

    #[tokio::test]
    async fn records_cross_in_chunks_in_order_with_the_reading_error_last() {
        let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(2);
        let rows = CHUNK_ROWS * 2 + 3;
        let reader = std::thread::spawn(move || {
            let mut tx = RecordSender::new(tx);
            for row in 1..=rows {
                assert!(tx.push(row, vec![row.to_string()]));
            }
            tx.finish(Err("broken at the end".into()));
        });
        let mut records = Records::new(rx);
        for row in 1..=rows {
            let (n, cells) = records.next().await.unwrap().unwrap();
            assert_eq!((n, cells), (row, vec![row.to_string()]));
        }
        assert_eq!(records.next().await, Some(Err("broken at the end".into())));
        assert_eq!(records.next().await, None);
        reader.join().unwrap();
    }

    #[tokio::test]
    async fn the_reader_learns_when_the_service_stops_listening() {
        let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(1);
        drop(Records::new(rx));
        let pushed = std::thread::spawn(move || {
            let mut tx = RecordSender::new(tx);
            (1..=CHUNK_ROWS * 4)
                .take_while(|&row| tx.push(row, vec![]))
                .count()
        })
        .join()
        .unwrap();
        assert_eq!(
            pushed,
            CHUNK_ROWS - 1,
            "stops at the first chunk it cannot hand over"
        );
    }
}
