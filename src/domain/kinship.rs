//! Relations between people (DOMAIN.md §7): the kinship cap in two-new organizations (I1, the
//! street plan: members related to the owner within three generations, by blood or marriage,
//! may not exceed half of the members) and near-relative recusal (I2).

use super::RuleViolation;
use super::organization::string_enum;
use serde_json::json;

string_enum! {
    /// How one person is related to another.
    RelationKind {
        /// 配偶
        Spouse = "SPOUSE",
        /// 父母
        Parent = "PARENT",
        /// 子女
        Child = "CHILD",
        /// 兄弟姐妹
        Sibling = "SIBLING",
        /// (外)祖父母
        Grandparent = "GRANDPARENT",
        /// (外)孙子女
        Grandchild = "GRANDCHILD",
        /// 伯叔姑舅姨
        UncleAunt = "UNCLE_AUNT",
        /// 侄甥
        NephewNiece = "NEPHEW_NIECE",
        /// 堂表兄弟姐妹
        Cousin = "COUSIN",
        /// 姻亲 (in-laws)
        InLaw = "IN_LAW",
        /// Other blood relation.
        OtherBlood = "OTHER_BLOOD",
        /// Other relation by marriage.
        OtherMarriage = "OTHER_MARRIAGE",
    }
}

impl RelationKind {
    /// 近亲属 (Civil Code Art. 1045): spouse, parents, children, siblings, grandparents and
    /// grandchildren.
    pub fn is_near(self) -> bool {
        use RelationKind::*;
        matches!(
            self,
            Spouse | Parent | Child | Sibling | Grandparent | Grandchild
        )
    }
}

impl RelationKind {
    /// The generations a kind fixes (none for in-laws and the "other" kinds).
    pub fn generations(self) -> Option<u32> {
        use RelationKind::*;
        match self {
            Spouse | Parent | Child | Sibling => Some(1),
            Grandparent | Grandchild | UncleAunt | NephewNiece => Some(2),
            Cousin => Some(3),
            InLaw | OtherBlood | OtherMarriage => None,
        }
    }
}

/// Generations counted as the plans count them: 1 = parents, children, siblings, spouse; 2 =
/// grandparents, grandchildren, uncles and aunts, nephews and nieces; 3 = great-grandparents,
/// cousins; "within three generations" (三代以内) is 1–3.
pub const KINSHIP_GENERATIONS: u32 = 3;

/// Whether a relation counts for the kinship cap.
pub fn within_three_generations(generations: u32) -> bool {
    (1..=KINSHIP_GENERATIONS).contains(&generations)
}

/// What the kinship cap is judged on, for one admission in a two-new organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KinshipFacts {
    /// Members of the organization before the admission.
    pub members: u32,
    /// Of whom related to the owner within three generations.
    pub related_members: u32,
    /// The candidate is related to the owner within three generations.
    pub candidate_related: bool,
}

/// I1: after the admission, members related to the owner are at most half (exactly half is
/// allowed: 不能超过一半).
pub fn check_kinship_cap(f: &KinshipFacts) -> Result<(), RuleViolation> {
    let after = f.members + 1;
    let related = f.related_members + u32::from(f.candidate_related);
    if related * 2 > after {
        return Err(RuleViolation {
            rule: "I1",
            source: "local: street plan (两新组织亲属党员不超过一半)",
            message_zh: format!(
                "发展后与业主三代以内亲属党员{related}名，超过党员总数{after}名的一半"
            ),
            message_en: format!(
                "after the admission {related} of {after} members would be related to the owner within three generations: more than half"
            ),
            details: json!({ "related": related, "membersAfter": after, "candidateRelated": f.candidate_related, "maxRelated": after / 2 }),
        });
    }
    Ok(())
}

/// I2: a member named for a case who is a near relative of the candidate.
pub fn check_recusal(member_id: i64, relation: Option<RelationKind>) -> Result<(), RuleViolation> {
    match relation {
        Some(kind) if kind.is_near() => Err(RuleViolation {
            rule: "I2",
            source: "local: street plan (近亲属回避)",
            message_zh: format!("该党员是发展对象的近亲属（{}），应当回避", kind.as_str()),
            message_en: format!(
                "the member is a near relative of the candidate ({}) and must recuse",
                kind.as_str()
            ),
            details: json!({ "memberId": member_id, "relation": kind.as_str() }),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_half_is_allowed_and_one_more_is_not() {
        // 9 members, 4 related; a related candidate makes 5 of 10: half, allowed.
        let f = KinshipFacts {
            members: 9,
            related_members: 4,
            candidate_related: true,
        };
        assert!(check_kinship_cap(&f).is_ok());
        // 8 members, 4 related: 5 of 9, refused.
        let f = KinshipFacts { members: 8, ..f };
        let e = check_kinship_cap(&f).unwrap_err();
        assert_eq!((e.rule, e.details["related"].as_u64()), ("I1", Some(5)));
        // An unrelated candidate: 4 of 9.
        assert!(
            check_kinship_cap(&KinshipFacts {
                candidate_related: false,
                ..f
            })
            .is_ok()
        );
    }

    #[test]
    fn three_generations_count_and_four_do_not() {
        assert!(within_three_generations(3));
        assert!(!within_three_generations(4));
        assert!(!within_three_generations(0));
    }

    #[test]
    fn near_relatives_recuse_and_cousins_need_not() {
        assert_eq!(
            check_recusal(7, Some(RelationKind::Sibling))
                .unwrap_err()
                .rule,
            "I2"
        );
        assert!(check_recusal(7, Some(RelationKind::Cousin)).is_ok());
        assert!(check_recusal(7, None).is_ok());
    }
}
