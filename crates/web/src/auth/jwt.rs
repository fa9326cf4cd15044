//! Access tokens: HS256 JWTs naming an admin, with an expiry.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::JwtSecret;

/// Seconds of clock difference tolerated on `exp`.
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The admin's id.
    pub sub: String,
    /// The admin's user name when the token was issued (for logs only).
    pub name: String,
    pub iat: u64,
    pub exp: u64,
}

pub fn issue(
    secret: &JwtSecret,
    admin_id: i64,
    username: &str,
    now_secs: u64,
    ttl: Duration,
) -> Result<String, jsonwebtoken::errors::Error> {
    let claims = Claims {
        sub: admin_id.to_string(),
        name: username.to_owned(),
        iat: now_secs,
        exp: now_secs + ttl.as_secs(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.expose()),
    )
}

/// The admin id of a valid token. Only HS256 is accepted (so `alg: none` and
/// algorithm confusion fail), the signature is checked in constant time by
/// the HMAC implementation, and `exp` is required.
pub fn verify(secret: &JwtSecret, token: &str) -> Option<i64> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = LEEWAY_SECS;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(secret.expose()),
        &validation,
    )
    .ok()?;
    data.claims.sub.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> JwtSecret {
        JwtSecret::parse(text).unwrap()
    }

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    #[test]
    fn a_token_verifies_with_its_key_only_and_until_it_expires() {
        let key = secret("k3J9pQ2vX8mL4nR7tY1wZ5bC6dF0gH2j");
        let token = issue(&key, 7, "ali", now(), Duration::from_secs(60)).unwrap();
        assert_eq!(verify(&key, &token), Some(7));
        assert_eq!(
            verify(&secret("another-key-of-32-bytes-ABCDEFGH"), &token),
            None
        );
        let old = issue(&key, 7, "ali", now() - 3600, Duration::from_secs(60)).unwrap();
        assert_eq!(verify(&key, &old), None);
        assert_eq!(verify(&key, "not.a.token"), None);
    }
}
