//! File imports: `POST /imports/candidates` and `POST /imports/members` take an Excel (.xlsx)
//! or CSV file — as the raw body or as the `file` part of a multipart form — with a bearer
//! token, the same roles and scopes as `importCandidates` / `importMembers`. The body is
//! spooled to an unnamed temporary file (hashed on the way, for the idempotency key), then read
//! row by row on a blocking thread (`calamine`'s cell reader for xlsx, `csv` for CSV in UTF-8 or,
//! when the file is not UTF-8, GB18030 as Excel saves it on Chinese Windows) into a bounded channel the service drains,
//! [`file_import::CHUNK_ROWS`] rows at a time.
//! `GET /imports/templates/{candidates,members}.{xlsx,csv}` serves the templates.

use super::HttpState;
use super::exports::{actor, app_error};
use crate::domain::import_file::{EDUCATION_LABELS, ImportKind, OCCUPATION_LABELS};
use crate::error::AppError;
use crate::graphql::ids::{self, NodeType};
use crate::service::file_import::{self, Chunk, FileImport, ImportError, RecordSender, Records};
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{BufReader, Seek, Write};
use tokio::sync::mpsc;

/// Query parameters of an import.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportQuery {
    /// The organization of rows that leave the organization column empty (an API id).
    organization_id: Option<String>,
    /// Makes a retry safe (also accepted as the `Idempotency-Key` header).
    idempotency_key: Option<String>,
}

fn kind_of(name: &str) -> Option<ImportKind> {
    match name {
        "candidates" => Some(ImportKind::Candidates),
        "members" => Some(ImportKind::Members),
        _ => None,
    }
}

/// `POST /imports/{candidates|members}`.
pub async fn import(
    State(s): State<HttpState>,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    req: Request,
) -> Response {
    let Some(kind) = kind_of(&kind) else {
        return app_error(AppError::NotFound("import"));
    };
    let actor = match actor(&s, req.headers()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let default_organization = match q.organization_id.as_deref().filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match ids::decode(
            NodeType::Organization,
            &async_graphql::ID(v.into()),
            "organizationId",
        ) {
            Ok(id) => Some(id),
            Err(e) => return app_error(e),
        },
    };
    let idempotency_key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(String::from)
        .or(q.idempotency_key)
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty());
    if idempotency_key
        .as_ref()
        .is_some_and(|k| k.chars().count() > 200)
    {
        return app_error(AppError::bad_input(
            "idempotencyKey",
            "幂等键最多200个字符",
            "the idempotency key is limited to 200 characters",
        ));
    }
    let limit = s.app.config.max_import_bytes;
    let (file, sha, declared_xlsx) = match spool(req, &s, limit).await {
        Ok(v) => v,
        Err(e) => return app_error(e),
    };
    // The file is whole on disk; now it waits for the imports before it to finish.
    let Ok(_turn) = s.app.file_imports.acquire().await else {
        return app_error(AppError::internal(anyhow::anyhow!(
            "the import queue is closed"
        )));
    };
    let (tx, rx) = mpsc::channel::<Chunk>(2);
    let reader =
        tokio::task::spawn_blocking(move || read_file(file, declared_xlsx, RecordSender::new(tx)));
    // Every audit row the import writes (the import's and its duplicate checks') names the
    // request and the role, as rows written through GraphQL do.
    let context = crate::db::audit::AuditContext {
        request_id: super::current_request_id(),
        actor_role: Some(actor.role.as_str().to_string()),
    };
    let import = file_import::import_file(
        &s.app.db,
        &s.app.duplicate_checks,
        &actor,
        FileImport {
            kind,
            default_organization,
            idempotency_key,
            file_sha256: sha,
        },
        Records::new(rx),
        |text| match ids::decode_any(text.trim()) {
            Some((NodeType::Organization, id)) => Some(id),
            _ => None,
        },
    );
    let outcome = crate::db::audit::AUDIT_CONTEXT.scope(context, import).await;
    // The receiver is gone: the reader stops at its next row.
    let _ = reader.await;
    match outcome {
        Ok(done) => (
            StatusCode::OK,
            axum::Json(json!({ "imported": done.rows, "replayed": done.replayed })),
        )
            .into_response(),
        Err(ImportError::Other(e)) => app_error(e),
        Err(ImportError::Rows {
            errors,
            total,
            rows: bad_rows,
        }) => {
            let rows: Vec<_> = errors
                .iter()
                .map(|e| json!({ "row": e.row, "column": e.column, "field": e.field, "message": e.message }))
                .collect();
            let body = json!({ "errors": [{
                "message": format!("{bad_rows}行数据有误（{total}处），未导入任何数据 / {bad_rows} rows are invalid ({total} cells); nothing was imported"),
                "extensions": {
                    "code": "BAD_USER_INPUT",
                    "rows": rows,
                    "rowErrorCount": total,
                    "badRowCount": bad_rows,
                    "requestId": super::current_request_id(),
                }
            }] });
            (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
        }
    }
}

