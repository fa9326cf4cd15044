//! Access tokens: HS256 JWTs naming an admin and a server-side session
//! (`sid`), with an expiry. The signature proves who issued the token; the
//! session row decides whether it still counts.

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
    /// The `admin_sessions` row this token belongs to.
    pub sid: String,
    pub iat: u64,
    pub exp: u64,
}

/// What a valid token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub admin_id: i64,
    pub session_id: String,
}

pub fn issue(
    secret: &JwtSecret,
    admin_id: i64,
    username: &str,
    session_id: &str,
    now_secs: u64,
    ttl: Duration,
) -> Result<String, jsonwebtoken::errors::Error> {
    let claims = Claims {
        sub: admin_id.to_string(),
        name: username.to_owned(),
        sid: session_id.to_owned(),
        iat: now_secs,
        exp: now_secs + ttl.as_secs(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.expose()),
    )
}

/// The admin and session of a valid token. Only HS256 is accepted (so `alg:
/// none` and algorithm confusion fail), the signature is checked in constant
/// time by the HMAC implementation, and `exp`, `sub` and `sid` are required
/// (tokens issued before sessions existed have no `sid` and fail).
pub fn verify(secret: &JwtSecret, token: &str) -> Option<Verified> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = LEEWAY_SECS;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(secret.expose()),
        &validation,
    )
    .ok()?;
    Some(Verified {
        admin_id: data.claims.sub.parse().ok()?,
        session_id: data.claims.sid,
    })
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
        let token = issue(&key, 7, "ali", "s1", now(), Duration::from_secs(60)).unwrap();
        assert_eq!(
            verify(&key, &token),
            Some(Verified {
                admin_id: 7,
                session_id: "s1".into()
            })
        );
        assert_eq!(
            verify(
                &secret("R-5LIzFK6w1bP3363w-woT3XMEm7VwaTrr1W5XjtiWtA1X8k"),
                &token
            ),
            None
        );
        let old = issue(&key, 7, "ali", "s1", now() - 3600, Duration::from_secs(60)).unwrap();
        assert_eq!(verify(&key, &old), None);
        assert_eq!(verify(&key, "not.a.token"), None);
    }

    #[test]
    fn a_token_without_a_session_is_refused() {
        #[derive(Serialize)]
        struct Old {
            sub: String,
            name: String,
            iat: u64,
            exp: u64,
        }
        let key = secret("k3J9pQ2vX8mL4nR7tY1wZ5bC6dF0gH2j");
        let old = Old {
            sub: "7".into(),
            name: "ali".into(),
            iat: now(),
            exp: now() + 60,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &old,
            &EncodingKey::from_secret(key.expose()),
        )
        .unwrap();
        assert_eq!(verify(&key, &token), None);
    }
}
