//! Exports for portals and spreadsheets: `GET /exports/indicator-table.{xlsx,csv}` and
//! `GET /exports/reports/{id}.{xlsx,csv}`, with a bearer token and the same scopes as the API.
//! Headers are in Chinese, as the annex tables print them.

use super::HttpState;
use crate::auth::{Viewer, viewer};
use crate::domain::export::neutralise_cell;
use crate::domain::{Actor, Permission};
use crate::error::AppError;
use crate::graphql::ids::{self, NodeType};
use crate::service::{indicators, report};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::Workbook;
use serde::Deserialize;
use serde_json::json;

/// A table to export: headers and rows of cells.
struct Table {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

/// An error of an export or an import, naming the request as GraphQL errors do.
fn error(status: StatusCode, e: &AppError) -> Response {
    let body = super::graphql::error_body(e.code().as_str(), &e.message());
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub(super) fn app_error(e: AppError) -> Response {
    let status = match &e {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Domain(_) | AppError::Rows(_) => StatusCode::BAD_REQUEST,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => {
            tracing::error!(error = ?e, "export failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    error(status, &e)
}

pub(super) async fn actor(s: &HttpState, headers: &HeaderMap) -> Result<Actor, Response> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match viewer::resolve(&s.app.db, &s.app.jwt, &s.app.viewers, auth).await {
        Ok(Viewer::User(a)) => Ok(a),
        Ok(Viewer::Anonymous) => Err(app_error(AppError::Unauthenticated(
            "请先登录 / a bearer token is required".into(),
        ))),
        Err(e) => Err(app_error(e)),
    }
}

/// Every export is an audit row (who, which file, which organization), written before the file
/// is sent; a failure to record it refuses the export.
async fn audit_export(
    s: &HttpState,
    actor: &Actor,
    action: &str,
    organization_id: i64,
    subject: (&str, i64),
    file: &str,
) -> Result<(), Response> {
    let context = crate::db::audit::AuditContext {
        request_id: None,
        actor_role: Some(actor.role.as_str().to_string()),
    };
    crate::db::audit::AUDIT_CONTEXT
        .scope(
            context,
            crate::service::audit::record_alone(
                &s.app.db,
                crate::db::audit::AuditRecord {
                    actor_user_id: Some(actor.user_id),
                    organization_id: Some(organization_id),
                    action,
                    subject_type: subject.0,
                    subject_id: Some(subject.1),
                    detail: json!({ "file": file }),
                },
                "OK",
            ),
        )
        .await
        .map_err(app_error)
}

fn split(file: &str) -> Option<(&str, &str)> {
    let (name, ext) = file.rsplit_once('.')?;
    matches!(ext, "xlsx" | "csv").then_some((name, ext))
}

fn render(t: &Table, ext: &str, filename: &str) -> Response {
    let (bytes, mime) = if ext == "csv" {
        let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
        let _ = w.write_record(t.headers.iter().map(|h| neutralise_cell(h).into_owned()));
        for row in &t.rows {
            let _ = w.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => neutralise_cell(s).into_owned(),
                Cell::Number(n) => format!("{n}"),
                Cell::Empty => String::new(),
            }));
        }
        (
            w.into_inner().unwrap_or_default(),
            "text/csv; charset=utf-8",
        )
    } else {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let _ = ws.set_name(&t.title);
        for (c, h) in t.headers.iter().enumerate() {
            let _ = ws.write_string(0, c as u16, neutralise_cell(h));
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                let _ = match cell {
                    Cell::Text(s) => ws.write_string(r, c, neutralise_cell(s)).map(|_| ()),
                    Cell::Number(n) => ws.write_number(r, c, *n).map(|_| ()),
                    Cell::Empty => Ok(()),
                };
            }
        }
        match wb.save_to_buffer() {
            Ok(b) => (
                b,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            Err(e) => return app_error(AppError::internal(anyhow::anyhow!(e.to_string()))),
        }
    };
    let mut resp = (StatusCode::OK, bytes).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}.{ext}\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// Query of the indicator table export.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableQuery {
    organization_id: String,
    year: i32,
    as_of: Option<chrono::NaiveDate>,
}

fn num(n: impl Into<f64>) -> Cell {
    Cell::Number(n.into())
}

fn opt(n: Option<u32>) -> Cell {
    n.map_or(Cell::Empty, num)
}