/// The media type of an xlsx workbook.
const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Whether the sender says the file is an xlsx workbook: by its media type, or in a form by its
/// name.
fn declares_xlsx(media_type: Option<&str>, file_name: Option<&str>) -> bool {
    media_type.is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case(XLSX_MEDIA_TYPE))
    }) || file_name.is_some_and(|n| n.to_ascii_lowercase().ends_with(".xlsx"))
}

/// Writes the upload (the raw body, or the multipart form's `file` part) to an unnamed
/// temporary file, at most `limit` bytes, and returns it rewound with its SHA-256 and whether
/// the sender declared it an xlsx workbook.
async fn spool(
    req: Request,
    s: &HttpState,
    limit: usize,
) -> Result<(std::fs::File, String, bool), AppError> {
    let mut file = tempfile::tempfile().map_err(AppError::internal)?;
    let mut hash = Sha256::new();
    let mut size = 0usize;
    let mut write = |chunk: &[u8]| -> Result<(), AppError> {
        size += chunk.len();
        if size > limit {
            return Err(AppError::bad_input(
                "file",
                format!("文件超过{limit}字节的上限",),
                format!("the file is larger than the limit of {limit} bytes"),
            ));
        }
        hash.update(chunk);
        file.write_all(chunk).map_err(AppError::internal)
    };
    let interrupted = || {
        AppError::bad_input(
            "file",
            "上传中断或表单无法读取",
            "the upload was interrupted or the form could not be read",
        )
    };
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let multipart = media_type.is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut declared_xlsx = declares_xlsx(media_type, None);
    if multipart {
        let mut form = Multipart::from_request(req, s)
            .await
            .map_err(|_| interrupted())?;
        let mut found = false;
        while let Some(mut field) = form.next_field().await.map_err(|_| interrupted())? {
            if field.name() != Some("file") {
                continue;
            }
            found = true;
            declared_xlsx = declares_xlsx(field.content_type(), field.file_name());
            while let Some(chunk) = field.chunk().await.map_err(|_| interrupted())? {
                write(&chunk)?;
            }
            break;
        }
        if !found {
            return Err(AppError::bad_input(
                "file",
                "表单中缺少file字段",
                "the form has no part named file",
            ));
        }
    } else {
        let mut body = req.into_body().into_data_stream();
        while let Some(chunk) = body.next().await {
            write(&chunk.map_err(|_| interrupted())?)?;
        }
    }
    file.rewind().map_err(AppError::internal)?;
    Ok((file, format!("{:x}", hash.finalize()), declared_xlsx))
}

/// Reads the spooled file into records: xlsx when it starts as a zip archive, CSV otherwise;
/// a file sent as xlsx that is not a zip archive is refused rather than read as text.
fn read_file(mut file: std::fs::File, declared_xlsx: bool, mut tx: RecordSender) {
    let mut magic = [0u8; 4];
    let n = std::io::Read::read(&mut file, &mut magic).unwrap_or(0);
    if file.rewind().is_err() {
        return;
    }
    let result = match &magic[..n] {
        [b'P', b'K', 3, 4] => read_xlsx(file, &mut tx),
        [0xD0, 0xCF, 0x11, 0xE0] => Err("请另存为.xlsx / save the .xls as .xlsx".into()),
        _ if declared_xlsx => Err(NOT_XLSX.into()),
        _ => read_csv(file, &mut tx),
    };
    tx.finish(result);
}

