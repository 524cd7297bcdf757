//! The authorization matrix, generated from the live schema: every root query and mutation ×
//! every demo role (and anonymous) × ids in scope, in a sibling subtree, above the caller, and
//! missing, through the real HTTP router; and every object a role can reach by `node(id)`, with
//! every nested field that returns an organization-owned type selected to depth 3.
//!
//! What must hold:
//! - a root field the tables below do not classify fails the test (a new field cannot ship
//!   unchecked); likewise a field of any type that returns an organization-owned type;
//! - a role outside a field's row gets `FORBIDDEN` (anonymous: `UNAUTHENTICATED`), a role inside
//!   it never does;
//! - no response's `data` carries a name or global id of anything outside the caller's subtree;
//! - a mutation given an id outside the caller's scope writes nothing (no audit row appears, and
//!   every write is audited).

use crate::fixtures::{SUBMIT, id_card, person};
use crate::helpers::TestApp;
use crate::plans::{SET, plan};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const ALL: &[&str] = &[
    "ADMIN",
    "ORGANIZER",
    "APPROVER",
    "ANALYST",
    "PARTNER",
    "VIEWER",
];
const READERS: &[&str] = &["ADMIN", "ORGANIZER", "APPROVER", "VIEWER"];
const INDICATOR_READERS: &[&str] = &["ADMIN", "ORGANIZER", "APPROVER", "ANALYST", "VIEWER"];
const ADMIN: &[&str] = &["ADMIN"];
const ORGANIZER: &[&str] = &["ORGANIZER"];
const WRITERS: &[&str] = &["ORGANIZER", "PARTNER"];
/// Anonymous callers and every role.
const PUBLIC: &[&str] = &{
    let mut out = ["ANONYMOUS"; ALL.len() + 1];
    let mut i = 0;
    while i < ALL.len() {
        out[i + 1] = ALL[i];
        i += 1;
    }
    out
};

/// Which roles may call each root field (the README's matrix, as enforced). A role outside the
/// row must get FORBIDDEN before any id is looked up.
fn root_policy() -> BTreeMap<&'static str, &'static [&'static str]> {
    BTreeMap::from([
        // Queries.
        ("serviceInfo", PUBLIC),
        ("me", ALL),
        ("node", ALL),
        ("organization", ALL),
        ("organizations", ALL),
        ("user", ADMIN),
        ("users", ADMIN),
        ("localRules", ALL),
        ("members", READERS),
        ("candidate", READERS),
        ("candidates", READERS),
        ("alerts", READERS),
        ("letter", &["ADMIN", "ORGANIZER", "APPROVER", "VIEWER"]),
        ("letters", &["ADMIN", "ORGANIZER", "APPROVER", "VIEWER"]),
        (
            "letterCounts",
            &["ADMIN", "ORGANIZER", "APPROVER", "ANALYST", "VIEWER"],
        ),
        ("guidancePlan", INDICATOR_READERS),
        ("guidancePlans", INDICATOR_READERS),
        ("planFindings", INDICATOR_READERS),
        ("developmentDuties", INDICATOR_READERS),
        ("indicators", INDICATOR_READERS),
        ("indicatorTable", INDICATOR_READERS),
        ("report", ALL),
        ("reportSubmissions", ALL),
        ("auditLog", ADMIN),
        ("formRegister", READERS),
        ("responsibilities", READERS),
        // Mutations.
        ("login", PUBLIC),
        // With `userId` (the generator fills every id): a reset, ADMIN only; one's own
        // change is open to every role (tests/api/tokens.rs).
        ("changePassword", ADMIN),
        ("createUser", ADMIN),
        ("deactivateUser", ADMIN),
        ("createOrganization", ADMIN),
        ("updateOrganization", ADMIN),
        ("moveOrganization", ADMIN),
        ("deactivateOrganization", ADMIN),
        ("setLocalRules", ADMIN),
        ("importMembers", WRITERS),
        ("importCandidates", WRITERS),
        ("submitApplication", ORGANIZER),
        // The generator picks the first step kind (`applicationTalk`), an ORGANIZER step; the
        // APPROVER's steps are checked in tests/api/pipeline.rs.
        ("recordPipelineStep", ORGANIZER),
        ("correctPipelineEvent", ORGANIZER),
        ("createLetter", ORGANIZER),
        ("sendLetter", ORGANIZER),
        ("receiveLetter", ORGANIZER),
        ("replyLetter", ORGANIZER),
        ("withdrawLetter", ORGANIZER),
        ("setGuidancePlan", ORGANIZER),
        ("adoptProposedPlan", ORGANIZER),
        ("submitReport", WRITERS),
        ("returnReport", ORGANIZER),
        ("acceptReport", ORGANIZER),
        ("setReportSchedule", ORGANIZER),
        ("registerFormNumbers", ORGANIZER),
        ("recordRelation", ORGANIZER),
        ("recordConsultation", ORGANIZER),
        ("answerConsultation", ORGANIZER),
        ("removeRelation", ORGANIZER),
        ("voidFormNumber", ORGANIZER),
    ])
}

