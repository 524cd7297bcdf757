//! File imports (`POST /imports/candidates`, `/imports/members`) and their templates, through the
//! real router on both databases: CSV and xlsx, raw body and multipart, every bad row named by
//! row and column with nothing written, duplicates across batches, counters, idempotent retries,
//! roles and scopes, files that are not what they claim.

use crate::fixtures::{candidate_count, id_card};
use crate::helpers::{JsonPath, TestApp, content_type};
use crate::indicators::download;
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

/// A file sent to an import endpoint: by whom, where, as what, under which idempotency key.
struct Upload<'a> {
    user: Option<&'a str>,
    path: String,
    content_type: String,
    key: Option<&'a str>,
}

/// A CSV of candidates sent by the street organizer without a key; the builder changes each.
fn upload<'a>() -> Upload<'a> {
    Upload {
        user: Some("street.organizer"),
        path: "/imports/candidates".into(),
        content_type: "text/csv".into(),
        key: None,
    }
}

impl<'a> Upload<'a> {
    /// Sent by `user` (None: anonymous).
    fn by(self, user: Option<&'a str>) -> Self {
        Upload { user, ..self }
    }

    /// Sent to `path`.
    fn to(self, path: impl Into<String>) -> Self {
        Upload {
            path: path.into(),
            ..self
        }
    }

    /// Sent as `content_type`.
    fn typed(self, content_type: impl Into<String>) -> Self {
        Upload {
            content_type: content_type.into(),
            ..self
        }
    }

    /// Sent with an `Idempotency-Key`.
    fn key(self, key: &'a str) -> Self {
        Upload {
            key: Some(key),
            ..self
        }
    }

    /// Sends `body` through the router; the status and the JSON answer.
    async fn send(&self, app: &TestApp, body: Vec<u8>) -> (u16, Value) {
        let mut req = Request::post(&self.path).header("content-type", &self.content_type);
        if let Some(u) = self.user {
            req = req.header(
                "authorization",
                format!("Bearer {}", app.token_for(u).await),
            );
        }
        if let Some(k) = self.key {
            req = req.header("idempotency-key", k);
        }
        let (status, _, body) = app.http(req.body(Body::from(body)).unwrap()).await;
        (status.as_u16(), body)
    }
}

/// The bad rows a refusal's `extensions` name: each row's number and its `by` (`column`, `field`).
fn bad_rows(ext: &Value, by: &str) -> Vec<(i64, String)> {
    ext.array_at("rows")
        .iter()
        .map(|r| (r.at("row").as_i64().unwrap(), r.string_at(by)))
        .collect()
}

/// A CSV of `n` applications in `branch` (numbers distinct from `seq0` on).
fn csv_rows(branch: &str, n: usize, seq0: u32) -> String {
    // Columns in an order of their own, Chinese labels, a UTF-8 BOM as Excel writes it.
    let mut out = String::from(
        "\u{feff}姓名*,性别,出生日期,身份证号,学历,职业类别,递交申请日期,所属党组织ID,共青团员\r\n",
    );
    for i in 0..n {
        let day = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap()
            + chrono::Duration::days((i % 3650) as i64);
        let birth = day.to_string();
        let seq = seq0 + (i / 3650) as u32;
        out.push_str(&format!(
            "导入{i},女,{birth},{},大学本科,工人、学生,2025/03/03,{branch},是\r\n",
            id_card(&birth, seq)
        ));
    }
    out
}

