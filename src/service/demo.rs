//! The demo data set: a city with a street (communities, an agency, non-public enterprises, a
//! social organization) and a university committee with colleges and branches, plus one user
//! of each role, and three Party members in 和平社区第一党支部 (one under 留党察看) to name as
//! contacts and introducers. Loading it twice changes nothing.

use super::member::MemberRow;
use super::organization::{CreateOrganization, create};
use super::user::{CreateUser, create as create_user};
use crate::db;
use crate::domain::organization::{OrganizationKind as K, Sector as S};
use crate::domain::pipeline::person::{Education, Gender, Occupation, PersonDraft};
use crate::domain::{Actor, Role};
use crate::error::{AppError, AppResult};
use entity::organization::Model;
use sea_orm::DatabaseConnection;
use std::collections::HashMap;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo-pass-2026";

/// The demo users: username, role, organization name.
pub const DEMO_USERS: &[(&str, Role, &str)] = &[
    ("city.admin", Role::Admin, "示例市委组织部"),
    ("street.admin", Role::Admin, "和平街道党工委"),
    ("street.organizer", Role::Organizer, "和平街道党工委"),
    ("street.approver", Role::Approver, "和平街道党工委"),
    ("branch.viewer", Role::Viewer, "和平社区第一党支部"),
    ("edu.analyst", Role::Analyst, "省委教育工委"),
    ("univ.admin", Role::Admin, "示例大学党委"),
    ("univ.organizer", Role::Organizer, "示例大学党委"),
    ("partner.bot", Role::Partner, "示例市委组织部"),
];

/// The demo tree in creation order: parent's name (`None`: the root), name, kind, sector,
/// member count.
const DEMO_ORGANIZATIONS: &[(Option<&str>, &str, K, S, i32)] = &[
    (
        None,
        "示例市委组织部",
        K::CityOrganizationDepartment,
        S::PartyOrgan,
        0,
    ),
    (
        Some("示例市委组织部"),
        "示例区委组织部",
        K::CountyOrganizationDepartment,
        S::PartyOrgan,
        0,
    ),
    (
        Some("示例区委组织部"),
        "和平街道党工委",
        K::StreetWorkingCommittee,
        S::GovernmentOrgan,
        420,
    ),
    (
        Some("和平街道党工委"),
        "和平社区党委",
        K::VillageCommunityCommittee,
        S::Community,
        160,
    ),
    (
        Some("和平社区党委"),
        "和平社区第一党支部",
        K::Branch,
        S::Community,
        45,
    ),
    (
        Some("和平社区党委"),
        "和平社区第二党支部",
        K::Branch,
        S::Community,
        38,
    ),
    (
        Some("和平街道党工委"),
        "和平街道机关党支部",
        K::Branch,
        S::GovernmentOrgan,
        27,
    ),
    (
        Some("和平街道党工委"),
        "星火科技有限公司党支部",
        K::Branch,
        S::NonPublicEnterprise,
        16,
    ),
    (
        Some("和平街道党工委"),
        "明达物流有限公司党支部",
        K::Branch,
        S::NonPublicEnterprise,
        9,
    ),
    (
        Some("和平街道党工委"),
        "和平街道新的社会阶层人士联合会党支部",
        K::Branch,
        S::SocialOrganization,
        7,
    ),
    (
        None,
        "省委教育工委",
        K::EducationWorkCommittee,
        S::PartyOrgan,
        0,
    ),
    (
        Some("省委教育工委"),
        "示例大学党委",
        K::UniversityCommittee,
        S::University,
        2600,
    ),
    (
        Some("示例大学党委"),
        "计算机学院党委",
        K::SecondLevelCommittee,
        S::University,
        310,
    ),
    (
        Some("计算机学院党委"),
        "计算机学院本科生第一党支部",
        K::Branch,
        S::University,
        42,
    ),
    (
        Some("计算机学院党委"),
        "计算机学院研究生党支部",
        K::Branch,
        S::University,
        58,
    ),
    (
        Some("示例大学党委"),
        "外国语学院党总支",
        K::GeneralBranch,
        S::University,
        86,
    ),
    (
        Some("外国语学院党总支"),
        "外国语学院学生党支部",
        K::Branch,
        S::University,
        31,
    ),
];

/// Loads the demo set under the root, acting as the root's `admin`. Returns false when it was
/// already there.
pub async fn load(db: &DatabaseConnection) -> AppResult<bool> {
    let admin = db::user::find_by_username(db, "admin")
        .await?
        .ok_or(AppError::NotFound("user admin"))?;
    let root = db::organization::find_by_id(db, admin.organization_id)
        .await?
        .ok_or(AppError::NotFound("organization"))?;
    if db::user::find_by_username(db, "city.admin")
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let actor = Actor {
        user_id: admin.id,
        role: Role::Admin,
        organization_id: root.id,
        scope_path: root.path.clone(),
    };
    let by_name = organizations(db, &actor, &root).await?;
    for (username, role, org_name) in DEMO_USERS {
        let org = &by_name[*org_name];
        create_user(
            db,
            &actor,
            CreateUser {
                organization_id: org.id,
                username: (*username).into(),
                display_name: None,
                password: DEMO_PASSWORD.into(),
                role: *role,
                is_service_account: *role == Role::Partner,
            },
        )
        .await?;
    }
    let organizer = Actor {
        role: Role::Organizer,
        ..actor
    };
    members(db, &organizer, &by_name["和平社区第一党支部"]).await?;
    Ok(true)
}

/// Creates [`DEMO_ORGANIZATIONS`] under `root`; returns them by name.
async fn organizations(
    db: &DatabaseConnection,
    actor: &Actor,
    root: &Model,
) -> AppResult<HashMap<String, Model>> {
    let mut by_name: HashMap<String, Model> = HashMap::new();
    for (parent, name, kind, sector, members) in DEMO_ORGANIZATIONS {
        let parent_id = match parent {
            Some(parent) => by_name[*parent].id,
            None => root.id,
        };
        let input = CreateOrganization {
            parent_id,
            name: (*name).into(),
            code: None,
            kind: *kind,
            sector: *sector,
            can_approve: None,
            can_pre_review: None,
            member_count: Some(*members),
        };
        let o = create(db, actor, input).await?;
        by_name.insert(o.name.clone(), o);
    }
    Ok(by_name)
}

/// The three Party members of `branch` (one under 留党察看).
async fn members(db: &DatabaseConnection, organizer: &Actor, branch: &Model) -> AppResult<()> {
    let member = |name: &str, gender: Gender, born: &str, since: &str, probation: bool| MemberRow {
        organization_id: branch.id,
        person: PersonDraft {
            name: name.into(),
            gender: Some(gender),
            birth_date: born.parse().ok(),
            education: Some(Education::Undergraduate),
            occupations: vec![Occupation::Manager],
            ..Default::default()
        },
        member_since: since.parse().ok(),
        under_party_probation: probation,
    };
    // The demo's own members carry no ID numbers; a one-off allowance keeps the loader
    // independent of the running service's limits.
    super::member::import(
        db,
        &super::duplicates::DuplicateChecks::new(1, 10),
        organizer,
        vec![
            member("王建国", Gender::Male, "1975-04-12", "1998-07-01", false),
            member("李秀英", Gender::Female, "1982-09-30", "2006-06-28", false),
            member("张卫东", Gender::Male, "1970-01-15", "1995-07-01", true),
        ],
    )
    .await?;
    Ok(())
}
