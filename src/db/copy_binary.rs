//! Rows in PostgreSQL's binary `COPY` format (`COPY … FROM STDIN (FORMAT binary)`), for file
//! imports.
//!
//! In the text format the server parses every field from its text (dates, timestamps, numbers
//! and booleans through their input functions): that was a quarter of the PostgreSQL backend's
//! time in a 100,000-row import. In the binary format each field is its value's wire form, the
//! same bytes a prepared statement's binary parameter carries, and the server only checks the
//! text fields' encoding.
//!
//! The format (PostgreSQL documentation, "COPY", "Binary Format"): an 11-byte signature, a
//! 32-bit flags field and a 32-bit header-extension length; then per row a 16-bit field count
//! and per field a 32-bit length (−1 for NULL) followed by that many bytes; then −1 as a 16-bit
//! trailer. Integers are big-endian; a `date` is the days since 2000-01-01 (32 bits), a
//! `timestamptz` the microseconds since 2000-01-01 00:00 UTC (64 bits), a `boolean` one byte.
//! The writer does not know the table: the caller writes the fields in the order of the
//! statement's column list, each with the width of its column's type (`int2`, `int4`, `int8`).

use chrono::{DateTime, NaiveDate, Utc};

/// The format's signature, flags (none) and header-extension length (none).
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// Bytes gathered before they are sent: the data goes to the server in pieces of about this
/// size while the rows are written, so a batch's rows are never all encoded in memory at once.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// One `COPY` statement's data in the binary format, gathered piece by piece: write rows, send
/// [`BinaryRows::bytes`] and [`BinaryRows::clear`] whenever [`BinaryRows::is_full`], and
/// [`BinaryRows::end`] before sending the last piece.
pub struct BinaryRows {
    buf: Vec<u8>,
}

/// PostgreSQL's epoch for dates and timestamps.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date")
}

impl Default for BinaryRows {
    fn default() -> Self {
        Self::new()
    }
}

impl BinaryRows {
    /// The start of a data stream (its header written).
    pub fn new() -> Self {
        let mut buf = Vec::with_capacity(CHUNK_BYTES + 4096);
        buf.extend_from_slice(HEADER);
        BinaryRows { buf }
    }

    /// Whether the gathered bytes should be sent now.
    pub fn is_full(&self) -> bool {
        self.buf.len() >= CHUNK_BYTES
    }

    /// The bytes gathered since the last [`BinaryRows::clear`].
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Forgets the gathered bytes (once sent), keeping the room.
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// Writes the trailer: no rows may follow.
    pub fn end(&mut self) {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
    }

    /// Starts a row of `fields` fields.
    pub fn row(&mut self, fields: i16) -> &mut Self {
        self.buf.extend_from_slice(&fields.to_be_bytes());
        self
    }

    fn field(&mut self, bytes: &[u8]) -> &mut Self {
        let len = i32::try_from(bytes.len()).expect("a field under 2 GiB");
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(bytes);
        self
    }

    /// A NULL field.
    pub fn null(&mut self) -> &mut Self {
        self.buf.extend_from_slice(&(-1i32).to_be_bytes());
        self
    }

    /// An `int8` (`bigint`) field.
    pub fn int8(&mut self, v: i64) -> &mut Self {
        self.field(&v.to_be_bytes())
    }

    /// An `int4` (`integer`) field.
    pub fn int4(&mut self, v: i32) -> &mut Self {
        self.field(&v.to_be_bytes())
    }

    /// An `int2` (`smallint`) field.
    pub fn int2(&mut self, v: i16) -> &mut Self {
        self.field(&v.to_be_bytes())
    }

    /// A `boolean` field.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.field(&[u8::from(v)])
    }

    /// A `text` or `varchar` field (UTF-8, as the databases are created).
    pub fn text(&mut self, v: &str) -> &mut Self {
        self.field(v.as_bytes())
    }

    /// A `date` field.
    pub fn date(&mut self, v: NaiveDate) -> &mut Self {
        let days = (v - epoch()).num_days() as i32;
        self.field(&days.to_be_bytes())
    }

    /// A `timestamptz` field.
    pub fn timestamptz(&mut self, v: DateTime<Utc>) -> &mut Self {
        let start = epoch().and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        let micros = (v - start).num_microseconds().unwrap_or(i64::MAX);
        self.field(&micros.to_be_bytes())
    }

    /// An `int8` field, or NULL.
    pub fn opt_int8(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int8(v),
            None => self.null(),
        }
    }

    /// A text field, or NULL.
    pub fn opt_text(&mut self, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    /// A `date` field, or NULL.
    pub fn opt_date(&mut self, v: Option<NaiveDate>) -> &mut Self {
        match v {
            Some(v) => self.date(v),
            None => self.null(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(mut rows: BinaryRows) -> Vec<u8> {
        rows.end();
        let all = rows.bytes().to_vec();
        assert_eq!(&all[..HEADER.len()], HEADER);
        assert_eq!(&all[all.len() - 2..], &[0xff, 0xff]);
        all[HEADER.len()..all.len() - 2].to_vec()
    }

    #[test]
    fn the_stream_has_the_signature_and_the_trailer() {
        assert_eq!(HEADER.len(), 19);
        assert_eq!(&HEADER[..11], b"PGCOPY\n\xff\r\n\0");
        assert!(body(BinaryRows::new()).is_empty());
    }

    #[test]
    fn pieces_after_the_first_carry_no_header() {
        let mut rows = BinaryRows::new();
        while !rows.is_full() {
            rows.row(1).text("x");
        }
        assert!(rows.bytes().starts_with(HEADER));
        rows.clear();
        rows.row(1).int2(7);
        rows.end();
        assert_eq!(rows.bytes(), [0, 1, 0, 0, 0, 2, 0, 7, 0xff, 0xff]);
    }

    #[test]
    fn fields_are_length_prefixed_big_endian_values() {
        let mut rows = BinaryRows::new();
        rows.row(5).int8(1).int4(-2).int2(3).bool(true).null();
        assert_eq!(
            body(rows),
            [
                vec![0, 5],
                vec![0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1],
                vec![0, 0, 0, 4, 0xff, 0xff, 0xff, 0xfe],
                vec![0, 0, 0, 2, 0, 3],
                vec![0, 0, 0, 1, 1],
                vec![0xff, 0xff, 0xff, 0xff],
            ]
            .concat()
        );
    }

    #[test]
    fn text_is_its_utf8_bytes_unescaped() {
        let mut rows = BinaryRows::new();
        rows.row(1).text("张\t三");
        let mut expected = vec![0, 1, 0, 0, 0, 7];
        expected.extend_from_slice("张\t三".as_bytes());
        assert_eq!(body(rows), expected);
    }

    #[test]
    fn dates_and_timestamps_count_from_2000() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mut rows = BinaryRows::new();
        rows.row(3)
            .date(day(2000, 1, 2))
            .date(day(1999, 12, 31))
            .timestamptz(day(2000, 1, 1).and_hms_opt(0, 0, 1).unwrap().and_utc());
        assert_eq!(
            body(rows),
            [
                vec![0, 3],
                vec![0, 0, 0, 4, 0, 0, 0, 1],
                vec![0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff],
                vec![0, 0, 0, 8],
                1_000_000i64.to_be_bytes().to_vec(),
            ]
            .concat()
        );
    }
}
