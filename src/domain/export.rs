//! Spreadsheet cells that are safe to open: text that Excel, WPS or LibreOffice would read as a
//! formula (CSV/formula injection) is neutralised as OWASP advises.

use std::borrow::Cow;

/// Characters that make a spreadsheet treat a cell as a formula (or, for tab and carriage
/// return, that some importers strip before doing so).
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The text of a cell as exported: unchanged, or prefixed with a single quote when it starts
/// with `= + - @`, a tab or a carriage return, so it is shown as text and never evaluated.
pub fn neutralise_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some(c) if FORMULA_TRIGGERS.contains(&c) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_shown_as_text() {
        assert_eq!(neutralise_cell("=1+2"), "'=1+2");
        assert_eq!(
            neutralise_cell("=HYPERLINK(\"http://x\",\"y\")"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
        for t in ["+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(neutralise_cell(t).starts_with('\''), "{t:?}");
        }
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for t in ["和平街道党工委", "women", "", "1+2", "a=b"] {
            assert_eq!(neutralise_cell(t), t);
        }
    }
}
