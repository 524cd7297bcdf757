//! A plausible case through all 25 steps, and every precondition refusing when one input is off
//! by one.

use super::check::{MemberFacts, OrgFacts, PersonFacts, StepContext, check_step};
use super::model::*;
use super::rules::LocalRules;
use super::state::CaseState;
use crate::domain::organization::OrganizationKind;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn vote(expected: u32, present: u32, yes: u32) -> Vote {
    Vote {
        expected,
        present,
        written_opinions: 0,
        yes,
        no: present - yes,
        abstain: 0,
    }
}

fn committee(can_approve: bool, kind: OrganizationKind) -> Option<OrgFacts> {
    Some(OrgFacts {
        id: 3,
        kind,
        can_approve,
        can_pre_review: can_approve,
        is_ancestor_of_case: true,
    })
}

fn ctx() -> StepContext {
    StepContext {
        today: d("2030-01-01"),
        person: PersonFacts {
            birth_date: Some(d("2001-05-20")),
            is_league_member: true,
            ..Default::default()
        },
        members: vec![
            MemberFacts {
                id: 11,
                is_full_member: true,
                under_party_probation: false,
                relation_to_candidate: None,
            },
            MemberFacts {
                id: 12,
                is_full_member: true,
                under_party_probation: false,
                relation_to_candidate: None,
            },
            MemberFacts {
                id: 13,
                is_full_member: true,
                under_party_probation: true,
                relation_to_candidate: None,
            },
            MemberFacts {
                id: 14,
                is_full_member: false,
                under_party_probation: false,
                relation_to_candidate: None,
            },
        ],
        organization: committee(true, OrganizationKind::StreetWorkingCommittee),
        needs_intermediate_review: false,
        migrant_in_two_new: false,
        agreed_development_letter: false,
        kinship: None,
        consultations: vec![],
        near_relatives: vec![],
    }
}

/// The standard case: (date, step).
fn standard() -> Vec<(NaiveDate, StepDetails)> {
    [standard_to_target(), standard_from_target()].concat()
}

/// The standard case's steps 1–7: application to development target.
fn standard_to_target() -> Vec<(NaiveDate, StepDetails)> {
    use StepDetails::*;
    vec![
        (d("2022-03-07"), SubmitApplication { organization_id: 7 }),
        (
            d("2022-03-25"),
            ApplicationTalk {
                talker: "支部书记".into(),
            },
        ),
        (d("2022-09-13"), activist(Recommendation::League, None)),
        (
            d("2022-09-20"),
            FileActivist {
                filed_with: "街道党工委".into(),
            },
        ),
        (
            d("2022-09-21"),
            AssignContacts {
                contact_ids: vec![11, 12],
            },
        ),
        (
            d("2023-03-10"),
            ActivistExamination {
                summary: "表现良好".into(),
            },
        ),
        (
            d("2023-09-08"),
            ActivistExamination {
                summary: "表现良好".into(),
            },
        ),
        (d("2023-09-13"), target(80)),
    ]
}

/// The standard case's steps 8–25: development target to archived full member.
fn standard_from_target() -> Vec<(NaiveDate, StepDetails)> {
    use StepDetails::*;
    let form = "440100-2024-000123".to_string();
    vec![
        (
            d("2023-09-22"),
            FileTarget {
                filed_with: "街道党工委".into(),
            },
        ),
        (
            d("2023-09-25"),
            AssignIntroducers {
                introducer_ids: vec![11, 12],
            },
        ),
        (
            d("2023-10-20"),
            PoliticalReview {
                passed: true,
                conclusion: "合格".into(),
                household_opinion: true,
                residence_opinion: true,
                negative_list: None,
            },
        ),
        (
            d("2023-10-27"),
            Training {
                days: 3,
                hours: 24,
                organizer: "区委党校".into(),
            },
        ),
        (
            d("2023-11-03"),
            BranchCommitteeReview {
                opinion: "同意".into(),
            },
        ),
        (
            d("2023-11-10"),
            PreReview {
                reviewer_organization_id: 3,
                passed: true,
                form_number: Some(form.clone()),
            },
        ),
        (d("2023-11-14"), FillApplicationForm { form_number: form }),
        (d("2023-11-21"), meeting(vote(16, 12, 11))),
        (
            d("2023-12-01"),
            PreApprovalTalk {
                talker: "组织员".into(),
            },
        ),
        (d("2023-12-15"), approval()),
        (
            d("2023-12-16"),
            PlaceInBranch {
                party_group: "第一党小组".into(),
            },
        ),
        (
            d("2023-12-20"),
            FileAdmission {
                filed_with: "区委组织部".into(),
            },
        ),
        (d("2023-12-26"), Oath { presided_by: None }),
        (
            d("2024-03-29"),
            ProbationReport {
                summary: "一季度思想汇报".into(),
            },
        ),
        (d("2024-10-21"), ConversionApplication { summary: None }),
        (
            d("2024-11-21"),
            conversion(ConversionOutcome::Convert, None),
        ),
        (
            d("2024-12-05"),
            ConversionApproval {
                approver_organization_id: 3,
            },
        ),
        (
            d("2024-12-10"),
            Archive {
                location: "街道党工委档案室".into(),
            },
        ),
    ]
}

