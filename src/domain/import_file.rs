//! Import files (Excel and CSV): the columns of each kind with their Chinese headers, and one
//! row's cells read into the draft the person validation takes. Pure: the HTTP layer reads the
//! file, the service validates and writes.
//!
//! A header is matched by its Chinese name or its API field name (`姓名` or `name`), with or
//! without the template's `*` marking a required column, so columns may come in any order.
//! Enumerated cells take the Chinese label the template offers or the API's code (`男`/`MALE`).

use super::pipeline::person::{Education, Gender, Occupation, PersonDraft};
use chrono::NaiveDate;

/// What a file imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Applications (入党申请人), step 1 for each row.
    Candidates,
    /// Party members (introducers and contacts).
    Members,
}

/// One column an import file may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    OrganizationId,
    AppliedOn,
    Name,
    Gender,
    Ethnicity,
    BirthDate,
    IdCardNumber,
    Phone,
    Education,
    Occupations,
    IsFrontline,
    IsLeagueMember,
    HouseholdRegistration,
    IsMigrant,
    OutflowOrganizationName,
    IsHighLevelTalent,
    IsBusinessOwner,
    MemberSince,
    UnderPartyProbation,
}

/// A column's header and what it takes.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub column: Column,
    /// The Chinese header the template prints.
    pub header_zh: &'static str,
    /// The API field name (also accepted as the header).
    pub field: &'static str,
    pub required: bool,
    /// What the cell holds, shown in the template's notes.
    pub hint: &'static str,
}

const fn spec(
    column: Column,
    header_zh: &'static str,
    field: &'static str,
    required: bool,
    hint: &'static str,
) -> ColumnSpec {
    ColumnSpec {
        column,
        header_zh,
        field,
        required,
        hint,
    }
}

const ORGANIZATION: ColumnSpec = spec(
    Column::OrganizationId,
    "所属党组织ID",
    "organizationId",
    false,
    "党组织的ID（API中的id）；为空时取请求的organizationId / the organization's API id; empty takes the request's organizationId",
);
const PERSON: [ColumnSpec; 14] = [
    spec(
        Column::Name,
        "姓名",
        "name",
        true,
        "1至50个字符 / 1 to 50 characters",
    ),
    spec(Column::Gender, "性别", "gender", true, "男/女"),
    spec(
        Column::Ethnicity,
        "民族",
        "ethnicity",
        false,
        "为空时为汉族 / empty means 汉族",
    ),
    spec(
        Column::BirthDate,
        "出生日期",
        "birthDate",
        true,
        "YYYY-MM-DD",
    ),
    spec(
        Column::IdCardNumber,
        "身份证号",
        "idCardNumber",
        false,
        "18位，文本格式 / 18 characters, as text",
    ),
    spec(
        Column::Phone,
        "联系电话",
        "phone",
        false,
        "7至20位数字 / 7 to 20 digits",
    ),
    spec(
        Column::Education,
        "学历",
        "education",
        true,
        "见代码表 / see the code sheet",
    ),
    spec(
        Column::Occupations,
        "职业类别",
        "occupations",
        true,
        "见代码表，多个用顿号分隔 / see the code sheet; several separated by 、",
    ),
    spec(
        Column::IsFrontline,
        "生产工作一线",
        "isFrontline",
        false,
        "是/否",
    ),
    spec(
        Column::IsLeagueMember,
        "共青团员",
        "isLeagueMember",
        false,
        "是/否",
    ),
    spec(
        Column::HouseholdRegistration,
        "户籍所在地",
        "householdRegistration",
        false,
        "",
    ),
    spec(Column::IsMigrant, "流动人员", "isMigrant", false, "是/否"),
    spec(
        Column::OutflowOrganizationName,
        "流出地党组织",
        "outflowOrganizationName",
        false,
        "流动人员必填 / required for a migrant",
    ),
    spec(
        Column::IsHighLevelTalent,
        "高层次人才",
        "isHighLevelTalent",
        false,
        "是/否",
    ),
];
const APPLIED_ON: ColumnSpec = spec(
    Column::AppliedOn,
    "递交申请日期",
    "appliedOn",
    true,
    "YYYY-MM-DD",
);
const BUSINESS_OWNER: ColumnSpec = spec(
    Column::IsBusinessOwner,
    "私营企业业主",
    "isBusinessOwner",
    false,
    "是/否",
);
const MEMBER_SINCE: ColumnSpec = spec(
    Column::MemberSince,
    "入党日期",
    "memberSince",
    false,
    "YYYY-MM-DD",
);
/// 留党察看 (discipline: rights not restored, cannot introduce) — not 预备党员 (probationary
/// membership), which the member's record does not keep.
const PROBATION: ColumnSpec = spec(
    Column::UnderPartyProbation,
    "留党察看",
    "underPartyProbation",
    false,
    "是/否：受留党察看处分且未恢复权利 / under 留党察看 with rights not restored",
);