db_test!(
    a_csv_file_imports_every_row_counts_them_and_a_retry_imports_once,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let before = candidate_count(&app).await;
        let applications = "{ indicators(year: 2025) { applications { total } } }";
        let ind_before = app
            .ok(Some("street.organizer"), applications, json!({}))
            .await;
        // 12,000 rows: three batches, so the counters and the file's own duplicates are checked
        // across batch boundaries.
        let file = csv_rows(&branch, 12_000, 100).into_bytes();
        let (status, body) = upload().key("file-1").send(&app, file.clone()).await;
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(body, json!({ "imported": 12000, "replayed": false }));
        assert_eq!(candidate_count(&app).await, before + 12_000);
        let ind = app
            .ok(Some("street.organizer"), applications, json!({}))
            .await;
        assert_eq!(
            ind["indicators"]["applications"]["total"].as_i64().unwrap(),
            ind_before["indicators"]["applications"]["total"]
                .as_i64()
                .unwrap()
                + 12_000
        );
        app.assert_counts_consistent().await;
        // Every reference the copied rows make holds (on PostgreSQL they were copied without
        // the per-row foreign-key triggers, the organizations checked once as a set).
        use sea_orm::{ConnectionTrait, Statement};
        for orphans in [
            "SELECT count(*) FROM candidates c LEFT JOIN people p ON p.id = c.person_id WHERE p.id IS NULL",
            "SELECT count(*) FROM candidates c LEFT JOIN organizations o ON o.id = c.organization_id WHERE o.id IS NULL",
            "SELECT count(*) FROM people p LEFT JOIN organizations o ON o.id = p.organization_id WHERE o.id IS NULL",
            "SELECT count(*) FROM candidate_events e LEFT JOIN candidates c ON c.id = e.candidate_id WHERE c.id IS NULL",
        ] {
            let db = &app.state.db;
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), orphans))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 0, "{orphans}");
        }
        // The import's audit row names the role and the request, as GraphQL writes do.
        let log = app
            .ok(
                Some("street.admin"),
                "{ auditLog(first: 100) { edges { node { action actorRole requestId detail } } } }",
                json!({}),
            )
            .await;
        let row = log["auditLog"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["action"] == "candidate.import")
            .unwrap_or_else(|| panic!("an import row: {log:#}"))
            .clone();
        assert_eq!(row["actorRole"], "ORGANIZER", "{row:#}");
        assert!(row["requestId"].is_string(), "{row:#}");
        // The first step is recorded as the pipeline records it, with the importer's role.
        let q = "{ candidates(first: 1, search: \"导入11999\") { edges { node { stage name gender education occupations isLeagueMember timeline { step occurredOn actorRole } } } } }";
        let d = app.ok(Some("street.organizer"), q, json!({})).await;
        let node = &d["candidates"]["edges"][0]["node"];
        assert_eq!(node["stage"], "APPLICANT", "{d:#}");
        assert_eq!(node["education"], "UNDERGRADUATE");
        assert_eq!(node["occupations"], json!(["WORKER", "STUDENT"]));
        assert_eq!(node["isLeagueMember"], true);
        assert_eq!(node["timeline"][0]["occurredOn"], "2025-03-03");
        assert_eq!(node["timeline"][0]["actorRole"], "ORGANIZER");
        // The retry with the same key: the first answer, nothing written again.
        let (status, body) = upload().key("file-1").send(&app, file).await;
        assert_eq!(status, 200);
        assert_eq!(body, json!({ "imported": 12000, "replayed": true }));
        assert_eq!(candidate_count(&app).await, before + 12_000);
        // The same key for another file is a conflict.
        let other = csv_rows(&branch, 1, 900).into_bytes();
        let (status, body) = upload().key("file-1").send(&app, other.clone()).await;
        assert_eq!(status, 409, "{body:#}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
        // Without a key the same file again: every row is now a duplicate, nothing written.
        let (status, body) = upload()
            .send(&app, csv_rows(&branch, 3, 100).into_bytes())
            .await;
        assert_eq!(status, 400);
        assert_eq!(
            body["errors"][0]["extensions"]["rowErrorCount"], 3,
            "{body:#}"
        );
        assert_eq!(candidate_count(&app).await, before + 12_000);
    }
);

