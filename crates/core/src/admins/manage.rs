//! Changing admins after creation: a new password, disabling, enabling,
//! deleting. Each is one transaction that also ends the admin's sessions
//! where it should and writes its audit row, so none happens without the
//! other.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};
use serde_json::json;

use super::entity::{admin, api_token};
use super::password::{self, Password};
use super::session::end_sessions_of;
use super::{Admin, AdminError, Role, Username};
use crate::audit::{self, Action, Actor, Entry};

/// Sets a new password and ends every session of the admin.
pub async fn set_password(
    db: &DatabaseConnection,
    username: &Username,
    password: &Password,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Admin, AdminError> {
    let hash = password::hash(password).map_err(|e| AdminError::Hash(e.to_string()))?;
    let txn = db.begin().await?;
    let updated = admin::Entity::update_many()
        .col_expr(admin::Column::PasswordHash, Expr::value(hash))
        .filter(admin::Column::Username.eq(username.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AdminError::NotFound(username.to_string()));
    }
    let admin = find_in(&txn, username).await?;
    let ended = end_sessions_of(&txn, admin.id, now).await?;
    let entry = Entry::new(Action::AdminPassword)
        .object("admin", username)
        .detail(json!({ "sessions_ended": ended }));
    audit::record(&txn, by, entry, now).await?;
    txn.commit().await?;
    Ok(admin)
}

/// Disables an admin: no more logins, and every session ends. The last
/// enabled admin with the `admin` role cannot be disabled.
pub async fn disable_admin(
    db: &DatabaseConnection,
    username: &Username,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Admin, AdminError> {
    let txn = db.begin().await?;
    // The write comes first (SQLite takes its lock here); the check after it
    // sees every other writer's result.
    admin::Entity::update_many()
        .col_expr(admin::Column::DisabledAt, Expr::value(now))
        .filter(admin::Column::Username.eq(username.as_str()))
        .filter(admin::Column::DisabledAt.is_null())
        .exec(&txn)
        .await?;
    let admin = find_in(&txn, username).await?;
    keep_one_admin(&txn, username).await?;
    let ended = end_sessions_of(&txn, admin.id, now).await?;
    let entry = Entry::new(Action::AdminDisable)
        .object("admin", username)
        .detail(json!({ "sessions_ended": ended }));
    audit::record(&txn, by, entry, now).await?;
    txn.commit().await?;
    Ok(admin)
}

/// Lets a disabled admin log in again.
pub async fn enable_admin(
    db: &DatabaseConnection,
    username: &Username,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Admin, AdminError> {
    let txn = db.begin().await?;
    admin::Entity::update_many()
        .col_expr(
            admin::Column::DisabledAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(admin::Column::Username.eq(username.as_str()))
        .exec(&txn)
        .await?;
    let admin = find_in(&txn, username).await?;
    audit::record(
        &txn,
        by,
        Entry::new(Action::AdminEnable).object("admin", username),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(admin)
}

/// Deletes an admin and its sessions. Tokens it created stay, without a
/// creator. The last enabled admin with the `admin` role cannot be deleted.
pub async fn delete_admin(
    db: &DatabaseConnection,
    username: &Username,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<(), AdminError> {
    let txn = db.begin().await?;
    let id_of_name = sea_orm::sea_query::Query::select()
        .column(admin::Column::Id)
        .from(admin::Entity)
        .and_where(admin::Column::Username.eq(username.as_str()))
        .to_owned();
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::CreatedBy,
            Expr::value(Option::<i64>::None),
        )
        .filter(api_token::Column::CreatedBy.in_subquery(id_of_name))
        .exec(&txn)
        .await?;
    let admin = find_in(&txn, username).await?;
    let ended = end_sessions_of(&txn, admin.id, now).await?;
    admin::Entity::delete_by_id(admin.id).exec(&txn).await?;
    keep_one_admin(&txn, username).await?;
    let entry = Entry::new(Action::AdminDelete)
        .object("admin", username)
        .detail(json!({ "id": admin.id, "role": admin.role, "sessions_ended": ended }));
    audit::record(&txn, by, entry, now).await?;
    txn.commit().await?;
    Ok(())
}

async fn find_in(txn: &DatabaseTransaction, username: &Username) -> Result<Admin, AdminError> {
    admin::Entity::find()
        .filter(admin::Column::Username.eq(username.as_str()))
        .one(txn)
        .await?
        .map(Admin::from_model)
        .transpose()?
        .ok_or_else(|| AdminError::NotFound(username.to_string()))
}

/// Refuses a change that leaves no enabled admin with the `admin` role.
async fn keep_one_admin(txn: &DatabaseTransaction, username: &Username) -> Result<(), AdminError> {
    let left = admin::Entity::find()
        .filter(admin::Column::Role.eq(Role::Admin.as_str()))
        .filter(admin::Column::DisabledAt.is_null())
        .count(txn)
        .await?;
    if left == 0 {
        return Err(AdminError::LastAdmin(username.to_string()));
    }
    Ok(())
}