/// The refusal of a file that is not the workbook it claims to be.
const NOT_XLSX: &str = "不是有效的.xlsx文件 / not a valid .xlsx workbook";

/// Most columns a file may have (the templates have 19).
const MAX_COLUMNS: usize = 1_024;

/// Most data rows a file may have.
const MAX_ROWS: usize = 1_000_000;

/// Largest unpacked part of an xlsx (its shared strings or a sheet), and of the whole archive:
/// calamine reads the shared strings whole, so a small file that unpacks to gigabytes is
/// refused before it is opened.
const MAX_XLSX_PART: u64 = 256 * 1024 * 1024;
const MAX_XLSX_TOTAL: u64 = 1024 * 1024 * 1024;

/// Refuses an archive whose declared sizes are out of bounds (the reader then stops at the
/// declared size: a part that unpacks to more is an error, not more memory).
fn check_archive(file: &mut std::fs::File) -> Result<(), String> {
    check_archive_within(file, MAX_XLSX_PART, MAX_XLSX_TOTAL)
}

fn check_archive_within(
    file: &mut std::fs::File,
    max_part: u64,
    max_total: u64,
) -> Result<(), String> {
    let too_big =
        || "文件解压后过大 / the workbook unpacks to more than the service reads".to_string();
    let not_xlsx = || NOT_XLSX.to_string();
    let mut archive = zip::ZipArchive::new(&mut *file).map_err(|_| not_xlsx())?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(|_| not_xlsx())?;
        if part.size() > max_part {
            return Err(too_big());
        }
        total += part.size();
    }
    if total > max_total {
        return Err(too_big());
    }
    Ok(())
}

fn read_xlsx(mut file: std::fs::File, tx: &mut RecordSender) -> Result<(), String> {
    use calamine::{Reader, Xlsx};
    check_archive(&mut file)?;
    file.rewind().map_err(|e| e.to_string())?;
    let not_xlsx = |e: calamine::XlsxError| {
        tracing::info!(error = %e, "an uploaded workbook could not be read");
        NOT_XLSX.to_string()
    };
    let mut book: Xlsx<_> = Xlsx::new(BufReader::new(file)).map_err(not_xlsx)?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| "工作簿中没有工作表 / the workbook has no sheet".to_string())?;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(not_xlsx)?;
    let mut current: Option<u32> = None;
    let mut row: Vec<String> = vec![];
    let mut rows = 0usize;
    while let Some(cell) = cells.next_cell().map_err(not_xlsx)? {
        let (r, c) = cell.get_position();
        if current != Some(r) {
            rows += 1;
            if rows > MAX_ROWS + 1 {
                return Err(too_many_rows());
            }
            // The next row starts as wide as this one (grown cell by cell from empty, each
            // row of a 9-column sheet was reallocated four times).
            let width = row.len();
            if let Some(done) = current
                && !tx.push(
                    done as usize + 1,
                    std::mem::replace(&mut row, Vec::with_capacity(width)),
                )
            {
                return Ok(());
            }
            current = Some(r);
        }
        let c = c as usize;
        if c >= MAX_COLUMNS {
            return Err(too_many_columns());
        }
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = cell_text(cell.get_value());
    }
    if let Some(done) = current {
        tx.push(done as usize + 1, row);
    }
    Ok(())
}

/// A cell as the text a person typed: whole numbers without a decimal point, dates as
/// `YYYY-MM-DD`, booleans as 是/否.
fn cell_text(v: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match v {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "是" } else { "否" }.into(),
        // A number in a date-formatted cell that is no date (a phone typed into the birth-date
        // column's format) stays the number, so it is reported rather than lost.
        DataRef::DateTime(d) => d
            .as_datetime()
            .map(|d| d.date().format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| {
                let f = d.as_f64();
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{}", f as i64)
                } else {
                    f.to_string()
                }
            }),
        DataRef::DateTimeIso(s) => s.split('T').next().unwrap_or_default().to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e}"),
        DataRef::Empty => String::new(),
    }
}

