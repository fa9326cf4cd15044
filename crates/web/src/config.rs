//! The web server's settings: the JWT secret, allowed CORS origins, and the
//! first admin from `ADMIN_USER` / `ADMIN_PASS`.

use std::fmt;
use std::time::Duration;

use axum::http::HeaderValue;
use startlink_core::admins::{Password, PasswordError, Username, UsernameError};

/// Shortest `JWT_SECRET` accepted: HS256's key should be at least its output size.
pub const MIN_JWT_SECRET_BYTES: usize = 32;
/// How long a login's access token is valid.
pub const ACCESS_TOKEN_TTL: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebConfigError {
    #[error(
        "JWT_SECRET is not set: give at least {MIN_JWT_SECRET_BYTES} random bytes (e.g. `openssl rand -base64 48`), or run with --sandbox"
    )]
    MissingJwtSecret,
    #[error(
        "JWT_SECRET is too weak or looks like a placeholder: give at least {MIN_JWT_SECRET_BYTES} random bytes (e.g. `openssl rand -base64 48`)"
    )]
    WeakJwtSecret,
    #[error(
        "CORS_ORIGINS: {0:?} is not an origin like https://shop.example (scheme and host, no path)"
    )]
    CorsOrigin(String),
    #[error("COOKIE_SECURE must be true or false, not {0:?}")]
    CookieSecure(String),
    #[error("ADMIN_USER and ADMIN_PASS go together: set both or neither")]
    AdminPair,
    #[error("ADMIN_USER: {0}")]
    AdminUser(#[from] UsernameError),
    #[error("ADMIN_PASS is refused: {0}")]
    AdminPass(#[from] PasswordError),
}

/// The HMAC key for access tokens. Never shown in `Debug`.
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    pub fn parse(input: &str) -> Result<Self, WebConfigError> {
        let bytes = input.trim().as_bytes();
        let distinct = bytes
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        if bytes.len() < MIN_JWT_SECRET_BYTES
            || distinct < 8
            || startlink_core::admins::secret_is_guessable(input.trim())
        {
            return Err(WebConfigError::WeakJwtSecret);
        }
        Ok(Self(bytes.to_vec()))
    }

    /// A random secret for one run (sandbox): tokens die with the process.
    pub fn generate() -> Self {
        Self(Password::generate().expose().repeat(3).into_bytes())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtSecret(***)")
    }
}

/// The admin `ADMIN_USER` / `ADMIN_PASS` ask for.
#[derive(Debug, Clone)]
pub struct FirstAdmin {
    pub username: Username,
    pub password: Password,
}

/// Settings as read from the environment or flags, before the rules.
#[derive(Debug, Clone, Default)]
pub struct RawWebSettings {
    pub jwt_secret: Option<String>,
    pub cors_origins: Option<String>,
    pub admin_user: Option<String>,
    pub admin_pass: Option<String>,
    pub cookie_secure: Option<String>,
}

/// Checked web settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub jwt_secret: JwtSecret,
    /// Origins allowed by CORS; empty: cross-origin requests get no CORS headers.
    pub cors_origins: Vec<HeaderValue>,
    pub access_token_ttl: Duration,
    pub first_admin: Option<FirstAdmin>,
    /// Mark the session and CSRF cookies `Secure` (the panel is behind HTTPS).
    pub cookie_secure: bool,
    /// Sandbox mode: a generated JWT secret, and a first admin with a random
    /// password when there is none.
    pub sandbox: bool,
}

