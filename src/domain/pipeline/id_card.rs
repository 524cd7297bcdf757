//! Resident ID-card numbers (GB 11643-1999): 18 characters, a check digit, a birth date.

use crate::domain::DomainError;
use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character of the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(CHECK[(sum % 11) as usize])
}

/// Validates an ID-card number and that its birth date is `birth_date`; returns it normalized
/// (upper-case `X`).
pub fn parse(number: &str, birth_date: NaiveDate) -> Result<String, DomainError> {
    let n = number.trim().to_ascii_uppercase();
    let invalid = |zh: &str, en: &str| DomainError::invalid("idCardNumber", zh, en);
    // Byte positions are character positions only for ASCII (full-width digits are three bytes
    // each: slicing them at 17 panicked).
    if n.len() != 18 || !n.is_ascii() || !n[..17].chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(
            "身份证号须为18位",
            "the ID-card number must have 18 characters, 17 digits then a digit or X",
        ));
    }
    if check_char(&n[..17]) != n.chars().last() {
        return Err(invalid(
            "身份证号校验位不正确",
            "the ID-card number's check digit is wrong (GB 11643)",
        ));
    }
    let born = NaiveDate::parse_from_str(&n[6..14], "%Y%m%d").map_err(|_| {
        invalid(
            "身份证号中的出生日期无效",
            "the birth date inside the ID-card number is not a date",
        )
    })?;
    if born != birth_date {
        return Err(DomainError::invalid(
            "idCardNumber",
            format!("身份证号中的出生日期{born}与出生日期{birth_date}不一致"),
            format!("the ID-card number says born {born}, the record says {birth_date}"),
        ));
    }
    Ok(n)
}

/// Masks an ID-card number for roles that see personal data masked: `11****************`.
///
/// Only the province code is kept. A masked role also reads the birth date, the gender and the
/// household registration (which names the region code), so any kept digit of the region, the
/// sequence or the check digit would let it rebuild the number: with the last four kept, the
/// birth date fills exactly the hidden part.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    chars[..2].iter().collect::<String>() + &"*".repeat(chars.len() - 2)
}

/// Masks a phone number: `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    chars[..3].iter().collect::<String>()
        + &"*".repeat(chars.len() - 7)
        + &chars[chars.len() - 4..].iter().collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_valid_number_passes_and_normalizes() {
        // 11010519491231002X is the standard's worked example.
        assert_eq!(
            parse("11010519491231002x", d("1949-12-31")).unwrap(),
            "11010519491231002X"
        );
    }

    #[test]
    fn wrong_check_digit_length_or_birth_date_fail() {
        assert!(parse("110105194912310021", d("1949-12-31")).is_err());
        assert!(parse("1101051949123100", d("1949-12-31")).is_err());
        assert!(parse("11010519491231002X", d("1950-01-01")).is_err());
    }

    #[test]
    fn masking_keeps_only_the_province() {
        assert_eq!(mask("11010519491231002X"), "11****************");
        // Nothing of the birth date, the sequence or the check digit survives the mask.
        let masked = mask("11010519491231002X");
        assert!(!masked.contains("19491231") && !masked.ends_with('X'));
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }

    #[test]
    fn full_width_digits_are_refused_not_sliced() {
        let d = NaiveDate::from_ymd_opt(1992, 2, 4).unwrap();
        assert!(parse("１１０１０１１９９２０２０４７０２５", d).is_err());
        assert!(parse("11010119920204702５", d).is_err());
    }
}