db_test!(
    a_number_repeated_batches_apart_is_named_as_the_files_own_duplicate,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        // One application on record first.
        let (status, body) = upload()
            .send(&app, csv_rows(&branch, 1, 700).into_bytes())
            .await;
        assert_eq!(status, 200, "{body:#}");
        let before = candidate_count(&app).await;
        // 6,000 rows (three batches), then row 6,002 repeating row 2's number (two batches
        // before it: found through the transaction, which sees the rows written) and row
        // 6,003 repeating the number on record (found on record while the batch is screened).
        let mut file = csv_rows(&branch, 6_000, 100);
        let first = csv_rows(&branch, 1, 100);
        let on_record = csv_rows(&branch, 1, 700);
        for (name, text) in [("再次", &first), ("已有", &on_record)] {
            let row = text.lines().nth(1).unwrap().replacen("导入0", name, 1);
            file.push_str(&row);
            file.push_str("\r\n");
        }
        let (status, body) = upload().send(&app, file.into_bytes()).await;
        assert_eq!(status, 400, "{body:#}");
        let ext = &body["errors"][0]["extensions"];
        assert_eq!(ext["rowErrorCount"], 2, "{ext:#}");
        let said = bad_rows(ext, "message");
        assert_eq!(said[0].0, 6_002, "{said:?}");
        assert!(
            said[0].1.contains("duplicate ID-card number in the file"),
            "{said:?}"
        );
        assert_eq!(said[1].0, 6_003, "{said:?}");
        assert!(said[1].1.contains("DUPLICATE_PERSON"), "{said:?}");
        assert_eq!(candidate_count(&app).await, before);
        app.assert_counts_consistent().await;
    }
);

db_test!(
    a_duplicate_far_down_the_file_refuses_the_whole_file,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let before = candidate_count(&app).await;
        let mut file = csv_rows(&branch, 6_000, 100);
        // Row 6,002 repeats row 2's number: the first batch is already written when it comes.
        let first = file.lines().nth(1).unwrap().to_string();
        file.push_str(&first.replacen("导入0", "重复", 1));
        file.push_str("\r\n");
        let (status, body) = upload()
            .typed("text/csv; charset=utf-8")
            .send(&app, file.into_bytes())
            .await;
        assert_eq!(status, 400, "{body:#}");
        let rows = body["errors"][0]["extensions"]["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{body:#}");
        assert_eq!(rows[0]["row"], 6_002);
        assert_eq!(rows[0]["column"], "身份证号");
        assert_eq!(
            candidate_count(&app).await,
            before,
            "nothing of the file stays"
        );
        app.assert_counts_consistent().await;
    }
);

db_test!(
    a_csv_column_far_to_the_right_is_read_and_a_wider_file_is_refused,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let before = candidate_count(&app).await;
        let birth = "1991-03-03";
        let card = id_card(birth, 801);
        // The phone in the 300th column, behind 291 columns with no header (as xlsx allows).
        let gap = vec![""; 291];
        let header = [
            &[
                "姓名",
                "性别",
                "出生日期",
                "身份证号",
                "学历",
                "职业类别",
                "递交申请日期",
                "所属党组织ID",
            ][..],
            &gap,
            &["联系电话"],
        ]
        .concat();
        let row = [
            &[
                "远列",
                "男",
                birth,
                &card,
                "大学本科",
                "工人",
                "2025-03-03",
                &branch,
            ][..],
            &gap,
            &["13912345678"],
        ]
        .concat();
        let file = format!("{}\n{}\n", header.join(","), row.join(","));
        let (status, body) = upload().send(&app, file.into_bytes()).await;
        assert_eq!(status, 200, "{body:#}");
        let d = app
            .ok(
                Some("street.organizer"),
                r#"{ candidates(search: "远列", first: 1) { edges { node { phone } } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(d.string_at("candidates.edges.0.node.phone"), "13912345678");
        // Wider than an xlsx may be: refused, never cut short.
        let wide = format!(
            "{},x\n{},y\n",
            header.join(",") + &",".repeat(724),
            row.join(",") + &",".repeat(724)
        );
        assert_eq!(wide.lines().next().unwrap().split(',').count(), 1_025);
        let (status, body) = upload().send(&app, wide.into_bytes()).await;
        assert_eq!(status, 400, "{body:#}");
        assert!(
            body.to_string()
                .contains("the file has more than 1024 columns"),
            "{body:#}"
        );
        assert_eq!(candidate_count(&app).await, before + 1);
    }
);