/// Every field of any type that returns an organization-owned type, with what keeps it in
/// scope. `type` = the returned object can only be built through its scope check
/// (`Organization::visible`); `scoped read` = it is read by a query restricted to the caller's
/// subtree; `payload` = the object the caller's own scoped mutation just wrote.
fn nested_policy() -> BTreeSet<&'static str> {
    BTreeSet::from([
        "Alert.candidate",
        "Alert.letter",
        "AuditEvent.organization",
        "Candidate.organization",
        "Candidate.outflowOrganization",
        "Candidate.timeline",
        "DutyShortfall.organization",
        "CaseResponsibility.candidate",
        "FormNumber.candidate",
        "FormRegister.committee",
        "KinshipShare.organization",
        "PersonRelation.relativeMember",
        "GuidancePlan.allocations",
        "GuidancePlan.issuer",
        "GuidancePlan.organization",
        "IndicatorRow.organization",
        "Indicators.idleBranches",
        "Indicators.organization",
        "Letter.candidate",
        "Letter.receiverOrganization",
        "Letter.senderOrganization",
        "LetterNotice.letter",
        "Member.organization",
        "Organization.ancestors",
        "Organization.candidates",
        "Organization.children",
        "Organization.parent",
        "Report.organization",
        "ReportSubmission.organization",
        "ReportSubmission.report",
        "User.organization",
        // Mutation payloads.
        "ChangePasswordPayload.user",
        "CreateOrganizationPayload.organization",
        "CreateUserPayload.user",
        "DeactivateOrganizationPayload.organization",
        "DeactivateUserPayload.user",
        "ImportMembersPayload.members",
        "LetterPayload.letter",
        "LoginPayload.user",
        "MoveOrganizationPayload.organization",
        "PipelineStepPayload.candidate",
        "PipelineStepPayload.event",
        "ReviewReportPayload.report",
        "SetGuidancePlanPayload.guidancePlan",
        "SubmitReportPayload.report",
        "UpdateOrganizationPayload.organization",
    ])
}

const OWNED: &[&str] = &[
    "Organization",
    "Candidate",
    "Member",
    "Letter",
    "Report",
    "User",
    "GuidancePlan",
    "AuditEvent",
    "PipelineEvent",
    "Node",
];

const INTROSPECTION: &str = "{ __schema { queryType { name } mutationType { name } types { name kind isOneOf possibleTypes { name } enumValues { name } inputFields { name defaultValue type { ...T } } fields { name args { name defaultValue type { ...T } } type { ...T } } } } } fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }";

/// The global id to use for an id argument naming an object of a kind.
type IdFor<'a> = dyn Fn(&str) -> String + 'a;

/// The schema as introspected, and which variant of a oneOf input to generate.
struct Types(
    HashMap<String, Value>,
    std::cell::Cell<usize>,
    std::cell::Cell<i64>,
);

/// The named type under NON_NULL / LIST wrappers.
fn named(t: &Value) -> (&str, &str) {
    let mut t = t;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    (t["name"].as_str().unwrap(), t["kind"].as_str().unwrap())
}

fn is_list(t: &Value) -> bool {
    match t["kind"].as_str() {
        Some("LIST") => true,
        Some("NON_NULL") => is_list(&t["ofType"]),
        _ => false,
    }
}

fn required(t: &Value, default: &Value) -> bool {
    t["kind"] == "NON_NULL" && default.is_null()
}

