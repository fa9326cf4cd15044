//! The `summary` sheet of an `all` workbook: what was exported, and the
//! headline counts.
//!
//! The counts come from one function, [`headline_counts`]: the analytics
//! module's link counts by status and the events' counts by outcome, over the
//! whole database.

use startlink_core::DatabaseConnection;
use startlink_core::analytics::{self, LinkStats, StatsScope};
use startlink_core::events::{self, Outcome};

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

/// The headline counts: over the whole database, filters aside.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HeadlineCounts {
    pub links: LinkStats,
    pub opens_by_outcome: Vec<(Outcome, i64)>,
}

pub(crate) async fn headline_counts(
    db: &DatabaseConnection,
    scope: &Scope,
) -> Result<HeadlineCounts, ExportError> {
    let (links, _) = analytics::stats(db, StatsScope::All, scope.now, 0).await?;
    let opens_by_outcome = events::count_by_outcome(db).await?;
    Ok(HeadlineCounts {
        links,
        opens_by_outcome,
    })
}

/// The summary rows, in order.
pub(crate) fn figures(
    request: &ExportRequest,
    counts: &HeadlineCounts,
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
        filter.period.from().into(),
    );
    push(
        text([
            "Davr oxiri (kirmaydi)",
            "Конец периода (не включая)",
            "To (exclusive)",
        ]),
        filter.period.to().into(),
    );
    let mut filters = Vec::new();
    if let Some(campaign) = &filter.campaign {
        filters.push(format!("campaign={campaign}"));
    }
    if let Some(creator) = filter.created_by {
        filters.push(format!("creator={creator}"));
    }
    if let Some(kind) = filter.kind {
        filters.push(format!("kind={kind}"));
    }
    if let Some(status) = filter.status {
        filters.push(format!("status={status}"));
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
            "butun baza boʻyicha, filtrlarsiz",
            "по всей базе, без фильтров",
            "whole database, without filters",
        ])),
    );
    let stats = &counts.links;
    for (label, value) in [
        (
            ["Havolalar jami", "Всего ссылок", "Links, total"],
            stats.total,
        ),
        (
            ["Faol havolalar", "Активные ссылки", "Active links"],
            stats.active,
        ),
        (
            [
                "Ishlatilgan havolalar",
                "Использованные ссылки",
                "Used links",
            ],
            stats.used,
        ),
        (
            [
                "Muddati oʻtgan havolalar",
                "Истёкшие ссылки",
                "Expired links",
            ],
            stats.expired,
        ),
        (
            [
                "Bekor qilingan havolalar",
                "Отозванные ссылки",
                "Revoked links",
            ],
            stats.revoked,
        ),
    ] {
        push(text(label), Cell::Int(value));
    }
    let opens: i64 = counts.opens_by_outcome.iter().map(|(_, n)| n).sum();
    push(
        text(["Ochilishlar jami", "Всего открытий", "Opens, total"]),
        Cell::Int(opens),
    );
    let opens_word = lang.pick(["Ochilishlar", "Открытия", "Opens"]);
    for outcome in Outcome::ALL {
        let n = counts
            .opens_by_outcome
            .iter()
            .find(|(o, _)| *o == outcome)
            .map_or(0, |(_, n)| *n);
        push(
            format!("{opens_word}: {}", lang.pick(outcome_words(outcome))),
            Cell::Int(n),
        );
    }
    rows
}
