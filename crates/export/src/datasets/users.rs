//! The `users` dataset: the API's user fields plus the first link's campaign.

use startlink_core::DatabaseConnection;
use startlink_core::users;

use super::Scope;
use crate::ExportError;
use crate::cell::{Cell, Column, ColumnKind::*, Page};

pub(super) const COLUMNS: &[Column] = &[
    Column::new(
        "id",
        Integer,
        14.0,
        ["Telegram ID", "Telegram ID", "Telegram ID"],
    ),
    Column::new(
        "username",
        Text,
        18.0,
        ["Foydalanuvchi nomi", "Имя пользователя", "Username"],
    ),
    Column::new("first_name", Text, 18.0, ["Ism", "Имя", "First name"]),
    Column::new(
        "language_code",
        Text,
        10.0,
        ["Telegram tili", "Язык Telegram", "Telegram language"],
    ),
    Column::new(
        "lang",
        Text,
        10.0,
        ["Tanlangan til", "Выбранный язык", "Chosen language"],
    ),
    Column::new(
        "first_seen_at",
        Time,
        19.0,
        ["Birinchi kirish", "Впервые", "First seen"],
    ),
    Column::new(
        "last_seen_at",
        Time,
        19.0,
        ["Oxirgi kirish", "Последний визит", "Last seen"],
    ),
    Column::new(
        "referred_by",
        Integer,
        14.0,
        ["Taklif qilgan (ID)", "Пригласил (ID)", "Referred by"],
    ),
    Column::new(
        "first_link",
        Text,
        16.0,
        ["Birinchi havola", "Первая ссылка", "First link"],
    ),
    Column::new(
        "first_campaign",
        Text,
        20.0,
        ["Birinchi kampaniya", "Первая кампания", "First campaign"],
    ),
];

pub(super) async fn page(
    db: &DatabaseConnection,
    scope: &Scope,
    after: Option<i64>,
) -> Result<Page, ExportError> {
    let rows = users::scan(
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
        last_id: rows.last().map(|r| r.user.id),
    };
    for row in rows {
        let user = row.user;
        page.cells.extend([
            Cell::Int(user.id),
            user.username.into(),
            user.first_name.into(),
            user.language_code.into(),
            user.lang.into(),
            Cell::Time(user.first_seen_at),
            Cell::Time(user.last_seen_at),
            user.referred_by.into(),
            row.first_link_key.into(),
            row.first_campaign.into(),
        ]);
    }
    Ok(page)
}
