//! What any one text value of a request may carry: at most [`MAX_TEXT_CHARS`] characters, and
//! no control character (but tab and line breaks) or direction override. Free text (notes,
//! reasons, letters' questions and answers, report narratives) was otherwise bounded only by the
//! body limit — a 3,000,000-character note was stored — and could hide a reversed or invisible
//! run of text. Checked for every transport where operations run ([`super::run`]), on the
//! variables, the document's own literals and the keys of JSON values. Names are held to more
//! (`domain::text`).

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Request, Value as ConstValue};

/// Most characters one string value may hold (a year-end report's narrative fits many times).
pub const MAX_TEXT_CHARS: usize = 50_000;

/// Why a text value is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Longer than [`MAX_TEXT_CHARS`].
    TooLong,
    /// Holds a control character (other than tab, line feed, carriage return) or a direction
    /// embedding, override or isolate (U+202A–202E, U+2066–2069).
    Control,
}

/// The first refused text value, if there is one: where (`$variable`, or `field.argument` of
/// the field it is given to) and why.
pub fn refused(request: &mut Request) -> Option<(String, Fault)> {
    for (name, value) in request.variables.iter() {
        if let Some(fault) = const_fault(value) {
            return Some((format!("${name}"), fault));
        }
    }
    // No literal is longer than the document that holds it, and one that holds a refused
    // character has it written out or escaped (`\u`).
    let q = &request.query;
    if q.len() <= MAX_TEXT_CHARS && !q.contains("\\u") && !q.chars().any(forbidden) {
        return None;
    }
    let doc = request.parsed_query().ok()?;
    document_fault(doc)
}

fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn fault(s: &str) -> Option<Fault> {
    // Bytes first: a string of at most MAX bytes has at most MAX characters.
    if s.len() > MAX_TEXT_CHARS && s.chars().count() > MAX_TEXT_CHARS {
        return Some(Fault::TooLong);
    }
    s.chars().any(forbidden).then_some(Fault::Control)
}

fn const_fault(v: &ConstValue) -> Option<Fault> {
    match v {
        ConstValue::String(s) => fault(s),
        ConstValue::List(items) => items.iter().find_map(const_fault),
        ConstValue::Object(fields) => fields
            .iter()
            .find_map(|(k, v)| fault(k).or_else(|| const_fault(v))),
        _ => None,
    }
}

fn document_fault(doc: &ExecutableDocument) -> Option<(String, Fault)> {
    for (_, op) in doc.operations.iter() {
        for var in &op.node.variable_definitions {
            let default = var.node.default_value.as_ref();
            if let Some(fault) = default.and_then(|d| const_fault(&d.node)) {
                return Some((format!("${}", var.node.name.node), fault));
            }
        }
        if let Some(found) = selection_fault(&op.node.selection_set.node) {
            return Some(found);
        }
    }
    doc.fragments
        .values()
        .find_map(|f| selection_fault(&f.node.selection_set.node))
}

fn selection_fault(set: &SelectionSet) -> Option<(String, Fault)> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(f) => f
            .node
            .arguments
            .iter()
            .find_map(|(name, v)| {
                // Variables stand in as null: only the document's own literals are measured.
                let literal = v
                    .node
                    .clone()
                    .into_const_with(|_| Ok::<_, std::convert::Infallible>(ConstValue::Null));
                let fault = literal.ok().and_then(|c| const_fault(&c))?;
                Some((format!("{}.{}", f.node.name.node, name.node), fault))
            })
            .or_else(|| selection_fault(&f.node.selection_set.node)),
        Selection::InlineFragment(f) => selection_fault(&f.node.selection_set.node),
        Selection::FragmentSpread(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str, variables: serde_json::Value) -> Request {
        Request::new(query).variables(async_graphql::Variables::from_json(variables))
    }

    #[test]
    fn a_control_character_or_direction_override_is_found_however_written() {
        let q = "mutation($i: X) { f(input: $i) { id } }";
        for bad in ["ok\u{7}", "ok\u{202e}", "\u{2066}x", "a\u{85}b"] {
            let found = refused(&mut request(q, serde_json::json!({ "i": { "text": bad } })));
            assert_eq!(found, Some(("$i".into(), Fault::Control)), "{bad:?}");
        }
        for fine in ["第一行\n第二行\t表格\r\n", "普通文本", "\u{200d}"] {
            assert_eq!(
                refused(&mut request(
                    q,
                    serde_json::json!({ "i": { "text": fine } })
                )),
                None
            );
        }
        // Escaped in the document's own literal.
        let escaped = r#"mutation { f(text: "ok\u202E") { id } }"#;
        assert_eq!(
            refused(&mut request(escaped, serde_json::json!({}))),
            Some(("f.text".into(), Fault::Control))
        );
    }

    #[test]
    fn a_long_variable_or_literal_is_found_and_named() {
        let long = "长".repeat(MAX_TEXT_CHARS + 1);
        let fits = "长".repeat(MAX_TEXT_CHARS);
        let q = "mutation($i: X) { f(input: $i) { id } }";
        assert_eq!(
            refused(&mut request(
                q,
                serde_json::json!({ "i": { "rows": [{ "note": long }] } })
            )),
            Some(("$i".into(), Fault::TooLong))
        );
        assert_eq!(
            refused(&mut request(
                q,
                serde_json::json!({ "i": { "note": fits } })
            )),
            None
        );
        // A JSON scalar's keys are text too.
        let mut declared = serde_json::Map::new();
        declared.insert(long.clone(), serde_json::json!(1));
        let keyed = serde_json::json!({ "i": { "declared": declared } });
        assert_eq!(
            refused(&mut request(q, keyed)),
            Some(("$i".into(), Fault::TooLong))
        );
        let inline = format!(r#"mutation {{ a {{ b(input: {{note: "{long}"}}) {{ id }} }} }}"#);
        assert_eq!(
            refused(&mut request(&inline, serde_json::json!({}))),
            Some(("b.input".into(), Fault::TooLong))
        );
        let in_fragment = format!(r#"query {{ ...F }} fragment F on Query {{ x(s: "{long}") }}"#);
        assert_eq!(
            refused(&mut request(&in_fragment, serde_json::json!({}))),
            Some(("x.s".into(), Fault::TooLong))
        );
        let default = format!(r#"query($s: String = "{long}") {{ x(s: $s) }}"#);
        assert_eq!(
            refused(&mut request(&default, serde_json::json!({}))),
            Some(("$s".into(), Fault::TooLong))
        );
        // A long document of short literals is fine.
        let many = format!("{{ {} }}", "x(s: \"短\") ".repeat(MAX_TEXT_CHARS / 8));
        assert_eq!(refused(&mut request(&many, serde_json::json!({}))), None);
    }
}
