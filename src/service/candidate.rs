//! Reading cases: lists, alerts.

use super::list::{ListQuery, Listed, Total};
use super::organization::resolve_under;
use crate::db::{self, candidate::CandidateFilter};
use crate::domain::pipeline::alerts::{AlertKind, CaseDates, due};
use crate::domain::pipeline::model::Stage;
use crate::domain::role::PersonalDataAccess;
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::candidate::Model;
use sea_orm::DatabaseConnection;

fn may_read(actor: &Actor) -> AppResult<()> {
    if actor.may(Permission::ReadCandidates) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "role {} may not read candidates (personal data)",
            actor.role
        )))
    }
}

/// What a case list keeps.
#[derive(Debug, Clone, Default)]
pub struct CasesOnly {
    /// Only cases in this stage.
    pub stage: Option<Stage>,
    /// Only applications of this calendar year.
    pub year: Option<i32>,
    /// Name contains this text, or (for roles that read ID-card numbers in full) the number
    /// equals it.
    pub search: Option<String>,
}

/// Lists cases under a subtree in the actor's scope.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    query: ListQuery<CasesOnly>,
) -> AppResult<Listed<db::candidate::CaseWithPerson, CandidateFilter>> {
    may_read(actor)?;
    let filter = CandidateFilter {
        under_path: resolve_under(db, actor, query.under).await?,
        organization_id: None,
        stage: query.only.stage.map(|s| s.as_str().to_string()),
        year: query.only.year,
        search: query.only.search,
        // A masked role could otherwise test numbers one by one.
        search_id_card: actor.role.personal_data() == PersonalDataAccess::Full,
    };
    let page = db::candidate::list(db, &filter, query.after_id, query.limit).await?;
    Ok(Listed {
        page,
        total: Total(filter),
    })
}

impl Total<CandidateFilter> {
    /// The number of cases the list matches (its `totalCount`). A subtree filtered by stage
    /// and/or application year is answered from the counters kept with every step (a few rows,
    /// whatever the subtree holds); a search counts the rows.
    pub async fn count(&self, db: &DatabaseConnection) -> AppResult<i64> {
        let filter = &self.0;
        let search = filter
            .search
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty());
        if filter.organization_id.is_none()
            && !search
            && let Some(root) = crate::domain::organization::path_ids(&filter.under_path).last()
        {
            let which =
                crate::domain::counts::ListCount::for_filter(filter.stage.as_deref(), filter.year);
            return Ok(db::counts::list_total(db, *root, &which).await?);
        }
        Ok(db::candidate::count(db, filter).await? as i64)
    }
}

/// One alert: on a case, or on a letter to answer.
#[derive(Debug, Clone)]
pub struct Alert {
    pub kind: AlertKind,
    pub due_on: NaiveDate,
    pub candidate: Option<Model>,
    pub letter: Option<entity::letter::Model>,
}

/// The dates a case keeps, for the alert rules.
pub fn case_dates(c: &Model) -> CaseDates {
    CaseDates {
        stage: Stage::parse(&c.stage),
        applied_on: Some(c.applied_on),
        talked_on: c.talked_on,
        activist_on: c.activist_on,
        last_examination_on: c.last_examination_on,
        target_on: c.target_on,
        admission_meeting_on: c.admission_meeting_on,
        approved_on: c.approved_on,
        oath_on: c.oath_on,
        probation_end_on: c.probation_end_on,
        conversion_meeting_on: c.conversion_meeting_on,
    }
}

/// What is due or overdue by `as_of + within_days` under a subtree, soonest first.
pub async fn alerts(
    db: &DatabaseConnection,
    actor: &Actor,
    under: Option<i64>,
    as_of: NaiveDate,
    within_days: u32,
    limit: usize,
) -> AppResult<Vec<Alert>> {
    may_read(actor)?;
    let path = resolve_under(db, actor, under).await?;
    let horizon = as_of + chrono::Duration::days(i64::from(within_days));
    let stages = [
        "APPLICANT",
        "ACTIVIST",
        "DEVELOPMENT_TARGET",
        "PROBATIONARY",
        "EXTENDED_PROBATION",
    ];
    let cases = db::candidate::in_stages(db, &path, &stages, 10_000).await?;
    let mut out: Vec<Alert> = cases
        .into_iter()
        .flat_map(|c| {
            due(&case_dates(&c))
                .into_iter()
                .filter(|(_, on)| *on <= horizon)
                .map(move |(kind, due_on)| Alert {
                    kind,
                    due_on,
                    candidate: Some(c.clone()),
                    letter: None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for l in db::letter::inbox_due_by(db, &path, horizon, limit as u64).await? {
        if let Some(due_on) = l.due_on {
            out.push(Alert {
                kind: AlertKind::LetterReplyDue,
                due_on,
                candidate: None,
                letter: Some(l),
            });
        }
    }
    let consultations =
        db::consultation::unanswered_due_by(db, &path, horizon, limit as u64).await?;
    let ids: Vec<i64> = consultations.iter().map(|k| k.candidate_id).collect();
    let cases = db::candidate::find_by_ids(db, &ids).await?;
    for k in consultations {
        out.push(Alert {
            kind: AlertKind::ConsultationAnswerDue,
            due_on: k.due_on,
            candidate: cases.iter().find(|c| c.id == k.candidate_id).cloned(),
            letter: None,
        });
    }
    out.sort_by_key(|a| {
        (
            a.due_on,
            a.candidate.as_ref().map_or(0, |c| c.id),
            a.letter.as_ref().map_or(0, |l| l.id),
        )
    });
    out.truncate(limit);
    Ok(out)
}
