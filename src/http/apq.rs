//! Automatic persisted queries (Apollo's protocol): a request may send only the SHA-256 of its
//! document in `extensions.persistedQuery`; an unknown hash is answered
//! `PERSISTED_QUERY_NOT_FOUND`, the client retries with the document and the hash, and later
//! requests (GET too, so a proxy can cache them) send the hash alone. Documents are kept per
//! instance (an instance that does not know a hash asks for the document again).

use sha2::{Digest, Sha256};
use std::num::NonZeroUsize;
use std::sync::Mutex;

/// Why a persisted-query request cannot run as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The hash is not known here: send the document with it.
    NotFound,
    /// A version other than 1.
    NotSupported,
    /// The document does not have the hash it was sent with.
    Mismatch,
}

impl Refusal {
    /// The `extensions.code` and message Apollo's link looks for.
    pub fn code_and_message(self) -> (&'static str, &'static str) {
        match self {
            Refusal::NotFound => ("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound"),
            Refusal::NotSupported => (
                "PERSISTED_QUERY_NOT_SUPPORTED",
                "PersistedQueryNotSupported",
            ),
            Refusal::Mismatch => (
                "BAD_USER_INPUT",
                "文档与其哈希不符 / provided sha does not match query",
            ),
        }
    }
}

/// Documents by their SHA-256 (hex), at most `capacity`, least recently used dropped first.
pub struct PersistedQueries {
    documents: Mutex<lru::LruCache<String, String>>,
}

/// The largest document kept (larger ones run but are not persisted): with the store's size,
/// at most 16 MiB of documents per instance.
const MAX_DOCUMENT_BYTES: usize = 16 * 1024;

impl PersistedQueries {
    /// A store of at most `capacity` documents.
    pub fn new(capacity: usize) -> Self {
        PersistedQueries {
            documents: Mutex::new(lru::LruCache::new(
                NonZeroUsize::new(capacity.max(1)).expect("non-zero"),
            )),
        }
    }

    /// Fills in the document of a hash-only request, or keeps a new document under its hash.
    /// Requests without `persistedQuery` pass unchanged.
    pub fn resolve(&self, request: &mut async_graphql::Request) -> Result<(), Refusal> {
        use async_graphql::Value;
        let Some(Value::Object(pq)) = request.extensions.get("persistedQuery") else {
            return Ok(());
        };
        if !matches!(pq.get("version"), Some(Value::Number(n)) if n.as_i64() == Some(1)) {
            return Err(Refusal::NotSupported);
        }
        let Some(Value::String(hash)) = pq.get("sha256Hash") else {
            return Err(Refusal::NotSupported);
        };
        let hash = hash.to_ascii_lowercase();
        let mut documents = self.documents.lock().unwrap_or_else(|e| e.into_inner());
        if request.query.trim().is_empty() {
            let document = documents.get(&hash).ok_or(Refusal::NotFound)?;
            request.query = document.clone();
            return Ok(());
        }
        if sha256_hex(&request.query) != hash {
            return Err(Refusal::Mismatch);
        }
        // Only documents that parse are kept (a broken one is answered, not remembered).
        if request.query.len() <= MAX_DOCUMENT_BYTES
            && async_graphql::parser::parse_query(&request.query).is_ok()
        {
            documents.put(hash, request.query.clone());
        }
        Ok(())
    }
}

/// The lowercase hex SHA-256 of a document, as clients compute it.
pub fn sha256_hex(document: &str) -> String {
    format!("{:x}", Sha256::digest(document.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_hash(query: &str, hash: &str) -> async_graphql::Request {
        let mut r = async_graphql::Request::new(query);
        r.extensions.insert(
            "persistedQuery".into(),
            async_graphql::Value::from_json(
                serde_json::json!({ "version": 1, "sha256Hash": hash }),
            )
            .unwrap(),
        );
        r
    }

    #[test]
    fn the_protocol_sequence() {
        let store = PersistedQueries::new(10);
        let doc = "{ me { username } }";
        let hash = sha256_hex(doc);
        assert_eq!(
            store.resolve(&mut with_hash("", &hash)),
            Err(Refusal::NotFound)
        );
        assert_eq!(store.resolve(&mut with_hash(doc, &hash)), Ok(()));
        let mut hash_only = with_hash("", &hash);
        assert_eq!(store.resolve(&mut hash_only), Ok(()));
        assert_eq!(hash_only.query, doc);
        assert_eq!(
            store.resolve(&mut with_hash("{ x }", &hash)),
            Err(Refusal::Mismatch)
        );
        let mut plain = async_graphql::Request::new(doc);
        assert_eq!(store.resolve(&mut plain), Ok(()));
    }
}
