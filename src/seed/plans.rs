//! Guidance plans: every non-branch level for every year, branches for the latest year.

use super::tree::Tree;
use super::writer::{Table, V, flush};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

/// Writes the plans and their first revisions (issued by `admin_id`), sized for `candidates`
/// spread over the tree. Returns how many plans.
pub(super) async fn write(
    db: &DatabaseConnection,
    tree: &Tree,
    candidates: usize,
    admin_id: i64,
) -> anyhow::Result<usize> {
    let mut plans = Table::new(
        "guidance_plans",
        &[
            "id",
            "organization_id",
            "year",
            "line",
            "issuer_organization_id",
            "created_at",
        ],
    );
    let mut revisions = Table::new(
        "plan_revisions",
        &[
            "plan_id",
            "revision",
            "effective_on",
            "recorded_at",
            "actor_user_id",
            "reason",
            "content",
        ],
    );
    let mut plan_id = 1;
    for o in &tree.orgs {
        let years: Vec<i32> = if o.kind == "BRANCH" {
            vec![2025]
        } else {
            (2017..=2025).collect()
        };
        let peers = tree
            .sizes
            .get(o.depth)
            .copied()
            .unwrap_or(tree.branches.len());
        let subtree = (candidates as f64 * 0.1 / 9.0 / (peers.max(1)) as f64).ceil() as i64;
        for y in years {
            plans.rows.push(vec![
                V::I(plan_id),
                V::I(o.id),
                V::I(y as i64),
                V::T("GENERAL".into()),
                V::I(o.parent_id()),
                V::Now,
            ]);
            let total = subtree.max(1);
            let content = serde_json::json!({ "total": total, "under35": total * 8 / 10, "collegePlus": total * 6 / 10, "completionMonth": format!("{y}-11"), "targets": [{ "category": "AGE_35_AND_UNDER", "comparator": "AT_LEAST", "percent": 80.0 }] });
            revisions.rows.push(vec![
                V::I(plan_id),
                V::I(1),
                V::D(NaiveDate::from_ymd_opt(y, 2, 15).unwrap_or_default()),
                V::Now,
                V::I(admin_id),
                V::T(String::new()),
                V::T(content.to_string()),
            ]);
            plan_id += 1;
        }
    }
    let count = plans.rows.len();
    flush(db, &mut plans).await?;
    flush(db, &mut revisions).await?;
    Ok(count)
}