/// An xlsx with the given header and rows, every cell as text.
fn xlsx(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

db_test!(
    an_xlsx_with_bad_rows_imports_nothing_and_names_each_row_and_column,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let street = app.org_id("和平街道党工委").await;
        let outside = app.org_id("示例大学党委").await;
        // One application on record, so its number is a duplicate.
        let existing = id_card("1990-05-05", 321);
        let good = |name: &str, birth: &str, number: &str| {
            vec![
                name.to_string(),
                "男".into(),
                birth.into(),
                number.into(),
                "研究生".into(),
                "专业技术人员".into(),
                "2025-04-01".into(),
            ]
        };
        let header = [
            "姓名",
            "性别",
            "出生日期",
            "身份证号",
            "学历",
            "职业类别",
            "递交申请日期",
            "所属党组织ID",
        ];
        // Without the organization column: the branch comes from the query string.
        let (status, body) = upload()
            .to(format!("/imports/candidates?organizationId={branch}"))
            .typed(XLSX)
            .send(
                &app,
                xlsx(&header[..7], &[good("在册", "1990-05-05", &existing)]),
            )
            .await;
        assert_eq!(
            (status, body["imported"].clone()),
            (200, json!(1)),
            "{body:#}"
        );
        let before = candidate_count(&app).await;
        let with_org = |mut r: Vec<String>, org: &str| {
            r.push(org.to_string());
            r
        };
        let rows = vec![
            with_org(good("甲", "1991-01-01", &id_card("1991-01-01", 1)), ""), // row 2: fine
            with_org(
                vec![
                    "乙".into(),
                    "未知".into(),
                    "1991-01-02".into(),
                    id_card("1991-01-02", 1),
                    "博士后".into(),
                    "工人".into(),
                    "2025-04-01".into(),
                ],
                "",
            ), // row 3: gender, education
            with_org(good("丙", "2008-01-01", &id_card("2008-01-01", 1)), ""), // row 4: under 18 (N1)
            with_org(good("丁", "1991-01-01", &id_card("1991-01-01", 1)), ""), // row 5: repeats row 2
            with_org(good("戊", "1990-05-05", &existing), ""),                 // row 6: on record
            with_org(
                good("己", "1991-01-03", &id_card("1991-01-03", 1)),
                &outside,
            ), // row 7: out of scope
            with_org(good("庚", "1991-01-04", &id_card("1991-01-04", 1)), &street), // row 8: not a branch
            with_org(good("辛", "1991-01-05", "440106199101059999"), ""), // row 9: bad check digit
        ];
        let (status, body) = upload()
            .to(format!("/imports/candidates?organizationId={branch}"))
            .typed(XLSX)
            .send(&app, xlsx(&header, &rows))
            .await;
        assert_eq!(status, 400, "{body:#}");
        let ext = &body["errors"][0]["extensions"];
        assert_eq!(ext["code"], "BAD_USER_INPUT");
        assert!(ext["requestId"].is_string());
        let named = bad_rows(ext, "column");
        let expect = |row: i64, col: &str| {
            assert!(
                named.contains(&(row, col.to_string())),
                "row {row} {col} in {named:?}"
            );
        };
        expect(3, "性别");
        expect(3, "学历");
        expect(4, "出生日期");
        expect(5, "身份证号");
        expect(6, "身份证号");
        expect(7, "所属党组织ID");
        expect(8, "所属党组织ID");
        expect(9, "身份证号");
        assert!(
            !named.iter().any(|(r, _)| *r == 2),
            "row 2 is fine: {named:?}"
        );
        assert_eq!(ext["rowErrorCount"], named.len());
        for r in ext["rows"].as_array().unwrap() {
            assert!(
                r["message"].as_str().unwrap().contains("/ "),
                "Chinese and English: {r}"
            );
        }
        assert!(ext["rows"].to_string().contains("N1"), "{ext:#}");
        assert_eq!(candidate_count(&app).await, before);
        app.assert_counts_consistent().await;
    }
);