/// The kind of object an id argument names, from its name and the field it belongs to: the
/// first kind whose word the argument's name holds, else the first whose word the field's name
/// holds, else an organization.
fn id_kind(arg: &str, context: &str) -> &'static str {
    const BY_ARGUMENT: &[(&str, &str)] = &[
        ("organization", "Organization"),
        ("parent", "Organization"),
        ("candidate", "Candidate"),
        ("member", "Member"),
        ("user", "User"),
        ("event", "PipelineEvent"),
    ];
    const BY_FIELD: &[(&str, &str)] = &[
        ("letter", "Letter"),
        ("report", "Report"),
        ("user", "User"),
        ("candidate", "Candidate"),
        ("pipeline", "Candidate"),
    ];
    let a = arg.to_ascii_lowercase();
    let c = context.to_ascii_lowercase();
    let first = |table: &[(&str, &'static str)], name: &str| {
        table
            .iter()
            .find(|(word, _)| name.contains(word))
            .map(|(_, kind)| *kind)
    };
    if a == "under" {
        return "Organization";
    }
    first(BY_ARGUMENT, &a)
        .or_else(|| first(BY_FIELD, &c))
        .unwrap_or("Organization")
}

impl Types {
    fn get(&self, name: &str) -> &Value {
        &self.0[name]
    }

    /// Whether the `index`-th variant of a oneOf input names anything by id.
    fn variant_names_ids(&self, one_of: &str, index: usize) -> bool {
        let f = &self.get(one_of)["inputFields"][index];
        let (ty, kind) = named(&f["type"]);
        kind == "INPUT_OBJECT"
            && self.get(ty)["inputFields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| named(&f["type"]).0 == "ID")
    }

    /// A value for an input type: required fields filled, every id field set through `id`.
    fn value(&self, t: &Value, name: &str, context: &str, id: &IdFor<'_>, depth: u8) -> Value {
        match t["kind"].as_str().unwrap() {
            "NON_NULL" => self.value(&t["ofType"], name, context, id, depth),
            "LIST" => json!([self.value(&t["ofType"], name, context, id, depth)]),
            _ => {
                let (ty, kind) = named(t);
                match (kind, ty) {
                    ("SCALAR", "ID") => json!(id(id_kind(name, context))),
                    ("SCALAR", "Int") if name == "year" => json!(2025),
                    ("SCALAR", "Int") if name == "expectedVersion" => json!(self.2.get()),
                    ("SCALAR", "Int") => json!(1),
                    ("SCALAR", "Float") => json!(1.0),
                    ("SCALAR", "Boolean") => json!(false),
                    ("SCALAR", "Date") => json!("2025-06-01"),
                    ("SCALAR", "DateTime") => json!("2025-06-01T00:00:00Z"),
                    ("SCALAR", "JSON") => json!({}),
                    ("SCALAR", _) if name.to_ascii_lowercase().contains("month") => {
                        json!("2025-10")
                    }
                    ("SCALAR", _) => json!("matrix-value"),
                    ("ENUM", _) => json!(self.get(ty)["enumValues"][0]["name"]),
                    ("INPUT_OBJECT", _) => {
                        let it = self.get(ty);
                        let mut out = Map::new();
                        if depth > 4 {
                            return Value::Object(out);
                        }
                        for f in it["inputFields"].as_array().unwrap() {
                            let fname = f["name"].as_str().unwrap();
                            let is_id = named(&f["type"]).0 == "ID";
                            if it["isOneOf"] == true {
                                // One variant: the one the matrix is walking through.
                                let fields = it["inputFields"].as_array().unwrap();
                                let f = &fields[self.1.get() % fields.len()];
                                let fname = f["name"].as_str().unwrap();
                                out.insert(
                                    fname.into(),
                                    self.value(&f["type"], fname, ty, id, depth + 1),
                                );
                                break;
                            }
                            if required(&f["type"], &f["defaultValue"]) || is_id {
                                out.insert(
                                    fname.into(),
                                    self.value(&f["type"], fname, ty, id, depth + 1),
                                );
                            }
                        }
                        Value::Object(out)
                    }
                    _ => Value::Null,
                }
            }
        }
    }

    /// Arguments of a field: required ones, and every id argument.
    fn args(&self, field: &Value, context: &str, id: &IdFor<'_>) -> String {
        let mut parts = vec![];
        for a in field["args"].as_array().unwrap() {
            let name = a["name"].as_str().unwrap();
            let is_id = named(&a["type"]).0 == "ID";
            if name == "first" {
                parts.push("first: 3".to_string());
            } else if required(&a["type"], &a["defaultValue"]) || is_id {
                let v = self.value(&a["type"], name, context, id, 0);
                parts.push(format!("{name}: {}", graphql_literal(&v)));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("({})", parts.join(", "))
        }
    }

    /// A selection of a type: its scalars, and (to `depth`) every field returning an object.
    fn selection(&self, ty: &str, depth: u8, inside: &IdFor<'_>) -> String {
        let t = self.get(ty);
        match t["kind"].as_str().unwrap() {
            "OBJECT" => {
                let mut parts = vec!["__typename".to_string()];
                for f in t["fields"].as_array().unwrap() {
                    let fname = f["name"].as_str().unwrap();
                    let (fty, fkind) = named(&f["type"]);
                    let args = self.args(f, fname, inside);
                    let needs_args = f["args"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|a| required(&a["type"], &a["defaultValue"]));
                    match fkind {
                        "SCALAR" | "ENUM" if !needs_args => parts.push(fname.to_string()),
                        // Lists of objects only where there is depth to spare, so the
                        // documents stay under the complexity limit.
                        "OBJECT" | "INTERFACE"
                            if depth > 1 || depth == 1 && !is_list(&f["type"]) =>
                        {
                            parts.push(format!(
                                "{fname}{args} {{ {} }}",
                                self.selection(fty, depth - 1, inside)
                            ));
                        }
                        _ => {}
                    }
                }
                parts.join(" ")
            }
            "INTERFACE" => t["possibleTypes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let n = p["name"].as_str().unwrap();
                    format!("... on {n} {{ {} }}", self.selection(n, depth, inside))
                })
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        }
    }
}

fn graphql_literal(v: &Value) -> String {
    match v {
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", graphql_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(graphql_literal).collect::<Vec<_>>().join(", ")
        ),
        Value::String(s)
            if s.chars().all(|c| c.is_ascii_uppercase() || c == '_') && !s.is_empty() =>
        {
            s.clone()
        }
        other => other.to_string(),
    }
}

