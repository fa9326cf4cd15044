//! The `links` dataset: every column of the CLI's `link show --json`.

use startlink_core::DatabaseConnection;
use startlink_core::links;

use super::Scope;
use crate::ExportError;
use crate::cell::{Cell, Column, ColumnKind::*, Page};
use crate::labels::Code;

pub(super) const COLUMNS: &[Column] = &[
    Column::new("key", Text, 16.0, ["Kalit", "Ключ", "Key"]),
    Column::new("url", Text, 44.0, ["Havola", "Ссылка", "URL"]),
    Column::new("kind", Text, 10.0, ["Turi", "Тип", "Kind"]),
    Column::new("status", Text, 10.0, ["Holati", "Статус", "Status"]),
    Column::new(
        "product_id",
        Integer,
        12.0,
        ["Mahsulot ID", "ID товара", "Product ID"],
    ),
    Column::new(
        "order_log_id",
        Integer,
        12.0,
        ["Buyurtma ID", "ID заказа", "Order log ID"],
    ),
    Column::new("title", Text, 30.0, ["Sarlavha", "Заголовок", "Title"]),
    Column::new(
        "welcome_text",
        Text,
        40.0,
        ["Salomlashuv matni", "Приветственный текст", "Welcome text"],
    ),
    Column::new(
        "campaign",
        Text,
        20.0,
        ["Kampaniya", "Кампания", "Campaign"],
    ),
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
        "max_uses",
        Integer,
        10.0,
        ["Foydalanish chegarasi", "Лимит использований", "Max uses"],
    ),
    Column::new(
        "use_count",
        Integer,
        10.0,
        ["Foydalanilgan", "Использовано", "Uses"],
    ),
    Column::new(
        "expires_at",
        Time,
        19.0,
        ["Amal qilish muddati", "Истекает", "Expires at"],
    ),
    Column::new(
        "revoked_at",
        Time,
        19.0,
        ["Bekor qilingan vaqt", "Отозвана", "Revoked at"],
    ),
    Column::new(
        "referrer_id",
        Integer,
        12.0,
        ["Taklif qiluvchi ID", "ID пригласившего", "Referrer ID"],
    ),
    Column::new(
        "created_by",
        Integer,
        12.0,
        ["Yaratgan (ID)", "Создатель (ID)", "Created by"],
    ),
    Column::new(
        "created_at",
        Time,
        19.0,
        ["Yaratilgan vaqt", "Создана", "Created at"],
    ),
    Column::new(
        "attrs",
        Text,
        24.0,
        ["Atributlar (JSON)", "Атрибуты (JSON)", "Attributes (JSON)"],
    ),
];

pub(super) async fn page(
    db: &DatabaseConnection,
    scope: &Scope,
    after: Option<i64>,
) -> Result<Page, ExportError> {
    let rows = links::scan(
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
        last_id: rows.last().map(|l| l.id),
    };
    for link in rows {
        let url = link.url(scope.builder.as_ref());
        let status = link.status(scope.now);
        page.cells.extend([
            Cell::Text(link.key.as_str().to_owned()),
            url.into(),
            Code::Kind(link.kind).into(),
            Code::Status(status).into(),
            link.product_id.into(),
            link.order_log_id.into(),
            link.title.into(),
            link.welcome_text.into(),
            link.campaign.into(),
            link.utm_source.into(),
            link.utm_medium.into(),
            link.utm_campaign.into(),
            link.max_uses.into(),
            Cell::Int(link.use_count),
            link.expires_at.into(),
            link.revoked_at.into(),
            link.referrer_id.into(),
            link.created_by.into(),
            Cell::Time(link.created_at),
            Cell::Text(link.attrs.to_string()),
        ]);
    }
    Ok(page)
}