db_test!(
    the_template_round_trips_and_members_import_through_multipart,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let (status, headers, _) = app.get("/imports/templates/candidates.xlsx").await;
        assert_eq!(status, 200);
        assert!(content_type(&headers).contains("spreadsheetml"));
        // Fetch the bytes themselves and read the template as a partner's tool would.
        let (status, bytes) = download(&app, None, "/imports/templates/members.xlsx").await;
        assert_eq!(status, 200);
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            book.sheet_names(),
            vec!["党员".to_string(), "代码表".to_string()]
        );
        let sheet = book.worksheet_range("党员").unwrap();
        let header: Vec<String> = sheet
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header[0], "所属党组织ID");
        assert!(header.contains(&"姓名*".to_string()), "{header:?}");
        assert!(header.contains(&"入党日期".to_string()), "{header:?}");
        let codes = book.worksheet_range("代码表").unwrap();
        assert!(codes.rows().any(|r| {
            r.iter()
                .any(|c| calamine::DataType::get_string(c) == Some("农村致富能人"))
        }));
        // Fill the template's columns and send it as a multipart form.
        let values = |h: &str| -> String {
            match h.trim_end_matches('*') {
                "所属党组织ID" => branch.clone(),
                "姓名" => "孙党员".into(),
                "性别" => "女".into(),
                "出生日期" => "1975-06-01".into(),
                "学历" => "大学专科".into(),
                "职业类别" => "管理人员".into(),
                "入党日期" => "2001-07-01".into(),
                "预备党员" => "否".into(),
                _ => String::new(),
            }
        };
        let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
        let file = xlsx(&header_refs, &[header.iter().map(|h| values(h)).collect()]);
        let boundary = "fazhan-test-boundary";
        let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"members.xlsx\"\r\nContent-Type: {XLSX}\r\n\r\n").into_bytes();
        body.extend(file);
        body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        let members = "{ members(first: 100) { edges { node { name } } } }";
        let before = app.ok(Some("street.organizer"), members, json!({})).await["members"]["edges"]
            .as_array()
            .unwrap()
            .len();
        let (status, body) = upload()
            .to("/imports/members")
            .typed(format!("multipart/form-data; boundary={boundary}"))
            .send(&app, body)
            .await;
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(body["imported"], 1);
        let after = app.ok(Some("street.organizer"), members, json!({})).await;
        assert_eq!(
            after["members"]["edges"].as_array().unwrap().len(),
            before + 1
        );
        assert!(after.to_string().contains("孙党员"));
        // A part named as a workbook that is text: refused as not a workbook, nothing imported.
        let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"members.xlsx\"\r\n\r\n").into_bytes();
        body.extend(header.join(",").into_bytes());
        body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        let (status, body) = upload()
            .to("/imports/members")
            .typed(format!("multipart/form-data; boundary={boundary}"))
            .send(&app, body)
            .await;
        assert_eq!(status, 400, "{body:#}");
        assert!(
            body.to_string().contains("not a valid .xlsx workbook"),
            "{body:#}"
        );
        // The CSV template is the same header with a BOM.
        let (status, _, body) = app.get("/imports/templates/candidates.csv").await;
        assert_eq!(status, 200);
        assert!(body.as_str().unwrap().contains("递交申请日期*"));
        let (status, _, _) = app.get("/imports/templates/secrets.xlsx").await;
        assert_eq!(status, 404);
    }
);

