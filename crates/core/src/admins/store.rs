//! SQL for `admins` and `api_tokens`.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, SqlErr,
};

use super::entity::{admin, api_token};
use super::password::{self, Password};
use super::token::{self, ApiToken, Scope, TokenSecret};
use super::{Admin, AdminError, Role, Username};

/// `last_used_at` is refreshed at most this often, so that reading with a token
/// is not a write on every request.
const LAST_USED_GRANULARITY: Duration = Duration::minutes(1);

pub async fn create_admin<C: ConnectionTrait>(
    db: &C,
    username: &Username,
    password: &Password,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Admin, AdminError> {
    let hash = password::hash(password).map_err(|e| AdminError::Hash(e.to_string()))?;
    let row = admin::ActiveModel {
        username: Set(username.as_str().to_owned()),
        password_hash: Set(hash),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
        last_login_at: Set(None),
        disabled_at: Set(None),
        ..Default::default()
    };
    match admin::Entity::insert(row).exec(db).await {
        Ok(_) => {}
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AdminError::Exists(username.to_string()));
        }
        Err(error) => return Err(error.into()),
    }
    find_admin(db, username.as_str())
        .await?
        .ok_or_else(|| AdminError::Corrupt(format!("admin {username} vanished after insert")))
}

/// Creates the first admin when there is none; `None` when one exists already.
pub async fn ensure_first_admin<C: ConnectionTrait>(
    db: &C,
    username: &Username,
    password: &Password,
    now: DateTime<Utc>,
) -> Result<Option<Admin>, AdminError> {
    if count_admins(db).await? > 0 {
        return Ok(None);
    }
    match create_admin(db, username, password, Role::Admin, now).await {
        Ok(admin) => Ok(Some(admin)),
        // Another replica starting at the same moment created it.
        Err(AdminError::Exists(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

pub async fn count_admins<C: ConnectionTrait>(db: &C) -> Result<u64, AdminError> {
    Ok(admin::Entity::find().count(db).await?)
}

pub async fn find_admin<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> Result<Option<Admin>, AdminError> {
    admin::Entity::find()
        .filter(admin::Column::Username.eq(lookup_name(username)))
        .one(db)
        .await?
        .map(Admin::from_model)
        .transpose()
}

/// A typed user name as stored (NFC, trimmed); text that is no user name is
/// looked up as it is and matches nothing.
fn lookup_name(input: &str) -> String {
    Username::parse(input).map_or_else(|_| input.to_owned(), |name| name.as_str().to_owned())
}

pub async fn find_admin_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<Admin>, AdminError> {
    admin::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Admin::from_model)
        .transpose()
}

pub async fn list_admins<C: ConnectionTrait>(db: &C) -> Result<Vec<Admin>, AdminError> {
    admin::Entity::find()
        .order_by_asc(admin::Column::Username)
        .all(db)
        .await?
        .into_iter()
        .map(Admin::from_model)
        .collect()
}

/// The admin whose user name and password these are, with `last_login_at` set
/// to `now`; `None` for a wrong name or password alike. The argon2 check
/// costs tens of milliseconds of CPU on the calling thread; a server should
/// use [`credentials`], [`Credentials::verify`] off its async workers, and
/// [`record_login`].
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Option<Admin>, AdminError> {
    let Some(mut admin) = credentials(db, username).await?.verify(password) else {
        return Ok(None);
    };
    record_login(db, &mut admin, now).await?;
    Ok(Some(admin))
}

/// What is stored for a user name, to check a password against.
#[derive(Clone)]
pub struct Credentials(Option<(admin::Model, String)>);

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(***)")
    }
}

impl Credentials {
    /// The admin, when `password` is right and the admin is not disabled.
    /// An unknown user name is checked against a decoy hash, so both failures
    /// take the same time. CPU-bound.
    pub fn verify(self, password: &str) -> Option<Admin> {
        self.verify_in(password, &mut password::CheckMemory::new())
    }

    /// [`Credentials::verify`] in argon2 memory the caller keeps and reuses
    /// (the web server's password checkers).
    pub fn verify_in(self, password: &str, memory: &mut password::CheckMemory) -> Option<Admin> {
        match self.0 {
            Some((row, hash))
                if password::verify_in(password, &hash, memory) && row.disabled_at.is_none() =>
            {
                Admin::from_model(row).ok()
            }
            Some(_) => None,
            None => {
                let _ = password::verify_in(password, password::decoy_hash(), memory);
                None
            }
        }
    }
}

/// Reads what [`Credentials::verify`] needs for `username`.
pub async fn credentials<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> Result<Credentials, AdminError> {
    let row = admin::Entity::find()
        .filter(admin::Column::Username.eq(lookup_name(username)))
        .one(db)
        .await?;
    Ok(Credentials(row.map(|row| {
        let hash = row.password_hash.clone();
        (row, hash)
    })))
}

/// Sets `last_login_at` to `now`, in the table and on `admin`.
pub async fn record_login<C: ConnectionTrait>(
    db: &C,
    admin: &mut Admin,
    now: DateTime<Utc>,
) -> Result<(), AdminError> {
    admin::Entity::update_many()
        .col_expr(admin::Column::LastLoginAt, Expr::value(now))
        .filter(admin::Column::Id.eq(admin.id))
        .exec(db)
        .await?;
    admin.last_login_at = Some(now);
    Ok(())
}

/// Creates a token; its secret is returned here and never again.
pub async fn create_token<C: ConnectionTrait>(
    db: &C,
    name: &str,
    scopes: &[Scope],
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(ApiToken, TokenSecret), AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(AdminError::TokenName);
    }
    let mut scopes = scopes.to_vec();
    scopes.sort_unstable();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(AdminError::Corrupt(
            "a token needs at least one scope".into(),
        ));
    }
    let secret = TokenSecret::generate();
    let row = api_token::ActiveModel {
        name: Set(name.to_owned()),
        token_hash: Set(token::hash_secret(secret.expose())),
        scopes: Set(token::join_scopes(&scopes)),
        created_by: Set(created_by),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    };
    let inserted = api_token::Entity::insert(row).exec(db).await?;
    let model = api_token::Entity::find_by_id(inserted.last_insert_id)
        .one(db)
        .await?
        .ok_or_else(|| AdminError::Corrupt("new API token vanished after insert".into()))?;
    Ok((ApiToken::from_model(model), secret))
}

/// The live (not revoked) token with this secret. The lookup is by the
/// secret's SHA-256, so timing reveals nothing about the secret itself.
pub async fn authenticate_token<C: ConnectionTrait>(
    db: &C,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<ApiToken>, AdminError> {
    if !secret.starts_with(token::TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some(model) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token::hash_secret(secret)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let stale = model
        .last_used_at
        .is_none_or(|at| at + LAST_USED_GRANULARITY <= now);
    let mut found = ApiToken::from_model(model);
    if stale {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(found.id))
            .exec(db)
            .await?;
        found.last_used_at = Some(now);
    }
    Ok(Some(found))
}

pub async fn list_tokens<C: ConnectionTrait>(db: &C) -> Result<Vec<ApiToken>, AdminError> {
    Ok(api_token::Entity::find()
        .order_by_asc(api_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(ApiToken::from_model)
        .collect())
}

/// Revokes a token; `false` when there is no such live token.
pub async fn revoke_token<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, AdminError> {
    let updated = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}