/// Applies the first `n` standard steps, checking each.
fn walk(n: usize) -> CaseState {
    let rules = LocalRules::default();
    let mut s = CaseState::default();
    for (on, step) in standard().into_iter().take(n) {
        check_step(&s, &step, on, &ctx(), &rules).unwrap_or_else(|e| panic!("{step:?}: {e:?}"));
        s.apply(on, &step);
    }
    s
}

fn index_of(name: &str) -> usize {
    standard()
        .iter()
        .position(|(_, s)| s.name() == name)
        .unwrap()
}

#[test]
fn a_plausible_case_goes_through_all_25_steps() {
    let s = walk(standard().len());
    assert_eq!(s.stage, Some(Stage::FullMember));
    assert_eq!(s.probation_end, Some(d("2024-11-21")));
    assert_eq!(s.converted_on, Some(d("2024-11-21")));
    assert_eq!(s.archived_on, Some(d("2024-12-10")));
    let numbers: std::collections::BTreeSet<u8> =
        standard().iter().map(|(_, s)| s.number()).collect();
    assert_eq!(numbers, (1..=25).collect());
}

/// Replaces the standard step `name` with `step` on `on` after all steps before it, and expects
/// the rule `expected`.
fn refuses(
    name: &str,
    on: &str,
    step: StepDetails,
    c: StepContext,
    rules: LocalRules,
    expected: &str,
) {
    let i = index_of(name);
    let state = walk(i);
    let err = check_step(&state, &step, d(on), &c, &rules)
        .expect_err(&format!("{name} should be refused with {expected}"));
    assert_eq!(err.rule, expected, "{name}: {err:?}");
    // The standard input passes, so the off-by-one is what failed.
    let (std_on, std_step) = standard()[i].clone();
    assert!(check_step(&state, &std_step, std_on, &ctx(), &LocalRules::default()).is_ok());
}

fn activist(recommendation: Recommendation, public_notice: Option<PublicNotice>) -> StepDetails {
    StepDetails::DetermineActivist {
        recommendation,
        public_notice,
    }
}

fn target(points: u32) -> StepDetails {
    StepDetails::DetermineTarget {
        points: Some(points),
        public_notice: None,
    }
}

fn meeting(vote: Vote) -> StepDetails {
    StepDetails::AdmissionMeeting {
        vote,
        public_notice: None,
    }
}

fn approval() -> StepDetails {
    StepDetails::AdmissionApproval {
        approver_organization_id: 3,
    }
}

fn conversion(outcome: ConversionOutcome, extension_months: Option<u32>) -> StepDetails {
    StepDetails::ConversionMeeting {
        vote: vote(16, 13, 12),
        outcome,
        extension_months,
        public_notice: None,
    }
}

/// The standard context changed by `change`.
fn ctx_with(change: impl FnOnce(&mut StepContext)) -> StepContext {
    let mut c = ctx();
    change(&mut c);
    c
}