db_test!(
    imports_keep_roles_scopes_and_refuse_files_that_are_not_tables,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let file = csv_rows(&branch, 2, 700).into_bytes();
        let (status, body) = upload().by(None).send(&app, file.clone()).await;
        assert_eq!(
            (status, body["errors"][0]["extensions"]["code"].clone()),
            (401, json!("UNAUTHENTICATED"))
        );
        let (status, body) = upload()
            .by(Some("branch.viewer"))
            .send(&app, file.clone())
            .await;
        assert_eq!(
            (status, body["errors"][0]["extensions"]["code"].clone()),
            (403, json!("FORBIDDEN")),
            "{body:#}"
        );
        // The university organizer sees the branch as "not found", like any other id outside.
        let (status, body) = upload()
            .by(Some("univ.organizer"))
            .send(&app, file.clone())
            .await;
        assert_eq!(status, 400);
        assert_eq!(
            body["errors"][0]["extensions"]["rows"][0]["column"],
            "所属党组织ID"
        );
        assert!(
            body["errors"][0]["extensions"]["rows"][0]["message"]
                .as_str()
                .unwrap()
                .contains("not found")
        );
        let before = candidate_count(&app).await;
        for (bytes, content_type, needle) in [
            (
                b"PK\x03\x04not really a zip".to_vec(),
                XLSX,
                "could not be read",
            ),
            (
                b"\xD0\xCF\x11\xE0old excel".to_vec(),
                "application/vnd.ms-excel",
                ".xlsx",
            ),
            // Sent as a workbook but not one: refused, not read as text.
            (
                b"\x01\x02 random bytes, not a workbook\r\n".to_vec(),
                XLSX,
                "not a valid .xlsx workbook",
            ),
            (Vec::new(), "text/csv", "no data rows"),
            (
                "姓名,年龄\r\n张三,30\r\n".as_bytes().to_vec(),
                "text/csv",
                "unknown column",
            ),
        ] {
            let (status, body) = upload().typed(content_type).send(&app, bytes).await;
            assert_eq!(status, 400, "{body:#}");
            assert!(body.to_string().contains(needle), "{needle}: {body:#}");
            // Named like every other error, as the `x-request-id` header names it.
            assert!(
                body["errors"][0]["extensions"]["requestId"].is_string(),
                "{body:#}"
            );
            if needle == "could not be read" {
                // Each language once: "无法读取文件：… / the file could not be read: …".
                let message = body["errors"][0]["message"].as_str().unwrap();
                assert_eq!(message.matches(" / ").count(), 1, "{message}");
            }
        }
        let (status, _) = upload()
            .to("/imports/people")
            .send(&app, file.clone())
            .await;
        assert_eq!(status, 404);
        // A CSV saved by Excel on Chinese Windows (GB18030) reads the same.
        let (gbk, _, _) = encoding_rs::GB18030.encode(
            std::str::from_utf8(&file)
                .unwrap()
                .trim_start_matches('\u{feff}'),
        );
        let (status, body) = upload().send(&app, gbk.into_owned()).await;
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(candidate_count(&app).await, before + 2);
        app.assert_counts_consistent().await;
    }
);

