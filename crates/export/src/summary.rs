//! The `summary` sheet of an `all` workbook: what was exported, and the key
//! figures of what the request selected.
//!
//! The figures come from the analytics module's [`analytics::summary`] under the
//! request's own filters (period, campaign, creator, kind, status, search), so they
//! describe the rows of the sheets, not the whole database.

use startlink_core::DatabaseConnection;
use startlink_core::analytics::{self, CampaignRef, Summary};
use startlink_core::events::Outcome;

use crate::cell::Cell;
use crate::datasets::Scope;
use crate::labels::outcome_words;
use crate::{ExportError, ExportRequest, SheetSummary};

/// One row of the summary sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figure {
    pub label: String,
    pub value: Cell,
}

pub(crate) const HEADER: [[&str; 3]; 2] = [
    ["Koʻrsatkich", "Показатель", "Metric"],
    ["Qiymat", "Значение", "Value"],
];

/// The key figures under the request's filters, link statuses at its `now`.
/// The campaign is the one the sheets were read for (`scope`'s, looked up once).
pub(crate) async fn selected_counts(
    db: &DatabaseConnection,
    request: &ExportRequest,
    scope: &Scope,
) -> Result<Summary, ExportError> {
    Ok(analytics::summary(db, &analytics_filter(request, scope), scope.now).await?)
}

fn analytics_filter(request: &ExportRequest, scope: &Scope) -> analytics::Filter {
    let mut filter = request.filter.clone();
    filter.links.campaign = scope.selection.campaign_id.map(CampaignRef::Id);
    filter
}

/// The summary rows, in order.
pub(crate) fn figures(
    request: &ExportRequest,
    counts: &Summary,
    sheets: &[SheetSummary],
) -> Vec<Figure> {
    let lang = request.lang;
    let mut rows = Vec::new();
    let mut push = |label: String, value: Cell| rows.push(Figure { label, value });
    let text = |words: [&str; 3]| lang.pick(words).to_owned();
    let filter = &request.filter;

    push(
        text(["Yaratilgan vaqt", "Сформирован", "Generated at"]),
        Cell::Time(request.now),
    );
    push(
        text(["Vaqt mintaqasi", "Часовой пояс", "Time zone"]),
        Cell::Text(request.timezone.name().to_owned()),
    );
    push(
        text(["Davr boshi", "Начало периода", "From"]),
        filter.from.into(),
    );
    push(
        text([
            "Davr oxiri (kirmaydi)",
            "Конец периода (не включая)",
            "To (exclusive)",
        ]),
        filter.to.into(),
    );
    let links = &filter.links;
    let mut filters = Vec::new();
    if let Some(campaign) = &links.campaign {
        filters.push(format!("campaign={campaign}"));
    }
    if let Some(creator) = links.creator {
        filters.push(format!("creator={creator}"));
    }
    if let Some(kind) = links.kind {
        filters.push(format!("kind={kind}"));
    }
    if let Some(status) = links.status {
        filters.push(format!("status={status}"));
    }
    if let Some(search) = &links.search {
        filters.push(format!("search={search}"));
    }
    push(
        text(["Filtrlar", "Фильтры", "Filters"]),
        if filters.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(filters.join("; "))
        },
    );
    for sheet in sheets {
        push(
            format!(
                "{}: {}",
                lang.pick(["Qatorlar", "Строк", "Rows"]),
                sheet.name
            ),
            Cell::Int(i64::try_from(sheet.rows).unwrap_or(i64::MAX)),
        );
    }
    push(
        text(["Koʻrsatkichlar", "Показатели", "Figures"]),
        Cell::Text(text([
            "tanlangan davr va filtrlar boʻyicha",
            "за выбранный период, с фильтрами",
            "for the selected period and filters",
        ])),
    );
    for (label, value) in [
        (
            ["Yaratilgan havolalar", "Создано ссылок", "Links created"],
            counts.links_created,
        ),
        (
            ["Faol havolalar", "Активные ссылки", "Active links"],
            counts.links_active,
        ),
        (
            [
                "Ishlatilgan havolalar",
                "Использованные ссылки",
                "Used links",
            ],
            counts.links_used,
        ),
        (
            [
                "Muddati oʻtgan havolalar",
                "Истёкшие ссылки",
                "Expired links",
            ],
            counts.links_expired,
        ),
        (
            [
                "Bekor qilingan havolalar",
                "Отозванные ссылки",
                "Revoked links",
            ],
            counts.links_revoked,
        ),
        (
            ["Ochilishlar jami", "Всего открытий", "Opens, total"],
            counts.opens,
        ),
    ] {
        push(text(label), Cell::Int(value));
    }
    let opens_word = lang.pick(["Ochilishlar", "Открытия", "Opens"]);
    for outcome in Outcome::ALL {
        push(
            format!("{opens_word}: {}", lang.pick(outcome_words(outcome))),
            Cell::Int(counts.opens_by_outcome.get(outcome)),
        );
    }
    for (label, value) in [
        (
            [
                "Ochgan foydalanuvchilar",
                "Уникальные пользователи",
                "Unique openers",
            ],
            counts.unique_openers,
        ),
        (
            ["Yangi foydalanuvchilar", "Новые пользователи", "New users"],
            counts.new_users,
        ),
        (
            [
                "Qaytgan foydalanuvchilar",
                "Вернувшиеся пользователи",
                "Returning users",
            ],
            counts.returning_users,
        ),
    ] {
        push(text(label), Cell::Int(value));
    }
    push(
        text([
            "Konversiya (olingan / ochilgan)",
            "Конверсия (засчитано / переходы)",
            "Conversion (taken / opens)",
        ]),
        counts.redemption_rate.into(),
    );
    rows
}
