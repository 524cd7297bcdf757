//! Opaque global ids (`node(id)`) and cursors: base64url of `Type:rowId`.

use crate::error::{AppError, AppResult};
use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The types reachable through `node(id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Organization,
    User,
    Candidate,
    Member,
    PipelineEvent,
    Letter,
    GuidancePlan,
    Report,
    PersonRelation,
    Consultation,
}

impl NodeType {
    fn as_str(self) -> &'static str {
        match self {
            NodeType::Organization => "Organization",
            NodeType::User => "User",
            NodeType::Candidate => "Candidate",
            NodeType::Member => "Member",
            NodeType::PipelineEvent => "PipelineEvent",
            NodeType::Letter => "Letter",
            NodeType::GuidancePlan => "GuidancePlan",
            NodeType::Report => "Report",
            NodeType::PersonRelation => "PersonRelation",
            NodeType::Consultation => "Consultation",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "Organization" => Some(NodeType::Organization),
            "User" => Some(NodeType::User),
            "Candidate" => Some(NodeType::Candidate),
            "Member" => Some(NodeType::Member),
            "PipelineEvent" => Some(NodeType::PipelineEvent),
            "Letter" => Some(NodeType::Letter),
            "GuidancePlan" => Some(NodeType::GuidancePlan),
            "Report" => Some(NodeType::Report),
            "PersonRelation" => Some(NodeType::PersonRelation),
            "Consultation" => Some(NodeType::Consultation),
            _ => None,
        }
    }
}

/// The global id of a row.
pub fn encode(ty: NodeType, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", ty.as_str())))
}

/// Decodes any global id into its type and row id.
pub fn decode_any(id: &str) -> Option<(NodeType, i64)> {
    let raw = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (ty, n) = text.split_once(':')?;
    Some((NodeType::parse(ty)?, row_id(n)?))
}

/// A row id written as [`encode`] and [`cursor`] write it: digits without a sign or leading
/// zeros, so each row has one id (`Organization:04` is not `Organization:4`).
fn row_id(n: &str) -> Option<i64> {
    if n.is_empty() || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// Decodes a global id that must be of type `ty`; anything else is `BAD_USER_INPUT` on `field`.
pub fn decode(ty: NodeType, id: &ID, field: &'static str) -> AppResult<i64> {
    match decode_any(id) {
        Some((t, n)) if t == ty => Ok(n),
        _ => Err(AppError::bad_input(
            field,
            format!("不是有效的{}编号", ty.as_str()),
            format!("not a valid {} id", ty.as_str()),
        )),
    }
}

/// The cursor after a row (keyset pagination on the row id).
pub fn cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("c:{id}"))
}

/// Decodes an `after` cursor.
pub fn decode_cursor(after: Option<&str>) -> AppResult<Option<i64>> {
    let Some(after) = after else { return Ok(None) };
    URL_SAFE_NO_PAD
        .decode(after)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|t| t.strip_prefix("c:").and_then(row_id))
        .map(Some)
        .ok_or_else(|| AppError::bad_input("after", "分页游标无效", "invalid cursor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_type() {
        let id = encode(NodeType::Organization, 42);
        assert_eq!(decode_any(&id), Some((NodeType::Organization, 42)));
        assert_eq!(decode(NodeType::Organization, &id, "id").unwrap(), 42);
        assert!(decode(NodeType::User, &id, "id").is_err());
        assert!(decode_any("not-an-id").is_none());
    }

    #[test]
    fn a_row_has_one_id_only() {
        let written = |text: &str| URL_SAFE_NO_PAD.encode(text);
        assert_eq!(
            decode_any(&written("Organization:4")),
            Some((NodeType::Organization, 4))
        );
        for other in [
            "Organization:04",
            "Organization:+4",
            "Organization:-4",
            "Organization:0",
            "Organization: 4",
            "Organization:",
            "Organization:99999999999999999999",
        ] {
            assert_eq!(decode_any(&written(other)), None, "{other}");
        }
        assert!(decode_cursor(Some(&written("c:007"))).is_err());
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(Some(&cursor(7))).unwrap(), Some(7));
        assert_eq!(decode_cursor(None).unwrap(), None);
        assert!(decode_cursor(Some("garbage")).is_err());
    }
}
