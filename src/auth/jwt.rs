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
}

impl JwtKeys {
    /// Keys from a shared secret.
    pub fn from_secret(secret: &[u8]) -> Self {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
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

    /// Checks signature, algorithm, issuer and expiry; returns the claims.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.set_issuer(&[ISSUER]);
        Ok(decode::<Claims>(token, &self.decoding, &validation)?.claims)
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
}
