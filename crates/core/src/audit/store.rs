//! SQL for `audit_log`: one insert per entry, keyset pages newest first,
//! pruning by age.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entity;
use super::{Actor, ActorKind, AuditError, AuditRecord, Entry};

/// Largest page [`list`] returns.
pub const MAX_PAGE: u64 = 500;

/// Writes one audit row. Call it with the transaction of the write it
/// records when there is one, so both happen or neither.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    entry: Entry,
    at: DateTime<Utc>,
) -> Result<(), AuditError> {
    let (object_kind, object_key) = entry.object.unzip();
    let row = entity::ActiveModel {
        at: Set(crate::time::truncate(at)),
        actor_kind: Set(actor.kind.as_str().to_owned()),
        actor_id: Set(actor.id),
        actor_name: Set(actor.name.clone()),
        action: Set(entry.action.as_str().to_owned()),
        object_kind: Set(object_kind),
        object_key: Set(object_key),
        address: Set(actor.address.clone()),
        detail: Set(entry.detail.map(|d| d.to_string())),
        ..Default::default()
    };
    entity::Entity::insert(row).exec(db).await?;
    Ok(())
}

/// Which rows to list: all filters are optional and combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Rows at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// The actor's name, exactly.
    pub actor: Option<String>,
    /// An action (`link.create`), or an object kind (`link`) for all its actions.
    pub action: Option<String>,
    /// Keyset paging: rows with a smaller id than this (the previous page's
    /// `next_before`).
    pub before: Option<i64>,
    /// Page size, 1 to [`MAX_PAGE`].
    pub limit: u64,
}

/// A page of rows, newest first, and where the next (older) page starts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    pub next_before: Option<i64>,
}

pub async fn list<C: ConnectionTrait>(db: &C, query: &AuditQuery) -> Result<AuditPage, AuditError> {
    if query.limit == 0 || query.limit > MAX_PAGE {
        return Err(AuditError::Invalid(format!("limit: 1 to {MAX_PAGE}")));
    }
    let mut select = entity::Entity::find();
    if let Some(since) = query.since {
        select = select.filter(entity::Column::At.gte(since));
    }
    if let Some(actor) = query
        .actor
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        select = select.filter(entity::Column::ActorName.eq(actor));
    }
    if let Some(action) = query
        .action
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        select = if action.contains('.') {
            select.filter(entity::Column::Action.eq(action))
        } else {
            if !action.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                return Err(AuditError::Invalid(format!(
                    "action: {action:?} is neither an action like link.create nor an object like link"
                )));
            }
            select.filter(entity::Column::Action.starts_with(format!("{action}.")))
        };
    }
    if let Some(before) = query.before {
        select = select.filter(entity::Column::Id.lt(before));
    }
    let rows = select
        .order_by_desc(entity::Column::Id)
        .limit(query.limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > query.limit;
    let entries = rows
        .into_iter()
        .take(usize::try_from(query.limit).unwrap_or(usize::MAX))
        .map(from_model)
        .collect::<Result<Vec<_>, _>>()?;
    let next_before = if more {
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage {
        entries,
        next_before,
    })
}

/// Deletes rows older than `older_than`; how many.
pub async fn prune<C: ConnectionTrait>(
    db: &C,
    older_than: DateTime<Utc>,
) -> Result<u64, AuditError> {
    let deleted = entity::Entity::delete_many()
        .filter(entity::Column::At.lt(older_than))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

fn from_model(m: entity::Model) -> Result<AuditRecord, AuditError> {
    let actor_kind = ActorKind::parse(&m.actor_kind).ok_or_else(|| {
        AuditError::Corrupt(format!(
            "audit row {} has actor kind {:?}",
            m.id, m.actor_kind
        ))
    })?;
    let detail = m
        .detail
        .map(|text| serde_json::from_str(&text))
        .transpose()
        .map_err(|e| AuditError::Corrupt(format!("audit row {} detail: {e}", m.id)))?;
    Ok(AuditRecord {
        id: m.id,
        at: m.at,
        actor_kind,
        actor_id: m.actor_id,
        actor_name: m.actor_name,
        action: m.action,
        object_kind: m.object_kind,
        object_key: m.object_key,
        address: m.address,
        detail,
    })
}
