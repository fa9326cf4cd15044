//! The `campaigns` dataset: the API's campaign fields and what their links did.

use startlink_core::DatabaseConnection;
use startlink_core::campaigns;

use super::Scope;
use crate::ExportError;
use crate::cell::{Cell, Column, ColumnKind::*, Page};

pub(super) const COLUMNS: &[Column] = &[
    Column::new("id", Integer, 8.0, ["ID", "ID", "ID"]),
    Column::new("name", Text, 24.0, ["Nomi", "Название", "Name"]),
    Column::new(
        "utm_source",
        Text,
        14.0,
        ["UTM manbasi", "UTM-источник", "UTM source"],
    ),
    Column::new(
        "utm_medium",
        Text,
        14.0,
        ["UTM kanali", "UTM-канал", "UTM medium"],
    ),
    Column::new(
        "utm_campaign",
        Text,
        14.0,
        ["UTM kampaniyasi", "UTM-кампания", "UTM campaign"],
    ),
    Column::new(
        "created_at",
        Time,
        19.0,
        ["Yaratilgan vaqt", "Создана", "Created at"],
    ),
    Column::new("links", Integer, 10.0, ["Havolalar", "Ссылки", "Links"]),
    Column::new("opens", Integer, 10.0, ["Ochilishlar", "Открытия", "Opens"]),
    Column::new(
        "new_users",
        Integer,
        12.0,
        ["Yangi foydalanuvchilar", "Новые пользователи", "New users"],
    ),
];

pub(super) async fn page(
    db: &DatabaseConnection,
    scope: &Scope,
    after: Option<i64>,
) -> Result<Page, ExportError> {
    let rows = campaigns::scan(db, scope.selection.campaign_id, after, scope.page_size).await?;
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let activity = campaigns::activity(db, &ids, &scope.selection, scope.period, scope.now).await?;
    let mut page = Page {
        cells: Vec::with_capacity(rows.len() * COLUMNS.len()),
        last_id: ids.last().copied(),
    };
    for campaign in rows {
        let counts = activity.get(&campaign.id).copied().unwrap_or_default();
        page.cells.extend([
            Cell::Int(campaign.id),
            Cell::Text(campaign.name),
            campaign.utm_source.into(),
            campaign.utm_medium.into(),
            campaign.utm_campaign.into(),
            Cell::Time(campaign.created_at),
            Cell::Int(counts.links),
            Cell::Int(counts.opens),
            Cell::Int(counts.new_users),
        ]);
    }
    Ok(page)
}