impl RawWebSettings {
    /// Applies the rules. With `sandbox`, a missing JWT secret is generated.
    pub fn parse(&self, sandbox: bool) -> Result<WebConfig, WebConfigError> {
        let jwt_secret = match (given(&self.jwt_secret), sandbox) {
            (Some(secret), _) => JwtSecret::parse(secret)?,
            (None, true) => JwtSecret::generate(),
            (None, false) => return Err(WebConfigError::MissingJwtSecret),
        };
        let cors_origins = given(&self.cors_origins)
            .map(parse_origins)
            .transpose()?
            .unwrap_or_default();
        let first_admin = match (given(&self.admin_user), self.admin_pass.as_deref()) {
            (Some(user), Some(pass)) if !pass.is_empty() => {
                let username = Username::parse(user)?;
                let password = Password::parse(pass, &username)?;
                Some(FirstAdmin { username, password })
            }
            (None, None) => None,
            (None, Some("")) => None,
            _ => return Err(WebConfigError::AdminPair),
        };
        let cookie_secure = match given(&self.cookie_secure).map(str::to_ascii_lowercase) {
            None => false,
            Some(v) if ["true", "1", "yes", "on"].contains(&v.as_str()) => true,
            Some(v) if ["false", "0", "no", "off"].contains(&v.as_str()) => false,
            Some(v) => return Err(WebConfigError::CookieSecure(v)),
        };
        Ok(WebConfig {
            jwt_secret,
            cors_origins,
            access_token_ttl: ACCESS_TOKEN_TTL,
            first_admin,
            cookie_secure,
            sandbox,
        })
    }
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_origins(input: &str) -> Result<Vec<HeaderValue>, WebConfigError> {
    input
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let bad = || WebConfigError::CorsOrigin(origin.to_owned());
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .ok_or_else(bad)?;
            if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '*']) {
                return Err(bad());
            }
            HeaderValue::from_str(origin).map_err(|_| bad())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(secret: Option<&str>) -> RawWebSettings {
        RawWebSettings {
            jwt_secret: secret.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn a_missing_or_weak_jwt_secret_is_refused_outside_the_sandbox() {
        assert_eq!(
            raw(None).parse(false).unwrap_err(),
            WebConfigError::MissingJwtSecret
        );
        assert_eq!(
            raw(Some("  ")).parse(false).unwrap_err(),
            WebConfigError::MissingJwtSecret
        );
        for weak in [
            "short-secret",
            &"a".repeat(64),
            "abababababababababababababababab",
            "your-256-bit-secret-change-me-please-now",
            "0123456789abcdef0123456789abcdef0123456789",
        ] {
            assert_eq!(
                raw(Some(weak)).parse(false).unwrap_err(),
                WebConfigError::WeakJwtSecret,
                "{weak}"
            );
        }
        let good = "k3J9pQ2vX8mL4nR7tY1wZ5bC6dF0gH2j";
        assert_eq!(
            raw(Some(good)).parse(false).unwrap().jwt_secret.expose(),
            good.as_bytes()
        );
        let generated = raw(None).parse(true).unwrap();
        assert!(generated.jwt_secret.expose().len() >= MIN_JWT_SECRET_BYTES);
        assert_eq!(format!("{:?}", generated.jwt_secret), "JwtSecret(***)");
    }

    #[test]
    fn cors_origins_must_be_bare_origins() {
        let mut settings = raw(Some("k3J9pQ2vX8mL4nR7tY1wZ5bC6dF0gH2j"));
        settings.cors_origins = Some("https://shop.example, http://localhost:3000".into());
        assert_eq!(settings.parse(false).unwrap().cors_origins.len(), 2);
        for bad in ["*", "shop.example", "https://shop.example/path", "https://"] {
            settings.cors_origins = Some(bad.into());
            assert!(
                matches!(settings.parse(false), Err(WebConfigError::CorsOrigin(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn cookie_secure_is_a_boolean_and_off_by_default() {
        let mut settings = raw(Some("k3J9pQ2vX8mL4nR7tY1wZ5bC6dF0gH2j"));
        assert!(!settings.parse(false).unwrap().cookie_secure);
        settings.cookie_secure = Some(" TRUE ".into());
        assert!(settings.parse(false).unwrap().cookie_secure);
        settings.cookie_secure = Some("0".into());
        assert!(!settings.parse(false).unwrap().cookie_secure);
        settings.cookie_secure = Some("maybe".into());
        assert_eq!(
            settings.parse(false).unwrap_err(),
            WebConfigError::CookieSecure("maybe".into())
        );
    }

    #[test]
    fn the_first_admin_needs_both_variables_and_a_strong_password() {
        let mut settings = raw(Some("k3J9pQ2vX8mL4nR7tY1wZ5bC6dF0gH2j"));
        settings.admin_user = Some("admin".into());
        assert_eq!(
            settings.parse(false).unwrap_err(),
            WebConfigError::AdminPair
        );
        settings.admin_pass = Some("admin123".into());
        assert!(matches!(
            settings.parse(false),
            Err(WebConfigError::AdminPass(_))
        ));
        settings.admin_pass = Some("a much better one".into());
        let first = settings.parse(false).unwrap().first_admin.unwrap();
        assert_eq!(first.username.as_str(), "admin");
    }
}