#[test]
fn application_preconditions_refuse_when_one_input_is_off_by_one() {
    use StepDetails::*;
    let rules = LocalRules::default;
    // N1: one day short of 18.
    let young = ctx_with(|c| c.person.birth_date = Some(d("2004-03-08")));
    let submit = SubmitApplication { organization_id: 7 };
    refuses(
        "SUBMIT_APPLICATION",
        "2022-03-07",
        submit,
        young,
        rules(),
        "N1",
    );
    // N3: one day short of the local 6-month gap.
    let six_months = LocalRules {
        application_to_activist_months: 6,
        ..rules()
    };
    let league = || activist(Recommendation::League, None);
    refuses(
        "DETERMINE_ACTIVIST",
        "2022-09-06",
        league(),
        ctx(),
        six_months,
        "N3",
    );
    // N20: a League member of 21 recommended by members only.
    let by_members = activist(Recommendation::PartyMembers, None);
    refuses(
        "DETERMINE_ACTIVIST",
        "2022-09-13",
        by_members,
        ctx(),
        rules(),
        "N20",
    );
    // N17: political-discipline record, one day short of the street plan's 5 years (a local
    // rule: off by default, so the same record passes without it).
    let record = ctx_with(|c| c.person.has_political_violation = true);
    let five_years = LocalRules {
        political_violation_wait_years: 5,
        ..rules()
    };
    refuses(
        "DETERMINE_ACTIVIST",
        "2022-09-13",
        league(),
        record.clone(),
        five_years,
        "N17",
    );
    let state = walk(index_of("DETERMINE_ACTIVIST"));
    assert!(check_step(&state, &league(), d("2022-09-13"), &record, &rules()).is_ok());
    // N18: a public notice one working day short.
    let notice = PublicNotice {
        start_on: d("2022-09-05"),
        end_on: d("2022-09-08"),
        objections: 0,
        objection_records: vec![],
        published_at_origin: false,
    };
    let noticed = activist(Recommendation::League, Some(notice));
    let required = LocalRules {
        public_notice_required: true,
        ..rules()
    };
    refuses(
        "DETERMINE_ACTIVIST",
        "2022-09-13",
        noticed,
        ctx(),
        required,
        "N18",
    );
    // P1: skipping the talk.
    let err = check_step(&walk(1), &league(), d("2022-09-13"), &ctx(), &rules()).unwrap_err();
    assert_eq!(err.rule, "P1");
}

#[test]
fn activist_preconditions_refuse_when_one_input_is_off_by_one() {
    use StepDetails::*;
    let rules = LocalRules::default;
    // N6: one contact missing where the local rules want two; a contact who is not a full member.
    let two = LocalRules {
        cultivation_contacts_min: 2,
        ..rules()
    };
    let contacts = |ids: Vec<i64>| AssignContacts { contact_ids: ids };
    refuses(
        "ASSIGN_CONTACTS",
        "2022-09-21",
        contacts(vec![11]),
        ctx(),
        two,
        "N6",
    );
    refuses(
        "ASSIGN_CONTACTS",
        "2022-09-21",
        contacts(vec![11, 14]),
        ctx(),
        rules(),
        "N6",
    );
    // N4: one day short of a year of cultivation.
    refuses(
        "DETERMINE_TARGET",
        "2023-09-12",
        target(80),
        ctx(),
        rules(),
        "N4",
    );
    // N5: one examination short.
    let three = LocalRules {
        min_examinations_before_target: 3,
        ..rules()
    };
    refuses(
        "DETERMINE_TARGET",
        "2023-09-13",
        target(80),
        ctx(),
        three,
        "N5",
    );
    // I4: one point short.
    let eighty = LocalRules {
        min_points: Some(80),
        ..rules()
    };
    refuses(
        "DETERMINE_TARGET",
        "2023-09-13",
        target(79),
        ctx(),
        eighty,
        "I4",
    );
}

