//! The `events` dataset: the API's event fields, one row per open.

use startlink_core::DatabaseConnection;
use startlink_core::events;

use super::Scope;
use crate::ExportError;
use crate::cell::{Cell, Column, ColumnKind::*, Page};
use crate::labels::Code;

pub(super) const COLUMNS: &[Column] = &[
    Column::new("id", Integer, 10.0, ["ID", "ID", "ID"]),
    Column::new(
        "link_key",
        Text,
        16.0,
        ["Havola kaliti", "Ключ ссылки", "Link key"],
    ),
    Column::new(
        "tg_user_id",
        Integer,
        14.0,
        ["Telegram ID", "Telegram ID", "Telegram ID"],
    ),
    Column::new("outcome", Text, 14.0, ["Natija", "Результат", "Outcome"]),
    Column::new(
        "payload",
        Text,
        20.0,
        ["Start parametri", "Параметр start", "Start payload"],
    ),
    Column::new(
        "new_user",
        Bool,
        10.0,
        ["Yangi foydalanuvchi", "Новый пользователь", "New user"],
    ),
    Column::new("at", Time, 19.0, ["Vaqt", "Время", "At"]),
];

pub(super) async fn page(
    db: &DatabaseConnection,
    scope: &Scope,
    after: Option<i64>,
) -> Result<Page, ExportError> {
    let rows = events::scan(
        db,
        &scope.selection,
        scope.period,
        scope.now,
        after,
        scope.page_size,
    )
    .await?;
    let mut page = Page {
        cells: Vec::with_capacity(rows.len() * COLUMNS.len()),
        last_id: rows.last().map(|r| r.event.id),
    };
    for row in rows {
        let event = row.event;
        page.cells.extend([
            Cell::Int(event.id),
            row.link_key.into(),
            Cell::Int(event.tg_user_id),
            Code::Outcome(event.outcome).into(),
            event.payload.into(),
            Cell::Bool(event.new_user),
            Cell::Time(event.at),
        ]);
    }
    Ok(page)
}