impl ImportKind {
    /// The columns of this kind's file, in the template's order.
    pub fn columns(self) -> Vec<ColumnSpec> {
        let mut out = vec![ORGANIZATION];
        if self == ImportKind::Candidates {
            out.push(APPLIED_ON);
        }
        out.extend(PERSON);
        match self {
            ImportKind::Candidates => {
                out.push(BUSINESS_OWNER);
                // An applicant's ID-card number is required (members may lack one).
                for c in &mut out {
                    if c.column == Column::IdCardNumber {
                        c.required = true;
                    }
                }
            }
            ImportKind::Members => out.extend([MEMBER_SINCE, PROBATION]),
        }
        out
    }
}

/// A problem with one cell (or the header), in the file's own coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The spreadsheet row, from 1 (the header is row 1).
    pub row: usize,
    /// The column's header (empty when the problem is the row as a whole).
    pub column: String,
    /// The API field the column fills.
    pub field: String,
    /// Chinese and English.
    pub message: String,
}

impl CellError {
    pub fn new(row: usize, spec: Option<&ColumnSpec>, zh: &str, en: &str) -> Self {
        CellError {
            row,
            column: spec.map(|s| s.header_zh.to_string()).unwrap_or_default(),
            field: spec.map(|s| s.field.to_string()).unwrap_or_default(),
            message: format!("{zh} / {en}"),
        }
    }
}

/// Where each known column sits in the file.
#[derive(Debug, Clone)]
pub struct Layout {
    kind: ImportKind,
    positions: Vec<(ColumnSpec, usize)>,
}

fn header_key(s: &str) -> String {
    s.trim().trim_end_matches(['*', '＊']).trim().to_lowercase()
}

impl Layout {
    /// Reads the header row: every cell must name a column of `kind` (once), and every required
    /// column must be there (`organizationId` may be left out when the request names one).
    pub fn from_header(
        kind: ImportKind,
        header: &[String],
        has_default_organization: bool,
    ) -> Result<Layout, Vec<CellError>> {
        let columns = kind.columns();
        let mut positions: Vec<(ColumnSpec, usize)> = vec![];
        let mut errors = vec![];
        for (i, cell) in header.iter().enumerate() {
            let key = header_key(cell);
            if key.is_empty() {
                continue;
            }
            match columns
                .iter()
                .find(|c| header_key(c.header_zh) == key || c.field.to_lowercase() == key)
            {
                Some(c) if positions.iter().any(|(p, _)| p.column == c.column) => {
                    errors.push(CellError::new(
                        1,
                        Some(c),
                        "表头重复",
                        "the column appears twice",
                    ));
                }
                Some(c) => positions.push((*c, i)),
                None => errors.push(CellError {
                    row: 1,
                    column: cell.trim().to_string(),
                    field: String::new(),
                    message: "未知的列 / unknown column".into(),
                }),
            }
        }
        for c in &columns {
            let needed =
                c.required || (c.column == Column::OrganizationId && !has_default_organization);
            if needed && !positions.iter().any(|(p, _)| p.column == c.column) {
                errors.push(CellError::new(
                    1,
                    Some(c),
                    "缺少必填列",
                    "a required column is missing",
                ));
            }
        }
        if errors.is_empty() {
            Ok(Layout { kind, positions })
        } else {
            Err(errors)
        }
    }

    /// The file's kind.
    pub fn kind(&self) -> ImportKind {
        self.kind
    }
}

/// One row of an import file, read but not yet validated against the tree or the rules.
#[derive(Debug, Clone, Default)]
pub struct FileRow {
    /// The spreadsheet row, from 1 (the header is row 1).
    pub row: usize,
    /// The organization cell as written (an API id), when the file has the column and the cell
    /// is not empty.
    pub organization: Option<String>,
    pub applied_on: Option<NaiveDate>,
    pub person: PersonDraft,
    pub member_since: Option<NaiveDate>,
    pub under_party_probation: bool,
}