#[test]
fn target_preconditions_refuse_when_one_input_is_off_by_one() {
    use StepDetails::*;
    let rules = LocalRules::default;
    // N7: one introducer missing; an introducer under 留党察看.
    let introducers = |ids: Vec<i64>| AssignIntroducers {
        introducer_ids: ids,
    };
    refuses(
        "ASSIGN_INTRODUCERS",
        "2023-09-25",
        introducers(vec![11]),
        ctx(),
        rules(),
        "N7",
    );
    let under_probation = introducers(vec![11, 13]);
    refuses(
        "ASSIGN_INTRODUCERS",
        "2023-09-25",
        under_probation,
        ctx(),
        rules(),
        "N7",
    );
    // PR1: a migrant's review without the residence opinion.
    let migrant = ctx_with(|c| c.person.is_migrant = true);
    let review = PoliticalReview {
        passed: true,
        conclusion: "合格".into(),
        household_opinion: true,
        residence_opinion: false,
        negative_list: None,
    };
    refuses(
        "POLITICAL_REVIEW",
        "2023-10-20",
        review,
        migrant,
        rules(),
        "PR1",
    );
    // N8: training one hour short (and under 3 days).
    let training = Training {
        days: 2,
        hours: 23,
        organizer: "区委党校".into(),
    };
    refuses("TRAINING", "2023-10-27", training, ctx(), rules(), "N8");
    // A2: pre-review by a general branch.
    let gb = ctx_with(|c| c.organization = committee(false, OrganizationKind::GeneralBranch));
    let pre_review = PreReview {
        reviewer_organization_id: 3,
        passed: true,
        form_number: Some("X".into()),
    };
    refuses("PRE_REVIEW", "2023-11-10", pre_review, gb, rules(), "A2");
    // I6: a form number other than the one issued at pre-review.
    let form = FillApplicationForm {
        form_number: "440100-2024-000124".into(),
    };
    refuses(
        "FILL_APPLICATION_FORM",
        "2023-11-14",
        form,
        ctx(),
        rules(),
        "I6",
    );
}

#[test]
fn admission_preconditions_refuse_when_one_input_is_off_by_one() {
    let rules = LocalRules::default;
    // N10: one voting member short of a quorum; N11: one yes short of passing.
    let no_quorum = meeting(vote(16, 8, 8));
    refuses(
        "ADMISSION_MEETING",
        "2023-11-21",
        no_quorum,
        ctx(),
        rules(),
        "N10",
    );
    let not_passed = meeting(vote(16, 12, 8));
    refuses(
        "ADMISSION_MEETING",
        "2023-11-21",
        not_passed,
        ctx(),
        rules(),
        "N11",
    );
    // N9: leaving exactly 3 months after the meeting.
    let leaving = ctx_with(|c| c.person.expected_departure_on = Some(d("2024-02-21")));
    let passed = || meeting(vote(16, 12, 11));
    refuses(
        "ADMISSION_MEETING",
        "2023-11-21",
        passed(),
        leaving,
        rules(),
        "N9",
    );
    // L1: a migrant in a two-new organization without an agreed development-opinion letter.
    let migrant = ctx_with(|c| c.migrant_in_two_new = true);
    refuses(
        "ADMISSION_MEETING",
        "2023-11-21",
        passed(),
        migrant,
        rules(),
        "L1",
    );
    // A1: the approver a general branch; A3: the intermediate review missing.
    let gb = ctx_with(|c| c.organization = committee(false, OrganizationKind::GeneralBranch));
    refuses(
        "ADMISSION_APPROVAL",
        "2023-12-15",
        approval(),
        gb,
        rules(),
        "A1",
    );
    let review = ctx_with(|c| c.needs_intermediate_review = true);
    refuses(
        "ADMISSION_APPROVAL",
        "2023-12-15",
        approval(),
        review,
        rules(),
        "A3",
    );
    // N12: one day past 6 months after the meeting.
    refuses(
        "ADMISSION_APPROVAL",
        "2024-05-22",
        approval(),
        ctx(),
        rules(),
        "N12",
    );
}

#[test]
fn probation_preconditions_refuse_when_one_input_is_off_by_one() {
    let rules = LocalRules::default;
    // N14: the conversion meeting one day before the probation ends.
    let convert = conversion(ConversionOutcome::Convert, None);
    refuses(
        "CONVERSION_MEETING",
        "2024-11-20",
        convert,
        ctx(),
        rules(),
        "N14",
    );
    // N15: an extension of 5 months.
    let extend = conversion(ConversionOutcome::Extend, Some(5));
    refuses(
        "CONVERSION_MEETING",
        "2024-11-21",
        extend,
        ctx(),
        rules(),
        "N15",
    );
}

#[test]
fn votes_count_against_members_expected_not_present() {
    use super::check::check_vote;
    // Expected 16: 9 present is a quorum, 9 yes passes, 8 does not.
    assert!(check_vote(&vote(16, 9, 9)).is_ok());
    assert_eq!(check_vote(&vote(16, 12, 8)).unwrap_err().rule, "N11");
    assert_eq!(check_vote(&vote(16, 8, 8)).unwrap_err().rule, "N10");
    // Expected 15: 8 and 8.
    assert!(check_vote(&vote(15, 8, 8)).is_ok());
    // Written opinions count in the tally, not in the quorum.
    let v = Vote {
        expected: 16,
        present: 9,
        written_opinions: 2,
        yes: 10,
        no: 1,
        abstain: 0,
    };
    assert!(check_vote(&v).is_ok());
}

