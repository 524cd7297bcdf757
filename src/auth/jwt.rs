//! Tokens: HS256 with the algorithm fixed, `exp` required, a small leeway.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// What a token was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// From `login`, short-lived.
    Login,
    /// From `fazhan token issue`, for an integration partner's service account.
    Service,
}

/// The claims of a fazhan token. The role and scope are read from the database on every
/// request, so a deactivated user or a changed role takes effect at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub kind: TokenKind,
    /// The user's token generation when the token was issued: a password change or reset, a
    /// deactivation, a role or organization change bumps it and revokes every older token.
    #[serde(default)]
    pub tgen: i64,
}

const ISSUER: &str = "fazhan";
const LEEWAY_SECONDS: u64 = 30;

/// Signing and checking keys.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Tokens whose signature was checked lately.
    verified: std::sync::Arc<VerifiedTokens>,
}

/// Tokens whose signature and claims were checked in the last [`VERIFIED_FOR`], by their text:
/// a client sends the same token with every request, and checking it again (decoding, the
/// HMAC, parsing the claims) was 3 % of a `node` request's time. Expiry is still checked on
/// every use, and revocation never depended on the signature (the token generation is compared
/// with the user's on every request). At most [`VERIFIED_KEPT`] tokens are kept.
struct VerifiedTokens(std::sync::Mutex<lru::LruCache<Box<str>, (Claims, std::time::Instant)>>);

const VERIFIED_FOR: std::time::Duration = std::time::Duration::from_secs(60);
const VERIFIED_KEPT: usize = 4_096;

impl JwtKeys {
    /// Keys from a shared secret.
    pub fn from_secret(secret: &[u8]) -> Self {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            verified: std::sync::Arc::new(VerifiedTokens(std::sync::Mutex::new(
                lru::LruCache::new(std::num::NonZeroUsize::new(VERIFIED_KEPT).expect("non-zero")),
            ))),
        }
    }

    /// Issues a token for `user_id` (at its current token generation) valid for `ttl`.
    pub fn issue(
        &self,
        user_id: i64,
        generation: i64,
        kind: TokenKind,
        ttl: Duration,
    ) -> anyhow::Result<(String, i64)> {
        let now = Utc::now();
        let exp = (now + ttl).timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now.timestamp(),
            exp,
            iss: ISSUER.into(),
            kind,
            tgen: generation,
        };
        Ok((
            encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?,
            exp,
        ))
    }

    /// Checks signature, algorithm, issuer and expiry; returns the claims. A token checked in
    /// the last minute is not checked again, but its expiry is.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        let now = std::time::Instant::now();
        let mut verified = self.verified.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((claims, at)) = verified.get(token)
            && now.duration_since(*at) < VERIFIED_FOR
            && Utc::now().timestamp() <= claims.exp + LEEWAY_SECONDS as i64
        {
            return Ok(claims.clone());
        }
        drop(verified);
        let claims = self.check(token)?;
        self.verified
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .put(token.into(), (claims.clone(), now));
        Ok(claims)
    }

    /// The full check: signature, algorithm, issuer, expiry, and an issue time not in the
    /// future.
    fn check(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.set_issuer(&[ISSUER]);
        let claims = decode::<Claims>(token, &self.decoding, &validation)?.claims;
        // Issued in the future: not a token this service wrote (its clock is the one that
        // signs), so refused like one not yet valid.
        if claims.iat > Utc::now().timestamp() + LEEWAY_SECONDS as i64 {
            return Err(jsonwebtoken::errors::ErrorKind::ImmatureSignature.into());
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_own_key_only() {
        let keys = JwtKeys::from_secret(b"one-secret-one-secret");
        let (token, _) = keys
            .issue(7, 0, TokenKind::Login, Duration::hours(1))
            .unwrap();
        assert_eq!(keys.verify(&token).unwrap().sub, "7");
        let other = JwtKeys::from_secret(b"another-secret-another");
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused_after_the_leeway() {
        let keys = JwtKeys::from_secret(b"one-secret-one-secret");
        let (token, _) = keys
            .issue(7, 0, TokenKind::Login, Duration::seconds(-120))
            .unwrap();
        assert!(keys.verify(&token).is_err());
    }

    #[test]
    fn a_token_issued_in_the_future_is_refused() {
        let keys = JwtKeys::from_secret(b"one-secret-one-secret");
        let now = Utc::now().timestamp();
        let signed = |iat: i64| {
            let claims = Claims {
                sub: "7".into(),
                iat,
                exp: now + 3_600,
                iss: ISSUER.into(),
                kind: TokenKind::Login,
                tgen: 0,
            };
            encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap()
        };
        assert!(keys.verify(&signed(now + 600)).is_err());
        // Within the leeway (clocks of replicas differ a little) it is accepted.
        assert!(keys.verify(&signed(now + 5)).is_ok());
    }

    #[test]
    fn a_remembered_token_is_checked_for_expiry_and_a_changed_one_in_full() {
        let keys = JwtKeys::from_secret(b"one-secret-one-secret");
        let (token, _) = keys
            .issue(7, 0, TokenKind::Login, Duration::hours(1))
            .unwrap();
        assert_eq!(keys.verify(&token).unwrap().sub, "7");
        assert_eq!(keys.verify(&token).unwrap().sub, "7", "from the cache");
        // One character of the signature changed: a different text, checked in full.
        let mut forged = token.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        assert!(keys.verify(&forged).is_err());
        // A remembered token past its expiry is refused although its check is recent.
        let mut claims = keys.verify(&token).unwrap();
        claims.exp = Utc::now().timestamp() - 3_600;
        keys.verified
            .0
            .lock()
            .unwrap()
            .put(token.as_str().into(), (claims, std::time::Instant::now()));
        let (other, _) = keys
            .issue(8, 0, TokenKind::Login, Duration::hours(1))
            .unwrap();
        assert!(keys.verify(&other).is_ok());
        assert!(
            keys.verify(&token).is_ok(),
            "the full check of the real token still passes: it is not expired"
        );
        let expired = {
            let (t, _) = keys
                .issue(9, 0, TokenKind::Login, Duration::seconds(-120))
                .unwrap();
            t
        };
        let mut claims = keys.verify(&other).unwrap();
        claims.exp = Utc::now().timestamp() - 3_600;
        keys.verified
            .0
            .lock()
            .unwrap()
            .put(expired.as_str().into(), (claims, std::time::Instant::now()));
        assert!(keys.verify(&expired).is_err(), "expired, remembered or not");
    }
}
