//! The `links` dataset: the fields of [`LinkView`], which the CLI's and the
//! API's JSON show, as columns in the same order.

use startlink_core::DatabaseConnection;
use startlink_core::links::{self, LinkView};

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
        // Exhaustive on purpose: a field added to the view must become a column.
        let LinkView {
            key,
            url,
            kind,
            status,
            product_id,
            order_log_id,
            title,
            welcome_text,
            campaign,
            utm_source,
            utm_medium,
            utm_campaign,
            max_uses,
            use_count,
            expires_at,
            revoked_at,
            referrer_id,
            created_by,
            created_at,
            attrs,
        } = link.view(scope.builder.as_ref(), scope.now);
        page.cells.extend([
            Cell::Text(key.as_str().to_owned()),
            url.into(),
            Code::Kind(kind).into(),
            Code::Status(status).into(),
            product_id.into(),
            order_log_id.into(),
            title.into(),
            welcome_text.into(),
            campaign.into(),
            utm_source.into(),
            utm_medium.into(),
            utm_campaign.into(),
            max_uses.into(),
            Cell::Int(use_count),
            expires_at.into(),
            revoked_at.into(),
            referrer_id.into(),
            created_by.into(),
            Cell::Time(created_at),
            Cell::Text(attrs.to_string()),
        ]);
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_are_the_link_views_fields_in_order() {
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(names, LinkView::FIELDS);
    }
}