/// Whether every cell of a row is empty (such rows are skipped, as spreadsheets leave them).
pub fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Reads one row's cells. Every cell that cannot be read is reported, not only the first.
pub fn read_row(layout: &Layout, row: usize, cells: &[String]) -> Result<FileRow, Vec<CellError>> {
    let mut out = FileRow {
        row,
        ..Default::default()
    };
    let mut errors = vec![];
    for (spec, i) in &layout.positions {
        let text = cells.get(*i).map(|s| s.trim()).unwrap_or("");
        if text.is_empty() {
            if spec.required {
                errors.push(CellError::new(
                    row,
                    Some(spec),
                    "必填项为空",
                    "this cell is required",
                ));
            }
            continue;
        }
        if let Err((zh, en)) = fill(&mut out, spec.column, text) {
            errors.push(CellError::new(row, Some(spec), zh, en));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

type CellResult = Result<(), (&'static str, &'static str)>;

fn fill(out: &mut FileRow, column: Column, text: &str) -> CellResult {
    let p = &mut out.person;
    match column {
        Column::OrganizationId => out.organization = Some(text.to_string()),
        Column::AppliedOn => out.applied_on = Some(date(text)?),
        Column::Name => p.name = text.to_string(),
        Column::Gender => p.gender = Some(gender(text)?),
        Column::Ethnicity => p.ethnicity = text.to_string(),
        Column::BirthDate => p.birth_date = Some(date(text)?),
        Column::IdCardNumber => p.id_card_number = Some(text.to_string()),
        Column::Phone => p.phone = Some(text.to_string()),
        Column::Education => p.education = Some(education(text)?),
        Column::Occupations => p.occupations = occupations(text)?,
        Column::IsFrontline => p.is_frontline = yes_no(text)?,
        Column::IsLeagueMember => p.is_league_member = yes_no(text)?,
        Column::HouseholdRegistration => p.household_registration = Some(text.to_string()),
        Column::IsMigrant => p.is_migrant = yes_no(text)?,
        Column::OutflowOrganizationName => p.outflow_organization_name = Some(text.to_string()),
        Column::IsHighLevelTalent => p.is_high_level_talent = yes_no(text)?,
        Column::IsBusinessOwner => p.is_business_owner = yes_no(text)?,
        Column::MemberSince => out.member_since = Some(date(text)?),
        Column::UnderPartyProbation => out.under_party_probation = yes_no(text)?,
    }
    Ok(())
}

/// A date as `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`, `YYYYMMDD` or `YYYY年M月D日`.
pub fn date(text: &str) -> Result<NaiveDate, (&'static str, &'static str)> {
    let t = text.trim();
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return if (1900..=2100).contains(&chrono::Datelike::year(&d)) {
                Ok(d)
            } else {
                Err((
                    "日期须在1900年至2100年之间",
                    "the date must be between 1900 and 2100",
                ))
            };
        }
    }
    Err(("日期格式应为YYYY-MM-DD", "the date must be YYYY-MM-DD"))
}

fn gender(text: &str) -> Result<Gender, (&'static str, &'static str)> {
    match text {
        "男" => Ok(Gender::Male),
        "女" => Ok(Gender::Female),
        t => Gender::parse(&t.to_uppercase())
            .ok_or(("性别应为男或女", "the gender must be 男 or 女")),
    }
}

/// The template's labels for each education level (DOMAIN.md's categories).
pub const EDUCATION_LABELS: [(&str, Education); 6] = [
    ("研究生", Education::Postgraduate),
    ("大学本科", Education::Undergraduate),
    ("大学专科", Education::JuniorCollege),
    ("中专", Education::TechnicalSecondary),
    ("高中", Education::SeniorHigh),
    ("初中及以下", Education::JuniorMiddleAndBelow),
];

/// The template's labels for each occupation category.
pub const OCCUPATION_LABELS: [(&str, Occupation); 10] = [
    ("工人", Occupation::Worker),
    ("农民工", Occupation::MigrantWorker),
    ("劳务派遣工", Occupation::DispatchedWorker),
    ("农民", Occupation::Farmer),
    ("专业技术人员", Occupation::ProfessionalTechnical),
    ("管理人员", Occupation::Manager),
    ("农村致富能人", Occupation::RuralEntrepreneur),
    ("机关工作人员", Occupation::OrganStaff),
    ("学生", Occupation::Student),
    ("其他", Occupation::Other),
];

fn education(text: &str) -> Result<Education, (&'static str, &'static str)> {
    EDUCATION_LABELS
        .iter()
        .find(|(label, _)| *label == text)
        .map(|(_, e)| *e)
        .or_else(|| Education::parse(&text.to_uppercase()))
        .ok_or((
            "学历不在代码表中",
            "the education level is not in the code sheet",
        ))
}

fn occupations(text: &str) -> Result<Vec<Occupation>, (&'static str, &'static str)> {
    let mut out = vec![];
    for part in text
        .split(['、', '，', ',', ';', '；', '/', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let o = OCCUPATION_LABELS
            .iter()
            .find(|(label, _)| *label == part)
            .map(|(_, o)| *o)
            .or_else(|| Occupation::parse(&part.to_uppercase()))
            .ok_or((
                "职业类别不在代码表中",
                "an occupation is not in the code sheet",
            ))?;
        if !out.contains(&o) {
            out.push(o);
        }
    }
    Ok(out)
}

fn yes_no(text: &str) -> Result<bool, (&'static str, &'static str)> {
    match text.to_lowercase().as_str() {
        "是" | "y" | "yes" | "true" | "1" => Ok(true),
        "否" | "n" | "no" | "false" | "0" => Ok(false),
        _ => Err(("应填是或否", "must be 是 or 否")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_match_in_any_order_by_chinese_name_or_field() {
        let h = cells(&[
            "姓名*",
            "organizationId",
            "递交申请日期",
            "性别",
            "出生日期",
            "身份证号",
            "学历",
            "职业类别",
        ]);
        let layout = Layout::from_header(ImportKind::Candidates, &h, false).unwrap();
        let row = read_row(
            &layout,
            2,
            &cells(&[
                "张三",
                "T3Jn",
                "2025/03/01",
                "女",
                "20000101",
                "110",
                "大学专科",
                "工人、学生",
            ]),
        )
        .unwrap();
        assert_eq!(row.person.name, "张三");
        assert_eq!(row.organization.as_deref(), Some("T3Jn"));
        assert_eq!(row.applied_on, NaiveDate::from_ymd_opt(2025, 3, 1));
        assert_eq!(row.person.gender, Some(Gender::Female));
        assert_eq!(row.person.education, Some(Education::JuniorCollege));
        assert_eq!(
            row.person.occupations,
            vec![Occupation::Worker, Occupation::Student]
        );
    }

    #[test]
    fn a_missing_required_column_an_unknown_one_and_a_repeat_are_all_named() {
        let h = cells(&["姓名", "姓名", "别名", "性别"]);
        let errors = Layout::from_header(ImportKind::Candidates, &h, true).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.column == "姓名" && e.message.contains("twice"))
        );
        assert!(
            errors
                .iter()
                .any(|e| e.column == "别名" && e.message.contains("unknown"))
        );
        for missing in ["递交申请日期", "出生日期", "身份证号", "学历", "职业类别"]
        {
            assert!(
                errors
                    .iter()
                    .any(|e| e.column == missing && e.message.contains("missing")),
                "{missing}"
            );
        }
        assert!(!errors.iter().any(|e| e.field == "organizationId"));
        // Without a default organization the column is required.
        let errors =
            Layout::from_header(ImportKind::Members, &cells(&["姓名"]), false).unwrap_err();
        assert!(errors.iter().any(|e| e.field == "organizationId"));
        // A member's ID-card number is optional.
        assert!(!errors.iter().any(|e| e.field == "idCardNumber"));
    }

    #[test]
    fn every_bad_cell_of_a_row_is_reported_with_its_row_and_column() {
        let layout = Layout::from_header(
            ImportKind::Candidates,
            &cells(&[
                "递交申请日期",
                "姓名",
                "性别",
                "出生日期",
                "身份证号",
                "学历",
                "职业类别",
                "流动人员",
            ]),
            true,
        )
        .unwrap();
        let errors = read_row(
            &layout,
            7,
            &cells(&[
                "2025-13-01",
                "",
                "M?",
                "2000-01-01",
                "x",
                "博士后",
                "工人;宇航员",
                "也许",
            ]),
        )
        .unwrap_err();
        let named: Vec<_> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            named,
            vec![
                (7, "递交申请日期"),
                (7, "姓名"),
                (7, "性别"),
                (7, "学历"),
                (7, "职业类别"),
                (7, "流动人员")
            ]
        );
        assert!(errors[0].message.contains("YYYY-MM-DD"));
        assert!(errors.iter().all(|e| e.message.contains(" / ")));
    }

    #[test]
    fn dates_outside_the_known_years_and_impossible_days_are_refused() {
        assert_eq!(
            date("1899-12-31").unwrap_err().1,
            "the date must be between 1900 and 2100"
        );
        assert_eq!(
            date("1800-01-01").unwrap_err().1,
            "the date must be between 1900 and 2100"
        );
        assert_eq!(
            date("2025-02-30").unwrap_err().1,
            "the date must be YYYY-MM-DD"
        );
        assert_eq!(
            date("2025年3月1日").unwrap(),
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()
        );
        assert!(is_blank(&cells(&["", "  "])));
        assert!(!is_blank(&cells(&["", "x"])));
    }

    #[test]
    fn every_code_has_a_label() {
        for e in Education::ALL {
            assert!(EDUCATION_LABELS.iter().any(|(_, x)| x == e), "{e:?}");
        }
        for o in Occupation::ALL {
            assert!(OCCUPATION_LABELS.iter().any(|(_, x)| x == o), "{o:?}");
        }
    }
}