/// Whether the whole file is UTF-8 (read in blocks; a character split across two blocks is
/// carried over). Decided once for the file: a short GB18030 text can also be valid UTF-8
/// (女 is C5 AE, which UTF-8 reads as Ů), so cells cannot be judged one by one.
fn is_utf8(file: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::Read;
    let mut buf = vec![0u8; 64 * 1024];
    let mut carried = 0usize;
    loop {
        let n = file.read(&mut buf[carried..])?;
        let end = carried + n;
        if n == 0 {
            return Ok(carried == 0);
        }
        match std::str::from_utf8(&buf[..end]) {
            Ok(_) => carried = 0,
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..end, 0);
                carried = end - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

fn too_many_columns() -> String {
    format!("文件超过{MAX_COLUMNS}列 / the file has more than {MAX_COLUMNS} columns")
}

fn too_many_rows() -> String {
    format!("文件超过{MAX_ROWS}行，请拆分 / the file has more than {MAX_ROWS} rows; split it")
}

fn read_csv(mut file: std::fs::File, tx: &mut RecordSender) -> Result<(), String> {
    let utf8 = is_utf8(&mut file).map_err(|e| e.to_string())?;
    file.rewind().map_err(|e| e.to_string())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(file));
    let mut record = csv::ByteRecord::new();
    let mut row = 0usize;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| e.to_string())?
    {
        row += 1;
        // As wide as an xlsx may be, and refused past it: a cell beyond is never dropped.
        if record.len() > MAX_COLUMNS {
            return Err(too_many_columns());
        }
        let cells = record
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let field = if row == 1 && i == 0 {
                    field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
                } else {
                    field
                };
                if utf8 {
                    String::from_utf8_lossy(field).into_owned()
                } else {
                    encoding_rs::GB18030
                        .decode_without_bom_handling(field)
                        .0
                        .into_owned()
                }
            })
            .collect();
        if !tx.push(row, cells) {
            return Ok(());
        }
    }
    Ok(())
}

/// `GET /imports/templates/{candidates|members}.{xlsx|csv}`: the headers (required ones marked
/// `*`), the cells' formats and, in xlsx, drop-down lists fed by a code sheet (代码表).
pub async fn template(Path(file): Path<String>) -> Response {
    let Some((name, ext)) = file.rsplit_once('.') else {
        return app_error(AppError::NotFound("template"));
    };
    let Some(kind) = kind_of(name) else {
        return app_error(AppError::NotFound("template"));
    };
    let headers: Vec<String> = kind
        .columns()
        .iter()
        .map(|c| format!("{}{}", c.header_zh, if c.required { "*" } else { "" }))
        .collect();
    let (body, content_type) = match ext {
        "csv" => {
            let mut out = b"\xEF\xBB\xBF".to_vec();
            out.extend(headers.join(",").as_bytes());
            out.extend(b"\r\n");
            (out, "text/csv; charset=utf-8")
        }
        "xlsx" => match template_xlsx(kind, &headers) {
            Ok(b) => (b, XLSX_MEDIA_TYPE),
            Err(e) => return app_error(AppError::internal(e)),
        },
        _ => return app_error(AppError::NotFound("template")),
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}-template.{ext}\""),
            ),
        ],
        body,
    )
        .into_response()
}