/// `GET /exports/{file}`: `indicator-table.xlsx` or `indicator-table.csv`.
pub async fn indicator_table(
    State(s): State<HttpState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    Query(q): Query<TableQuery>,
) -> Response {
    let actor = match actor(&s, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(("indicator-table", ext)) = split(&file) else {
        return app_error(AppError::NotFound("export"));
    };
    let id = match ids::decode(
        NodeType::Organization,
        &async_graphql::ID(q.organization_id),
        "organizationId",
    ) {
        Ok(id) => id,
        Err(e) => return app_error(e),
    };
    if let Err(e) = crate::graphql::args::year(q.year, "year") {
        return app_error(e);
    }
    let as_of = q.as_of.unwrap_or_else(crate::clock::today);
    let rows = match indicators::table(&s.app.read_db, &actor, id, q.year, as_of).await {
        Ok(r) => r,
        Err(e) => return app_error(e),
    };
    let headers = [
        "组织名称",
        "计划数",
        "其中35岁及以下",
        "其中大专及以上",
        "完成时限",
        "已发展",
        "已发展35岁及以下",
        "已发展大专及以上",
        "高层次人才(不占计划)",
        "各阶段在册人数",
    ];
    let table = Table {
        title: format!("{}年发展党员计划完成情况", q.year),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    Cell::Text(
                        r.organization
                            .as_ref()
                            .map_or("合计".to_string(), |o| o.name.clone()),
                    ),
                    opt(r.planned),
                    opt(r.planned_under_35),
                    opt(r.planned_college_plus),
                    r.completion_month.map_or(Cell::Empty, Cell::Text),
                    num(r.admitted as f64),
                    num(r.admitted_under_35 as f64),
                    num(r.admitted_college_plus as f64),
                    num(r.talent_exempt as f64),
                    num(r.candidates as f64),
                ]
            })
            .collect(),
    };
    if let Err(r) = audit_export(
        &s,
        &actor,
        "export.indicator_table",
        id,
        ("organization", id),
        &file,
    )
    .await
    {
        return r;
    }
    render(&table, ext, &format!("indicator-table-{}", q.year))
}

/// `GET /exports/reports/{file}`: `<report id>.xlsx` or `<report id>.csv`.
pub async fn report(
    State(s): State<HttpState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let actor = match actor(&s, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some((id, ext)) = split(&file) else {
        return app_error(AppError::NotFound("export"));
    };
    let id = match ids::decode(NodeType::Report, &async_graphql::ID(id.to_string()), "id") {
        Ok(id) => id,
        Err(e) => return app_error(e),
    };
    if let Err(e) = crate::service::require(&actor, Permission::ReadIndicators) {
        return app_error(e);
    }
    let (r, org) = match report::get_visible(&s.app.db, &actor, id).await {
        Ok(x) => x,
        Err(e) => return app_error(e),
    };
    let snapshot: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&r.snapshot).unwrap_or_default();
    let declared: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&r.declared).unwrap_or_default();
    let mut keys: Vec<&String> = snapshot.keys().chain(declared.keys()).collect();
    keys.sort();
    keys.dedup();
    let cell = |v: Option<&serde_json::Value>| {
        v.and_then(|v| v.as_f64()).map_or(Cell::Empty, Cell::Number)
    };
    let mut rows: Vec<Vec<Cell>> = keys
        .into_iter()
        .map(|k| {
            let differs = snapshot.get(k).and_then(|v| v.as_f64())
                != declared.get(k).and_then(|v| v.as_f64())
                && declared.contains_key(k);
            vec![
                Cell::Text(k.clone()),
                cell(snapshot.get(k)),
                cell(declared.get(k)),
                Cell::Text(if differs {
                    "不一致".into()
                } else {
                    String::new()
                }),
            ]
        })
        .collect();
    if actor.may(Permission::ReadReportText) {
        rows.push(vec![
            Cell::Text("情况说明".into()),
            Cell::Text(r.narrative.clone()),
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    let table = Table {
        title: format!("{}{}报告", r.year, r.period),
        headers: vec![
            format!("指标（{}）", org.name),
            "系统计算".into(),
            "申报".into(),
            "核对".into(),
        ],
        rows,
    };
    if let Err(r) = audit_export(&s, &actor, "export.report", org.id, ("report", r.id), &file).await
    {
        return r;
    }
    render(
        &table,
        ext,
        &format!("report-{}-{}-{}", org.id, r.year, r.period),
    )
}
