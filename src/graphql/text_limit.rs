//! The longest text any one value of a request may carry. Free text (notes, reasons, letters'
//! questions and answers, report narratives) is otherwise bounded only by the body limit: a
//! 3,000,000-character note was stored. Checked for every transport where operations run
//! ([`super::run`]), on the variables and on the document's own literals.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Request, Value as ConstValue};

/// Most characters one string value may hold (a year-end report's narrative fits many times).
pub const MAX_TEXT_CHARS: usize = 50_000;

/// Where a string value longer than [`MAX_TEXT_CHARS`] is, if there is one: `$variable` or
/// `argument` of the field it is given to.
pub fn too_long(request: &mut Request) -> Option<String> {
    for (name, value) in request.variables.iter() {
        if const_too_long(value) {
            return Some(format!("${name}"));
        }
    }
    // No literal is longer than the document that holds it.
    if request.query.len() <= MAX_TEXT_CHARS {
        return None;
    }
    let doc = request.parsed_query().ok()?;
    document_too_long(doc)
}

fn long(s: &str) -> bool {
    // Bytes first: a string of at most MAX bytes has at most MAX characters.
    s.len() > MAX_TEXT_CHARS && s.chars().count() > MAX_TEXT_CHARS
}

fn const_too_long(v: &ConstValue) -> bool {
    match v {
        ConstValue::String(s) => long(s),
        ConstValue::List(items) => items.iter().any(const_too_long),
        ConstValue::Object(fields) => fields.iter().any(|(k, v)| long(k) || const_too_long(v)),
        _ => false,
    }
}

fn document_too_long(doc: &ExecutableDocument) -> Option<String> {
    for (_, op) in doc.operations.iter() {
        for var in &op.node.variable_definitions {
            if var
                .node
                .default_value
                .as_ref()
                .is_some_and(|d| const_too_long(&d.node))
            {
                return Some(format!("${}", var.node.name.node));
            }
        }
        if let Some(at) = selection_too_long(&op.node.selection_set.node) {
            return Some(at);
        }
    }
    doc.fragments
        .values()
        .find_map(|f| selection_too_long(&f.node.selection_set.node))
}

fn selection_too_long(set: &SelectionSet) -> Option<String> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(f) => f
            .node
            .arguments
            .iter()
            .find(|(_, v)| {
                // Variables stand in as null: only the document's own literals are measured.
                let literal = v
                    .node
                    .clone()
                    .into_const_with(|_| Ok::<_, std::convert::Infallible>(ConstValue::Null));
                literal.is_ok_and(|c| const_too_long(&c))
            })
            .map(|(name, _)| format!("{}.{}", f.node.name.node, name.node))
            .or_else(|| selection_too_long(&f.node.selection_set.node)),
        Selection::InlineFragment(f) => selection_too_long(&f.node.selection_set.node),
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
    fn a_long_variable_or_literal_is_found_and_named() {
        let long = "长".repeat(MAX_TEXT_CHARS + 1);
        let fits = "长".repeat(MAX_TEXT_CHARS);
        let q = "mutation($i: X) { f(input: $i) { id } }";
        assert_eq!(
            too_long(&mut request(
                q,
                serde_json::json!({ "i": { "rows": [{ "note": long }] } })
            )),
            Some("$i".into())
        );
        assert_eq!(
            too_long(&mut request(
                q,
                serde_json::json!({ "i": { "note": fits } })
            )),
            None
        );
        // A JSON scalar's keys are text too.
        let mut declared = serde_json::Map::new();
        declared.insert(long.clone(), serde_json::json!(1));
        let keyed = serde_json::json!({ "i": { "declared": declared } });
        assert_eq!(too_long(&mut request(q, keyed)), Some("$i".into()));
        let inline = format!(r#"mutation {{ a {{ b(input: {{note: "{long}"}}) {{ id }} }} }}"#);
        assert_eq!(
            too_long(&mut request(&inline, serde_json::json!({}))),
            Some("b.input".into())
        );
        let in_fragment = format!(r#"query {{ ...F }} fragment F on Query {{ x(s: "{long}") }}"#);
        assert_eq!(
            too_long(&mut request(&in_fragment, serde_json::json!({}))),
            Some("x.s".into())
        );
        let default = format!(r#"query($s: String = "{long}") {{ x(s: $s) }}"#);
        assert_eq!(
            too_long(&mut request(&default, serde_json::json!({}))),
            Some("$s".into())
        );
        // A long document of short literals is fine.
        let many = format!("{{ {} }}", "x(s: \"短\") ".repeat(MAX_TEXT_CHARS / 8));
        assert_eq!(too_long(&mut request(&many, serde_json::json!({}))), None);
    }
}