#[test]
fn late_talks_and_approvals_are_warnings_not_refusals() {
    let rules = LocalRules::default();
    let state = walk(1);
    let w = check_step(
        &state,
        &StepDetails::ApplicationTalk { talker: "x".into() },
        d("2022-04-08"),
        &ctx(),
        &rules,
    )
    .unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].rule, "N2");
    assert_eq!(w[0].details["daysLate"], 1);
    let state = walk(index_of("ADMISSION_APPROVAL"));
    let w = check_step(
        &state,
        &StepDetails::AdmissionApproval {
            approver_organization_id: 3,
        },
        d("2024-02-22"),
        &ctx(),
        &rules,
    )
    .unwrap();
    assert_eq!(w[0].rule, "N12");
}

#[test]
fn an_extension_is_allowed_once_then_conversion_follows() {
    use StepDetails::*;
    let rules = LocalRules::default();
    let mut s = walk(index_of("CONVERSION_MEETING"));
    let extend = ConversionMeeting {
        vote: vote(16, 13, 12),
        outcome: ConversionOutcome::Extend,
        extension_months: Some(6),
        public_notice: None,
    };
    check_step(&s, &extend, d("2024-11-21"), &ctx(), &rules).unwrap();
    s.apply(d("2024-11-21"), &extend);
    s.apply(
        d("2024-12-05"),
        &ConversionApproval {
            approver_organization_id: 3,
        },
    );
    assert_eq!(s.stage, Some(Stage::ExtendedProbation));
    assert_eq!(s.probation_end, Some(d("2025-05-21")));
    s.apply(d("2025-04-21"), &ConversionApplication { summary: None });
    let again = ConversionMeeting {
        vote: vote(16, 13, 12),
        outcome: ConversionOutcome::Extend,
        extension_months: Some(6),
        public_notice: None,
    };
    assert_eq!(
        check_step(&s, &again, d("2025-05-21"), &ctx(), &rules)
            .unwrap_err()
            .rule,
        "N15"
    );
}

#[test]
fn a_notice_is_required_per_decision_and_objections_must_be_resolved_by_the_decision_day() {
    use StepDetails::*;
    let i = index_of("DETERMINE_ACTIVIST");
    let state = walk(i);
    let on = d("2022-09-13");
    let activist = |notice: Option<PublicNotice>| DetermineActivist {
        recommendation: Recommendation::League,
        public_notice: notice,
    };
    // Required at the activist decision only: the activist needs one, a target would not.
    let at_activist = LocalRules {
        public_notice_at_activist: true,
        ..LocalRules::default()
    };
    let err = check_step(&state, &activist(None), on, &ctx(), &at_activist).unwrap_err();
    assert_eq!(
        (err.rule, err.details["decision"].as_str()),
        ("N18", Some("ACTIVIST"))
    );
    let at_target = LocalRules {
        public_notice_at_target: true,
        ..LocalRules::default()
    };
    assert!(check_step(&state, &activist(None), on, &ctx(), &at_target).is_ok());
    // Five working days, 1–5 September 2022, with one objection.
    let notice = |resolved: Option<&str>| PublicNotice {
        start_on: d("2022-09-01"),
        end_on: d("2022-09-07"),
        objections: 1,
        objection_records: vec![Objection {
            summary: "群众反映其工作表现".into(),
            resolved_on: resolved.map(d),
            handling: Some("经核实不属实".into()),
        }],
        published_at_origin: false,
    };
    let open = check_step(
        &state,
        &activist(Some(notice(None))),
        on,
        &ctx(),
        &at_activist,
    );
    assert_eq!(open.unwrap_err().rule, "PN1");
    // Resolved on the decision day itself: allowed; the day after: refused.
    assert!(
        check_step(
            &state,
            &activist(Some(notice(Some("2022-09-13")))),
            on,
            &ctx(),
            &at_activist
        )
        .is_ok()
    );
    let late = check_step(
        &state,
        &activist(Some(notice(Some("2022-09-14")))),
        on,
        &ctx(),
        &at_activist,
    );
    assert_eq!(late.unwrap_err().rule, "PN1");
    // A migrant's notice is published in both places.
    let mut migrant = ctx();
    migrant.person.is_migrant = true;
    let local = notice(Some("2022-09-10"));
    let err = check_step(
        &state,
        &activist(Some(local.clone())),
        on,
        &migrant,
        &at_activist,
    );
    assert_eq!(err.unwrap_err().rule, "PN2");
    let both = PublicNotice {
        published_at_origin: true,
        ..local
    };
    assert!(check_step(&state, &activist(Some(both)), on, &migrant, &at_activist).is_ok());
}