/// An object of the demo world: its type, global id, organization and a name that must never
/// reach a caller outside that organization's subtree.
struct Object {
    ty: &'static str,
    id: String,
    org_path: String,
    name: String,
}

async fn world(app: &TestApp) -> Vec<Object> {
    app.load_demo().await;
    let orgs = entity::organization::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    let path_of = |name: &str| orgs.iter().find(|o| o.name == name).unwrap().path.clone();
    let mut objects: Vec<Object> = orgs
        .iter()
        .map(|o| Object {
            ty: "Organization",
            id: fazhan::graphql::ids::encode(fazhan::graphql::ids::NodeType::Organization, o.id).0,
            org_path: o.path.clone(),
            name: o.name.clone(),
        })
        .collect();
    let cases = [
        ("street.organizer", "和平社区第一党支部", "本域甲", 51),
        ("street.organizer", "和平社区第二党支部", "邻支乙", 52),
        ("univ.organizer", "计算机学院本科生第一党支部", "外域丙", 53),
    ];
    for (user, branch, name, seq) in cases {
        let org = app.org_id(branch).await;
        let d = app.ok(Some(user), SUBMIT, json!({ "input": { "organizationId": org, "appliedOn": "2025-03-03", "person": person(name, &id_card("2000-01-01", seq), "2000-01-01") } })).await;
        objects.push(Object {
            ty: "Candidate",
            id: d["submitApplication"]["candidate"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
            org_path: path_of(branch),
            name: name.to_string(),
        });
    }
    let univ_branch = app.org_id("计算机学院本科生第一党支部").await;
    let d = app.ok(Some("univ.organizer"), "mutation($input: ImportMembersInput!) { importMembers(input: $input) { members { id } } }", json!({ "input": { "rows": [{ "organizationId": univ_branch, "person": { "name": "外域党员丁", "gender": "MALE", "birthDate": "1980-01-01", "education": "UNDERGRADUATE", "occupations": ["MANAGER"] }, "memberSince": "2005-07-01" }] } })).await;
    objects.push(Object {
        ty: "Member",
        id: d["importMembers"]["members"][0]["id"]
            .as_str()
            .unwrap()
            .to_string(),
        org_path: path_of("计算机学院本科生第一党支部"),
        name: "外域党员丁".into(),
    });
    let d = app
        .ok(
            Some("street.organizer"),
            "{ members { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    for e in d["members"]["edges"].as_array().unwrap() {
        objects.push(Object {
            ty: "Member",
            id: e["node"]["id"].as_str().unwrap().to_string(),
            org_path: path_of("和平社区第一党支部"),
            name: e["node"]["name"].as_str().unwrap().to_string(),
        });
    }
    // Reports are submitted by someone other than the level that reviews them (a reviewer
    // never accepts its own submission): the college's own organizer, and the city's partner.
    let college = app.org_id("计算机学院党委").await;
    app.ok(Some("admin"), "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }", json!({ "input": { "organizationId": college, "username": "college.organizer", "password": "college-pass-1", "role": "ORGANIZER" } })).await;
    for (user, reporter, org, collector) in [
        (
            "univ.organizer",
            "college.organizer",
            "计算机学院党委",
            "示例大学党委",
        ),
        (
            "street.organizer",
            "partner.bot",
            "和平社区党委",
            "和平街道党工委",
        ),
    ] {
        let o = app.org_id(org).await;
        let c = app.org_id(collector).await;
        app.ok(
            Some(user),
            SET,
            plan(&o, &c, "2025-02-15", json!({ "total": 5 })),
        )
        .await;
        let d = app.ok(Some(reporter), "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { id } } }", json!({ "input": { "organizationId": o, "year": 2025, "period": "H1", "declared": {}, "narrative": format!("{org}的报告"), "attachments": [], "submittedOn": "2025-06-20" } })).await;
        objects.push(Object {
            ty: "Report",
            id: d["submitReport"]["report"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
            org_path: path_of(org),
            name: format!("{org}的报告"),
        });
    }
    let users = entity::user::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    for u in users {
        let path = orgs
            .iter()
            .find(|o| o.id == u.organization_id)
            .unwrap()
            .path
            .clone();
        objects.push(Object {
            ty: "User",
            id: fazhan::graphql::ids::encode(fazhan::graphql::ids::NodeType::User, u.id).0,
            org_path: path,
            name: u.username,
        });
    }
    objects
}

/// The demo users and anonymous, with their role and scope path.
async fn callers(app: &TestApp) -> Vec<(Option<String>, &'static str, String)> {
    let mut out = vec![(None, "ANONYMOUS", String::new())];
    for name in [
        "admin",
        "city.admin",
        "partner.bot",
        "street.admin",
        "street.organizer",
        "street.approver",
        "branch.viewer",
        "edu.analyst",
        "univ.admin",
        "univ.organizer",
    ] {
        let u = fazhan::db::user::find_by_username(&app.state.db, name)
            .await
            .unwrap()
            .unwrap();
        let org = fazhan::db::organization::find_by_id(&app.state.db, u.organization_id)
            .await
            .unwrap()
            .unwrap();
        let role: &'static str = fazhan::domain::Role::ALL
            .into_iter()
            .find(|r| r.as_str() == u.role)
            .unwrap()
            .as_str();
        out.push((Some(name.to_string()), role, org.path));
    }
    out
}

/// A global id of a type by name (for ids that name nothing).
pub(crate) fn global_id(kind: &str, n: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{n}"))
}

/// Audit rows of writes (a refused mutation's own row says it was refused, not that it wrote).
async fn audit_rows(app: &TestApp) -> u64 {
    use sea_orm::{ColumnTrait, QueryFilter};
    entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::Action.ne("mutation.refused"))
        .count(&app.state.db)
        .await
        .unwrap()
}

db_test!(
    the_authorization_matrix_holds_for_every_field_role_and_scope,
    |app| {
        let objects = world(&app).await;
        let schema = app.ok(Some("admin"), INTROSPECTION, json!({})).await;
        let types = Types(
            schema["__schema"]["types"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t["name"].as_str().unwrap().to_string(), t.clone()))
                .collect(),
            std::cell::Cell::new(0),
            std::cell::Cell::new(1),
        );
        // Every field that returns an organization-owned type is classified.
        let nested = nested_policy();
        for t in types.0.values().filter(|t| t["kind"] == "OBJECT") {
            let tname = t["name"].as_str().unwrap();
            if tname.starts_with("__")
                || tname.ends_with("Root")
                || tname.ends_with("Connection")
                || tname.ends_with("Edge")
            {
                continue;
            }
            for f in t["fields"].as_array().unwrap() {
                let (fty, _) = named(&f["type"]);
                let owned = OWNED.contains(&fty)
                    || fty.ends_with("Connection") && OWNED.iter().any(|o| fty.starts_with(o));
                let key = format!("{tname}.{}", f["name"].as_str().unwrap());
                assert!(
                    !owned || nested.contains(key.as_str()),
                    "{key} returns {fty}: classify it in nested_policy()"
                );
            }
        }
        let policy = root_policy();
        let callers = callers(&app).await;
        let mut requests = 0usize;
        for root in ["QueryRoot", "MutationRoot"] {
            for field in types.get(root)["fields"].as_array().unwrap() {
                let fname = field["name"].as_str().unwrap();
                let allowed = *policy
                    .get(fname)
                    .unwrap_or_else(|| panic!("{root}.{fname} is not classified in root_policy()"));
                let (fty, _) = named(&field["type"]);
                for (user, role, scope) in &callers {
                    let inside =
                        |o: &Object| !scope.is_empty() && o.org_path.starts_with(scope.as_str());
                    let secrets: Vec<&str> = objects
                        .iter()
                        .filter(|o| !inside(o))
                        .flat_map(|o| [o.id.as_str(), o.name.as_str()])
                        .collect();
                    // In scope, and not the caller's own account (which every role may read).
                    let own = |kind: &str| {
                        objects
                            .iter()
                            .find(|o| o.ty == kind && inside(o) && Some(&o.name) != user.as_ref())
                            .map(|o| o.id.clone())
                            .unwrap_or_else(|| global_id(kind, 999_999))
                    };
                    let outside = |kind: &str| {
                        objects
                            .iter()
                            .find(|o| {
                                o.ty == kind
                                    && !inside(o)
                                    && !scope.starts_with(o.org_path.as_str())
                            })
                            .map(|o| o.id.clone())
                            .unwrap_or_else(|| global_id(kind, 999_998))
                    };
                    let above = |kind: &str| match kind {
                        "Organization" => objects
                            .iter()
                            .filter(|o| {
                                o.ty == "Organization"
                                    && !inside(o)
                                    && scope.starts_with(o.org_path.as_str())
                            })
                            .map(|o| o.id.clone())
                            .next()
                            .unwrap_or_else(|| outside(kind)),
                        _ => outside(kind),
                    };
                    let missing = |kind: &str| global_id(kind, 999_999);
                    let kinds: [(&str, &IdFor<'_>); 4] = [
                        ("inside", &own),
                        ("sibling", &outside),
                        ("above", &above),
                        ("missing", &missing),
                    ];
                    // Mutations that would take away the callers or the tree the rest of the
                    // matrix runs on are called with ids that name nothing: the role check still
                    // comes first, and an allowed role gets NOT_FOUND instead of a change.
                    let destructive = [
                        "deactivateUser",
                        "deactivateOrganization",
                        "moveOrganization",
                        "changePassword",
                        "updateOrganization",
                    ];
                    // A step names organizations and members in each of its kinds: every kind
                    // of step is tried with ids out of scope (the roles of the first are
                    // checked; approval kinds belong to APPROVER).
                    let variants =
                        if fname == "recordPipelineStep" || fname == "correctPipelineEvent" {
                            types.get("PipelineStepInput")["inputFields"]
                                .as_array()
                                .unwrap()
                                .len()
                        } else {
                            1
                        };
                    for (variant, (kind, id)) in
                        (0..variants).flat_map(|v| kinds.iter().map(move |k| (v, *k)))
                    {
                        types.1.set(variant);
                        if variant > 0 && kind == "inside"
                            || variants > 1
                                && kind != "inside"
                                && !types.variant_names_ids("PipelineStepInput", variant)
                        {
                            continue;
                        }
                        if variants > 1 && kind != "inside" {
                            // The case's current version, so the step gets as far as the ids
                            // it names.
                            let case = own("Candidate");
                            let v = app
                                .exec(
                                    Some("admin"),
                                    "query($id: ID!) { node(id: $id) { ... on Candidate { version } } }",
                                    json!({ "id": case }),
                                )
                                .await;
                            types
                                .2
                                .set(v["data"]["node"]["version"].as_i64().unwrap_or(1));
                        } else {
                            types.2.set(1);
                        }
                        // For steps: the case in scope, everything the step names (committees,
                        // transfer targets, members) out of scope, so the named ids are what is
                        // checked.
                        let case_inside = |k: &str| match k {
                            "Candidate" | "PipelineEvent" => own(k),
                            _ => id(k),
                        };
                        let id: &IdFor<'_> = if destructive.contains(&fname) && kind == "inside" {
                            &missing
                        } else if variants > 1 && kind != "inside" {
                            &case_inside
                        } else {
                            id
                        };
                        if fname == "login" && kind != "inside" {
                            continue;
                        }
                        let op = if root == "MutationRoot" {
                            "mutation"
                        } else {
                            "query"
                        };
                        let args = types.args(field, fname, id);
                        let sel = match types.get(fty)["kind"].as_str().unwrap() {
                            "OBJECT" | "INTERFACE" => {
                                format!("{{ {} }}", types.selection(fty, 1, &own))
                            }
                            _ => String::new(),
                        };
                        let doc = format!("{op} {{ {fname}{args} {sel} }}");
                        let before = audit_rows(&app).await;
                        let bearer = match user {
                            Some(u) => Some(format!("Bearer {}", app.token_for(u).await)),
                            None => None,
                        };
                        let (_, _, body) = app.post(bearer.as_deref(), &doc, json!({})).await;
                        requests += 1;
                        let codes: Vec<&str> = body["errors"]
                            .as_array()
                            .map(|e| {
                                e.iter()
                                    .filter_map(|e| e["extensions"]["code"].as_str())
                                    .collect()
                            })
                            .unwrap_or_default();
                        // The root field's own refusal (nested fields may refuse on their own, e.g.
                        // `Organization.candidates` for roles that do not read cases).
                        let root_codes: Vec<&str> = body["errors"]
                            .as_array()
                            .map(|e| {
                                e.iter()
                                    .filter(|e| e["path"].as_array().is_none_or(|p| p.len() <= 1))
                                    .filter_map(|e| e["extensions"]["code"].as_str())
                                    .collect()
                            })
                            .unwrap_or_default();
                        let who = user.as_deref().unwrap_or("anonymous");
                        let context =
                            || format!("{who} ({role}) {fname} [{kind}]: {doc}\n{body:#}");
                        assert!(!codes.contains(&"INTERNAL_SERVER_ERROR"), "{}", context());
                        assert!(!codes.contains(&"QUERY_TOO_COMPLEX"), "{}", context());
                        let may = allowed.contains(role);
                        if variant > 0 {
                            // Role rows hold for the first kind of step only.
                        } else if !may {
                            let expected = if user.is_none() {
                                "UNAUTHENTICATED"
                            } else {
                                "FORBIDDEN"
                            };
                            assert!(
                                root_codes.contains(&expected),
                                "expected {expected}: {}",
                                context()
                            );
                        } else if kind == "inside" && fname != "login" {
                            // (A wrong password is `login`'s own UNAUTHENTICATED.)
                            assert!(
                                !root_codes.contains(&"FORBIDDEN")
                                    && !root_codes.contains(&"UNAUTHENTICATED"),
                                "an allowed role was refused: {}",
                                context()
                            );
                        }
                        let data = body["data"].to_string();
                        for s in &secrets {
                            assert!(
                                !data.contains(&format!("\"{s}\"")),
                                "leaked {s:?}: {}",
                                context()
                            );
                        }
                        if root == "MutationRoot"
                            && kind != "inside"
                            && fname != "login"
                            && fname != "changePassword"
                        {
                            assert_eq!(
                                audit_rows(&app).await,
                                before,
                                "a write with an id out of scope: {}",
                                context()
                            );
                        }
                    }
                }
            }
        }
        // Every object by `node(id)`, as every caller that can see it, with every nested field.
        for (user, role, scope) in callers.iter().filter(|c| c.0.is_some()) {
            let inside = |o: &Object| o.org_path.starts_with(scope.as_str());
            let secrets: Vec<&str> = objects
                .iter()
                .filter(|o| !inside(o))
                .flat_map(|o| [o.id.as_str(), o.name.as_str()])
                .collect();
            let own_org = objects
                .iter()
                .find(|o| o.ty == "Organization" && &o.org_path == scope)
                .unwrap()
                .id
                .clone();
            let own = |kind: &str| match kind {
                "Organization" => own_org.clone(),
                _ => objects
                    .iter()
                    .find(|o| o.ty == kind && inside(o))
                    .map(|o| o.id.clone())
                    .unwrap_or_else(|| own_org.clone()),
            };
            let sel = types.selection("Node", 2, &own);
            let token = format!("Bearer {}", app.token_for(user.as_deref().unwrap()).await);
            for o in objects.iter().filter(|o| inside(o)) {
                let doc = format!("{{ node(id: \"{}\") {{ {sel} }} }}", o.id);
                let (_, _, body) = app.post(Some(&token), &doc, json!({})).await;
                requests += 1;
                let data = body["data"].to_string();
                for s in &secrets {
                    assert!(
                        !data.contains(&format!("\"{s}\"")),
                        "{user:?} ({role}) leaked {s:?} through node({}): {body:#}",
                        o.id
                    );
                }
            }
        }
        // The exports (HTTP) and the subscription, for every caller and scope.
        let reports: Vec<&Object> = objects.iter().filter(|o| o.ty == "Report").collect();
        let orgs: Vec<&Object> = objects.iter().filter(|o| o.ty == "Organization").collect();
        for (user, role, scope) in &callers {
            let reads_indicators = INDICATOR_READERS.contains(role);
            for o in orgs.iter().chain(reports.iter()) {
                let inside = !scope.is_empty() && o.org_path.starts_with(scope.as_str());
                let uri = if o.ty == "Report" {
                    format!("/exports/reports/{}.csv", o.id)
                } else {
                    format!(
                        "/exports/indicator-table.csv?organizationId={}&year=2025",
                        o.id
                    )
                };
                let (status, bytes) =
                    crate::indicators::download(&app, user.as_deref(), &uri).await;
                requests += 1;
                let expected = match (user, reads_indicators, inside) {
                    (None, _, _) => 401,
                    (Some(_), true, true) => 200,
                    (Some(_), true, false) => 404,
                    (Some(_), false, _) => 403,
                };
                assert_eq!(status, expected, "{user:?} ({role}) {uri}");
                if status == 200 {
                    let text = String::from_utf8_lossy(&bytes);
                    for other in objects.iter().filter(|x| {
                        x.ty == "Organization" && !x.org_path.starts_with(scope.as_str())
                    }) {
                        assert!(
                            !text
                                .split([',', '\n'])
                                .any(|cell| cell.trim_matches('"') == other.name),
                            "{user:?} exported {} from outside its subtree: {uri}",
                            other.name
                        );
                    }
                }
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(axum::serve(listener, app.router.clone()).into_future());
        for (user, role, _) in callers.iter().filter(|c| c.0.is_some()) {
            use futures_util::{SinkExt, StreamExt};
            use tokio_tungstenite::tungstenite::Message;
            let token = app.token_for(user.as_deref().unwrap()).await;
            let (mut ws, acked) = crate::tokens::open_ws(addr, &token).await;
            assert!(acked, "{user:?}");
            ws.send(Message::text(json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { letterEvents { kind } }" } }).to_string())).await.unwrap();
            let reply =
                tokio::time::timeout(std::time::Duration::from_millis(700), ws.next()).await;
            requests += 1;
            let refused = matches!(&reply, Ok(Some(Ok(Message::Text(t)))) if t.contains("FORBIDDEN") || t.contains("\"error\""));
            let may = READERS.contains(role);
            assert_eq!(refused, !may, "{user:?} ({role}) letterEvents: {reply:?}");
        }
        server.abort();
        eprintln!(
            "authorization matrix: {requests} requests, {} root fields, {} nested fields classified",
            policy.len(),
            nested.len()
        );
    }
);