fn template_xlsx(
    kind: ImportKind,
    headers: &[String],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::domain::import_file::Column;
    use rust_xlsxwriter::{DataValidation, Format, Formula, Note, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let lists: [(&str, Vec<&str>); 4] = [
        ("性别", vec!["男", "女"]),
        ("学历", EDUCATION_LABELS.iter().map(|(l, _)| *l).collect()),
        (
            "职业类别",
            OCCUPATION_LABELS.iter().map(|(l, _)| *l).collect(),
        ),
        ("是否", vec!["是", "否"]),
    ];
    let sheet = book.add_worksheet();
    sheet.set_name(match kind {
        ImportKind::Candidates => "入党申请人",
        ImportKind::Members => "党员",
    })?;
    const LAST: u32 = 1_048_575;
    for (i, (spec, title)) in kind.columns().iter().zip(headers).enumerate() {
        let col = i as u16;
        sheet.write_string_with_format(0, col, title, &bold)?;
        sheet.set_column_width(col, 16)?;
        if !spec.hint.is_empty() {
            sheet.insert_note(0, col, &Note::new(spec.hint).set_author("fazhan"))?;
        }
        let list = match spec.column {
            Column::Gender => Some(("A", 2)),
            Column::Education => Some(("B", lists[1].1.len())),
            Column::Occupations => Some(("C", lists[2].1.len())),
            Column::IsFrontline
            | Column::IsLeagueMember
            | Column::IsMigrant
            | Column::IsHighLevelTalent
            | Column::IsBusinessOwner
            | Column::UnderPartyProbation => Some(("D", 2)),
            _ => None,
        };
        match spec.column {
            Column::AppliedOn | Column::BirthDate | Column::MemberSince => {
                sheet.set_column_format(col, &date)?;
            }
            _ => {
                sheet.set_column_format(col, &text)?;
            }
        }
        if let Some((letter, n)) = list {
            let mut v = DataValidation::new().allow_list_formula(Formula::new(format!(
                "=代码表!${letter}$2:${letter}${}",
                n + 1
            )));
            // Several occupations are written 工人、学生: the list suggests, it does not refuse.
            if spec.column == Column::Occupations {
                v = v.set_error_style(rust_xlsxwriter::DataValidationErrorStyle::Information);
            }
            sheet.add_data_validation(1, col, LAST, col, &v)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let codes = book.add_worksheet();
    codes.set_name("代码表")?;
    for (c, (title, values)) in lists.iter().enumerate() {
        codes.write_string_with_format(0, c as u16, *title, &bold)?;
        for (r, v) in values.iter().enumerate() {
            codes.write_string(r as u32 + 1, c as u16, *v)?;
        }
        codes.set_column_width(c as u16, 14)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn an_xlsx_is_declared_by_its_media_type_or_its_name() {
        assert!(declares_xlsx(Some(XLSX_MEDIA_TYPE), None));
        assert!(declares_xlsx(
            Some("Application/VND.openxmlformats-officedocument.spreadsheetml.sheet; x=1"),
            None
        ));
        assert!(declares_xlsx(None, Some("名单.XLSX")));
        assert!(!declares_xlsx(Some("text/csv"), Some("名单.csv")));
        assert!(!declares_xlsx(Some("application/octet-stream"), None));
        assert!(!declares_xlsx(None, None));
    }

    fn archive(parts: &[(&str, usize)]) -> std::fs::File {
        let mut file = tempfile::tempfile().unwrap();
        {
            let mut zip = zip::ZipWriter::new(&mut file);
            for (name, size) in parts {
                zip.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                zip.write_all(&vec![b'a'; *size]).unwrap();
            }
            zip.finish().unwrap();
        }
        file.rewind().unwrap();
        file
    }

    #[test]
    fn an_archive_that_unpacks_past_the_bounds_is_refused_before_it_is_read() {
        let mut small = archive(&[
            ("xl/sharedStrings.xml", 1000),
            ("xl/worksheets/sheet1.xml", 1000),
        ]);
        assert!(check_archive_within(&mut small, 1000, 2000).is_ok());
        let mut big_part = archive(&[("xl/sharedStrings.xml", 1001)]);
        assert!(
            check_archive_within(&mut big_part, 1000, 2000)
                .unwrap_err()
                .contains("unpacks")
        );
        let mut big_total = archive(&[("a", 900), ("b", 900), ("c", 900)]);
        assert!(check_archive_within(&mut big_total, 1000, 2000).is_err());
        let mut not_zip = tempfile::tempfile().unwrap();
        not_zip.write_all(b"PK\x03\x04garbage").unwrap();
        not_zip.rewind().unwrap();
        assert!(
            check_archive_within(&mut not_zip, 1000, 2000)
                .unwrap_err()
                .contains("not a valid")
        );
    }
}