#[test]
fn any_yes_on_the_negative_list_fails_the_review_with_the_item_named() {
    let i = index_of("POLITICAL_REVIEW");
    let state = walk(i);
    let (on, _) = standard()[i].clone();
    let review = |list: Option<NegativeList>| StepDetails::PoliticalReview {
        passed: true,
        conclusion: "合格".into(),
        household_opinion: true,
        residence_opinion: true,
        negative_list: list,
    };
    let clean = NegativeList::default();
    assert!(
        check_step(
            &state,
            &review(Some(clean)),
            on,
            &ctx(),
            &LocalRules::default()
        )
        .is_ok()
    );
    let err = check_step(
        &state,
        &review(Some(NegativeList {
            under_investigation: true,
            ..clean
        })),
        on,
        &ctx(),
        &LocalRules::default(),
    )
    .unwrap_err();
    assert_eq!(err.rule, "I8");
    assert_eq!(
        err.details["items"],
        serde_json::json!(["UNDER_INVESTIGATION"])
    );
    // Without the checklist: fine by default, refused where the local rules require it.
    assert!(check_step(&state, &review(None), on, &ctx(), &LocalRules::default()).is_ok());
    let strict = LocalRules {
        political_review_checklist_required: true,
        ..LocalRules::default()
    };
    assert_eq!(
        check_step(&state, &review(None), on, &ctx(), &strict)
            .unwrap_err()
            .rule,
        "I8"
    );
}

#[test]
fn a_near_relative_is_not_named_and_the_kinship_cap_holds_where_local_rules_say_so() {
    use crate::domain::kinship::{KinshipFacts, RelationKind};
    let i = index_of("ASSIGN_CONTACTS");
    let state = walk(i);
    let (on, contacts) = standard()[i].clone();
    let mut related = ctx();
    for m in &mut related.members {
        m.relation_to_candidate = Some(RelationKind::Sibling);
    }
    // Off by default: recorded as before.
    assert!(check_step(&state, &contacts, on, &related, &LocalRules::default()).is_ok());
    let strict = LocalRules {
        near_relative_recusal: true,
        kinship_cap: true,
        ..LocalRules::default()
    };
    let e = check_step(&state, &contacts, on, &related, &strict).unwrap_err();
    assert_eq!(
        (e.rule, e.details["relation"].as_str()),
        ("I2", Some("SIBLING"))
    );
    // Admission meeting in a two-new organization of 8 members, 4 related, a related candidate.
    let i = index_of("ADMISSION_MEETING");
    let state = walk(i);
    let (on, meeting) = standard()[i].clone();
    let mut two_new = ctx();
    two_new.kinship = Some(KinshipFacts {
        members: 8,
        related_members: 4,
        candidate_related: true,
    });
    assert_eq!(
        check_step(&state, &meeting, on, &two_new, &strict)
            .unwrap_err()
            .rule,
        "I1"
    );
    assert!(check_step(&state, &meeting, on, &two_new, &LocalRules::default()).is_ok());
    two_new.kinship = Some(KinshipFacts {
        members: 9,
        related_members: 4,
        candidate_related: true,
    });
    assert!(check_step(&state, &meeting, on, &two_new, &strict).is_ok());
}