db_test!(hostile_cells_are_named_and_refused_never_a_500, |app| {
    app.load_demo().await;
    let branch = app.org_id("和平社区第一党支部").await;
    let before = candidate_count(&app).await;
    let ok = id_card("1992-02-04", 702);
    let long = "长".repeat(201);
    let file = format!(
        "姓名,性别,出生日期,身份证号,学历,职业类别,递交申请日期,户籍所在地\n\
             全角,男,1992-02-04,１１０１０１１９９２０２０４７０２５,大学本科,工人,2025-01-01,\n\
             空\u{0}字符,男,1992-02-04,{ok},大学本科,工人,2025-01-01,\n\
             \u{200b},男,1992-02-04,{ok},大学本科,工人,2025-01-01,\n\
             长户籍,男,1992-02-04,{ok},大学本科,工人,2025-01-01,{long}\n\
             未来,男,1992-02-04,{ok},大学本科,工人,2099-01-10,\n"
    );
    let (status, body) = upload()
        .to(format!("/imports/candidates?organizationId={branch}"))
        .send(&app, file.into_bytes())
        .await;
    assert_eq!(status, 400, "{body:#}");
    let ext = &body["errors"][0]["extensions"];
    let named = bad_rows(ext, "field");
    assert_eq!(
        named,
        vec![
            (2, "idCardNumber".to_string()),
            (3, "name".to_string()),
            (4, "name".to_string()),
            (5, "householdRegistration".to_string()),
            (6, "appliedOn".to_string()),
        ]
    );
    assert_eq!(ext["badRowCount"], 5);
    assert_eq!(candidate_count(&app).await, before);
    // Members: 留党察看 is its own column; a date of joining before 18 is refused.
    let members = format!(
        "所属党组织ID,姓名,性别,出生日期,学历,职业类别,入党日期,留党察看\n\
             {branch},受处分,男,1960-01-01,大学本科,工人,1990-07-01,是\n\
             {branch},太早,男,1960-01-01,大学本科,工人,1970-07-01,否\n"
    );
    let (status, body) = upload()
        .to("/imports/members")
        .send(&app, members.into_bytes())
        .await;
    assert_eq!(status, 400, "{body:#}");
    let rows = body["errors"][0]["extensions"]["rows"].as_array().unwrap();
    assert_eq!(
        (
            rows.len(),
            rows[0]["row"].clone(),
            rows[0]["column"].clone()
        ),
        (1, json!(3), json!("入党日期"))
    );
    let one = "所属党组织ID,姓名,性别,出生日期,学历,职业类别,入党日期,留党察看\n".to_string()
        + &format!("{branch},受处分,男,1960-01-01,大学本科,工人,1990-07-01,是\n");
    let (status, body) = upload()
        .to("/imports/members")
        .send(&app, one.into_bytes())
        .await;
    assert_eq!(status, 200, "{body:#}");
    let d = app
        .ok(
            Some("street.organizer"),
            "{ members(first: 100) { edges { node { name underPartyProbation } } } }",
            json!({}),
        )
        .await;
    assert!(
        d.to_string()
            .contains(r#"{"name":"受处分","underPartyProbation":true}"#),
        "{d:#}"
    );
});

/// A person, their case and its first event as stored, read by column name.
async fn stored_application(
    app: &TestApp,
    name: &str,
) -> (
    entity::person::Model,
    entity::candidate::Model,
    entity::candidate_event::Model,
) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let db = &app.state.db;
    let person = entity::person::Entity::find()
        .filter(entity::person::Column::Name.eq(name))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{name} is stored"));
    let case = entity::candidate::Entity::find()
        .filter(entity::candidate::Column::PersonId.eq(person.id))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let event = entity::candidate_event::Entity::find()
        .filter(entity::candidate_event::Column::CandidateId.eq(case.id))
        .order_by_asc(entity::candidate_event::Column::Id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    (person, case, event)
}

db_test!(
    a_file_import_stores_every_column_as_a_single_application_does,
    |app| {
        // On PostgreSQL a file's rows are written by position in COPY's binary format, a
        // single application through SeaORM by column name: the same person, applied for both
        // ways, must be stored the same in every column (a field written in another column's
        // place, or with another width, shows here). The values differ from column to column,
        // the flags alternate, so a swap of two neighbours cannot go unseen.
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let birth = "1990-05-06";
        let person = |name: &str, seq: u32| {
            json!({
                "name": name, "gender": "FEMALE", "ethnicity": "回族", "birthDate": birth,
                "idCardNumber": id_card(birth, seq), "phone": "13912345678",
                "education": "UNDERGRADUATE", "occupations": ["WORKER", "STUDENT"],
                "isFrontline": true, "isLeagueMember": false,
                "householdRegistration": "河北省石家庄市", "isMigrant": true,
                "outflowOrganizationName": "石家庄市某村党支部", "isHighLevelTalent": false,
                "isBusinessOwner": true,
            })
        };
        crate::fixtures::Case::submit(&app, &branch, person("逐列甲", 701), "2025-03-03").await;
        let file = format!(
            "organizationId,appliedOn,name,gender,ethnicity,birthDate,idCardNumber,phone,\
             education,occupations,isFrontline,isLeagueMember,householdRegistration,isMigrant,\
             outflowOrganizationName,isHighLevelTalent,isBusinessOwner\r\n\
             {branch},2025-03-03,逐列乙,女,回族,{birth},{},13912345678,大学本科,工人、学生,\
             是,否,河北省石家庄市,是,石家庄市某村党支部,否,是\r\n",
            id_card(birth, 702)
        );
        let (status, body) = upload().send(&app, file.into_bytes()).await;
        assert_eq!(status, 200, "{body:#}");
        let (p1, c1, e1) = stored_application(&app, "逐列甲").await;
        let (p2, c2, e2) = stored_application(&app, "逐列乙").await;
        // What must differ: the identities, the times and the notes.
        let person_as_1 = entity::person::Model {
            id: p1.id,
            name: p1.name.clone(),
            id_card_number: p1.id_card_number.clone(),
            created_at: p1.created_at,
            updated_at: p1.updated_at,
            ..p2.clone()
        };
        assert_eq!(person_as_1, p1, "file: {p2:#?}");
        assert!(p2.is_frontline && !p2.is_league_member && p2.is_migrant && p2.is_business_owner);
        assert_eq!(p2.household_registration.as_deref(), Some("河北省石家庄市"));
        assert_eq!(p2.id_card_number, Some(id_card(birth, 702)));
        let case_as_1 = entity::candidate::Model {
            id: c1.id,
            person_id: c1.person_id,
            created_at: c1.created_at,
            updated_at: c1.updated_at,
            ..c2.clone()
        };
        assert_eq!(case_as_1, c1, "file: {c2:#?}");
        assert_eq!(c2.person_id, p2.id);
        let event_as_1 = entity::candidate_event::Model {
            id: e1.id,
            candidate_id: e1.candidate_id,
            recorded_at: e1.recorded_at,
            note: e1.note.clone(),
            ..e2.clone()
        };
        assert_eq!(event_as_1, e1, "file: {e2:#?}");
        assert_eq!(e2.candidate_id, c2.id);
        assert_eq!(e2.note.as_deref(), Some("file import"));
        // The times are the import's own (binary timestamps count microseconds from
        // 2000-01-01: a wrong epoch or unit is years or centuries off).
        for at in [
            p2.created_at,
            p2.updated_at,
            c2.created_at,
            c2.updated_at,
            e2.recorded_at,
        ] {
            let age = chrono::Utc::now().signed_duration_since(at);
            assert!(age.num_seconds().abs() < 600, "{at} is {age:?} from now");
        }
        assert_eq!(c2.created_at, e2.recorded_at);
        // A member's own columns, from the members' file.
        let file = format!(
            "所属党组织ID,姓名,性别,出生日期,学历,职业类别,入党日期,留党察看\r\n\
             {branch},逐列党员,男,1975-06-01,大学专科,管理人员,2001-07-01,是\r\n"
        );
        let (status, body) = upload()
            .to("/imports/members")
            .send(&app, file.into_bytes())
            .await;
        assert_eq!(status, 200, "{body:#}");
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let m = entity::person::Entity::find()
            .filter(entity::person::Column::Name.eq("逐列党员"))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert!(m.is_party_member && m.under_party_probation, "{m:#?}");
        assert_eq!(
            m.party_member_since,
            chrono::NaiveDate::from_ymd_opt(2001, 7, 1)
        );
        assert_eq!(
            m.birth_date,
            chrono::NaiveDate::from_ymd_opt(1975, 6, 1).unwrap()
        );
        assert_eq!(
            (m.gender.as_str(), m.id_card_number.as_deref()),
            ("MALE", None)
        );
    }
);

db_test!(
    one_file_sent_at_once_under_one_key_is_imported_once_and_answered_every_time,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let before = candidate_count(&app).await;
        // A partner whose first upload timed out sends the file again while the first is still
        // being written: every send gets the first's count, none a refusal of every row.
        let file = csv_rows(&branch, 300, 700).into_bytes();
        let sends = (0..5).map(|_| {
            let file = file.clone();
            let app = &app;
            async move { upload().key("file-once").send(app, file).await }
        });
        let results = futures_util::future::join_all(sends).await;
        for (status, body) in &results {
            assert_eq!(*status, 200, "{body:#}");
            assert_eq!(body["imported"], 300, "{body:#}");
        }
        let fresh = results
            .iter()
            .filter(|(_, b)| b["replayed"] == json!(false))
            .count();
        assert_eq!(fresh, 1);
        assert_eq!(candidate_count(&app).await, before + 300);
        app.assert_counts_consistent().await;
    }
);
