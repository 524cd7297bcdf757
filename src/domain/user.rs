//! User accounts: usernames and password policy.

use super::error::DomainError;

/// Validates a username: 3–64 characters of ASCII letters, digits, `.`, `_`, `-`, stored in
/// lower case (so `ADMIN` can never stand beside `admin`; logins compare in lower case too).
pub fn parse_username(username: &str) -> Result<String, DomainError> {
    let u = username.trim();
    let ok_len = (3..=64).contains(&u.len());
    let ok_chars = u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok_len && ok_chars {
        Ok(u.to_ascii_lowercase())
    } else {
        Err(DomainError::invalid(
            "username",
            "用户名须为3至64个字母、数字或 . _ -",
            "the username must be 3 to 64 letters, digits or . _ -",
        ))
    }
}

/// Checks a new password: at least 10 characters, at most 256.
pub fn check_password(password: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    if (10..=256).contains(&n) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "newPassword",
            format!("密码长度须为10至256个字符，收到{n}个"),
            format!("the password must be 10 to 256 characters long, got {n}"),
        ))
    }
}

/// Validates a display name: 1–100 characters after trimming.
pub fn parse_display_name(name: &str) -> Result<String, DomainError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(DomainError::invalid(
            "displayName",
            "显示名称须为1至100个字符",
            "the display name must be 1 to 100 characters",
        ));
    }
    super::text::check_name("displayName", n)?;
    Ok(n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" admin ").unwrap(), "admin");
        assert_eq!(parse_username("ADMIN").unwrap(), "admin");
        assert!(parse_username("ab").is_err());
        assert!(parse_username("张三").is_err());
        assert!(parse_username("a b c").is_err());
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(check_password("123456789").is_err());
        assert!(check_password("1234567890").is_ok());
    }
}
