//! Text the service stores as names: what may not be in it.

use super::DomainError;

/// Control characters and the invisible ones — Unicode's format characters (Cf: zero-width
/// spaces and joiners, direction marks and isolates, the soft hyphen, tags), fillers and
/// variation selectors — which no name or address contains and which can hide one name inside
/// another.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{08E2}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
                // Blank-looking, placeholders, private use and noncharacters.
                | '\u{2800}'
                | '\u{FFFC}'
                | '\u{1D159}'
                | '\u{E000}'..='\u{F8FF}'
                | '\u{F0000}'..='\u{10FFFF}'
                | '\u{FDD0}'..='\u{FDEF}'
        )
        || (c as u32 & 0xFFFE) == 0xFFFE
}

/// A name as people read it: no hidden character (see [`is_hidden`]), and starting with a
/// letter or digit (not a combining mark or punctuation: "3号楼党支部" is a name, "\u{301}" not).
pub fn check_name(field: &'static str, name: &str) -> Result<(), DomainError> {
    if name.chars().any(is_hidden) {
        return Err(DomainError::invalid(
            field,
            "名称含不可见字符或控制字符",
            "the name contains an invisible or control character",
        ));
    }
    if name.chars().next().is_some_and(|c| !c.is_alphanumeric()) {
        return Err(DomainError::invalid(
            field,
            "名称须以文字或数字开头",
            "the name must start with a letter or digit",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_and_blank_looking_characters_are_found() {
        for c in [
            '\u{2800}',
            '\u{FFFC}',
            '\u{E000}',
            '\u{F0000}',
            '\u{FDD0}',
            '\u{FFFF}',
            '\u{1FFFE}',
            '\u{AD}',
            '\u{202E}',
            '\u{7}',
        ] {
            assert!(is_hidden(c), "{:X}", c as u32);
        }
        for c in ['李', 'a', '·', ' ', '\u{301}'] {
            assert!(!is_hidden(c), "{:X}", c as u32);
        }
        assert!(check_name("name", "阿依古丽·买买提").is_ok());
        assert!(check_name("name", "3号楼党支部").is_ok());
        assert!(check_name("name", "\u{301}").is_err());
        assert!(check_name("name", "北京\u{2028}市").is_err());
    }
}
