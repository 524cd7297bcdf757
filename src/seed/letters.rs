//! Letters and reports: a few of each.

use super::date_in;
use super::tree::Tree;
use super::writer::{Table, V, flush};
use chrono::NaiveDate;
use rand::rngs::StdRng;
use sea_orm::DatabaseConnection;

/// Writes one development-opinion letter per thousand `candidates` (at least one) between
/// branches, created by `admin_id`. Returns how many.
pub(super) async fn write_letters(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    tree: &Tree,
    candidates: usize,
    admin_id: i64,
) -> anyhow::Result<usize> {
    let mut letters = Table::new(
        "letters",
        &[
            "kind",
            "status",
            "candidate_id",
            "sender_organization_id",
            "receiver_organization_id",
            "subject",
            "questions",
            "sender_contact",
            "sent_on",
            "received_on",
            "due_on",
            "late",
            "overdue_notified",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ],
    );
    let (orgs, branches) = (&tree.orgs, &tree.branches);
    for i in 0..(candidates / 1000).max(1) {
        let (a, b) = (
            &orgs[branches[i % branches.len()]],
            &orgs[branches[(i * 7 + 3) % branches.len()]],
        );
        let sent = date_in(rng, 2025).min(NaiveDate::from_ymd_opt(2025, 12, 1).unwrap_or_default());
        letters.rows.push(vec![
            V::T("DEVELOPMENT_OPINION".into()),
            V::T("RECEIVED".into()),
            V::I((i * 997 % candidates.max(1)) as i64 + 1),
            V::I(a.id),
            V::I(b.id),
            V::T("{}".into()),
            V::T("请出具意见".into()),
            V::T("组织员".into()),
            V::D(sent),
            V::D(sent + chrono::Duration::days(3)),
            V::D(sent + chrono::Duration::days(18)),
            V::B(false),
            V::B(false),
            V::I(1),
            V::I(admin_id),
            V::Now,
            V::Now,
        ]);
    }
    let count = letters.rows.len();
    flush(db, &mut letters).await?;
    Ok(count)
}

/// Writes a submitted first-half report for 2025 of every street working committee, created by
/// `admin_id`. Returns how many.
pub(super) async fn write_reports(
    db: &DatabaseConnection,
    tree: &Tree,
    admin_id: i64,
) -> anyhow::Result<usize> {
    let mut reports = Table::new(
        "reports",
        &[
            "organization_id",
            "year",
            "period",
            "status",
            "snapshot",
            "declared",
            "narrative",
            "attachments",
            "submitted_on",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ],
    );
    for o in tree
        .orgs
        .iter()
        .filter(|o| o.kind == "STREET_WORKING_COMMITTEE")
    {
        reports.rows.push(vec![
            V::I(o.id),
            V::I(2025),
            V::T("H1".into()),
            V::T("SUBMITTED".into()),
            V::T("{}".into()),
            V::T("{}".into()),
            V::T("上半年工作总结".into()),
            V::T("[]".into()),
            V::D(NaiveDate::from_ymd_opt(2025, 6, 26).unwrap_or_default()),
            V::I(1),
            V::I(admin_id),
            V::Now,
            V::Now,
        ]);
    }
    let count = reports.rows.len();
    flush(db, &mut reports).await?;
    Ok(count)
}