#[test]
fn each_decision_may_set_its_own_notice_length() {
    use StepDetails::*;
    let i = index_of("DETERMINE_ACTIVIST");
    let state = walk(i);
    let on = d("2022-09-13");
    // Five working days, 1–7 September 2022.
    let notice = PublicNotice {
        start_on: d("2022-09-01"),
        end_on: d("2022-09-07"),
        objections: 0,
        objection_records: vec![],
        published_at_origin: false,
    };
    let activist = DetermineActivist {
        recommendation: Recommendation::League,
        public_notice: Some(notice),
    };
    let longer_for_admission = LocalRules {
        public_notice_at_activist: true,
        public_notice_days_at_admission: Some(7),
        ..LocalRules::default()
    };
    assert!(check_step(&state, &activist, on, &ctx(), &longer_for_admission).is_ok());
    let longer_for_activist = LocalRules {
        public_notice_days_at_activist: Some(6),
        ..longer_for_admission
    };
    let e = check_step(&state, &activist, on, &ctx(), &longer_for_activist).unwrap_err();
    assert_eq!(
        (e.rule, e.details["requiredDays"].as_u64()),
        ("N18", Some(6))
    );
    // A level below may lengthen a decision's notice, never shorten it.
    let shorter = LocalRules {
        public_notice_days_at_activist: Some(5),
        ..longer_for_activist.clone()
    };
    assert_eq!(
        shorter.loosened_from(&longer_for_activist).map(|l| l.0),
        Some("publicNoticeDaysAtActivist")
    );
}

#[test]
fn owners_are_consulted_by_more_departments_and_relatives_are_recused_from_the_vote() {
    use crate::domain::consultation::{ConsultationFacts, ConsultationStage, Department};
    use crate::domain::kinship::RelationKind;
    let i = index_of("ADMISSION_MEETING");
    let state = walk(i);
    let (on, meeting) = standard()[i].clone();
    let rules = LocalRules {
        consultation_departments: vec!["POLICE".into()],
        owner_consultation_departments: vec!["TAX".into()],
        near_relative_recusal: true,
        ..LocalRules::default()
    };
    let mut c = ctx();
    c.consultations = vec![ConsultationFacts {
        department: Department::Police,
        stage: ConsultationStage::Admission,
        answered_on: Some(on),
        concern: false,
        written: false,
    }];
    c.near_relatives = vec![(12, RelationKind::Spouse)];
    let w = check_step(&state, &meeting, on, &c, &rules).unwrap();
    assert!(
        w.iter()
            .any(|w| w.rule == "I2" && w.details["recused"][0]["memberId"] == 12)
    );
    // Letting relatives vote: nothing recorded.
    let vote = LocalRules {
        relatives_vote: true,
        ..rules.clone()
    };
    assert!(
        !check_step(&state, &meeting, on, &c, &vote)
            .unwrap()
            .iter()
            .any(|w| w.rule == "I2")
    );
    // An owner also needs the tax department.
    c.person.is_business_owner = true;
    let e = check_step(&state, &meeting, on, &c, &rules).unwrap_err();
    assert_eq!(
        (e.rule, e.details["missing"].clone()),
        ("I5", serde_json::json!(["TAX"]))
    );
}

#[test]
fn a_step_is_dated_between_1900_and_today() {
    // The talk after the application (standard step 2), on the context's today and around it.
    let state = walk(1);
    let (_, talk) = standard().into_iter().nth(1).unwrap();
    let rules = LocalRules::default();
    let today = ctx().today;
    assert!(check_step(&state, &talk, today, &ctx(), &rules).is_ok());
    for on in [today.succ_opt().unwrap(), d("9999-12-31"), d("1899-12-31")] {
        let err = check_step(&state, &talk, on, &ctx(), &rules).unwrap_err();
        assert_eq!(err.rule, "P3", "{on}: {err:?}");
        assert_eq!(err.details["today"], serde_json::json!(today));
    }
    // A context whose today was never set refuses every step (fails closed).
    let unset = StepContext {
        today: Default::default(),
        ..ctx()
    };
    let err = check_step(&state, &talk, d("2022-03-10"), &unset, &rules).unwrap_err();
    assert_eq!(err.rule, "P3");
}

#[test]
fn a_public_notice_cannot_start_before_the_application() {
    // The standard case applied on the first standard date; its activist notice moved to 1800.
    let state = walk(2);
    let notice = PublicNotice {
        start_on: d("1800-11-01"),
        end_on: d("1800-12-10"),
        objections: 0,
        objection_records: vec![],
        published_at_origin: false,
    };
    let step = activist(Recommendation::League, Some(notice));
    let err = check_step(
        &state,
        &step,
        d("2022-09-13"),
        &ctx(),
        &LocalRules::default(),
    )
    .unwrap_err();
    assert_eq!(err.rule, "P2", "{err:?}");
    assert_eq!(
        err.details["noticeStartOn"],
        serde_json::json!("1800-11-01")
    );
}
