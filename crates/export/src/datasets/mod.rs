//! The four datasets: each has one column table (stable names, localized
//! headers, types) and reads one page of rows through `startlink_core`.

mod campaigns;
mod events;
mod links;
mod users;

use chrono::{DateTime, Utc};
use startlink_core::DatabaseConnection;
use startlink_core::links::{LinkBuilder, ResolvedSelection};
use startlink_core::time::Period;

use crate::cell::{Cell, Column, Page};
use crate::{Dataset, ExportError, ExportRequest};

/// A request's filters resolved against the database, shared by every page.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub selection: ResolvedSelection,
    pub period: Period,
    pub now: DateTime<Utc>,
    pub builder: Option<LinkBuilder>,
    pub page_size: u64,
}

impl Scope {
    /// Looks the campaign up by name: a name that matches nothing is an error,
    /// so a typo does not pass for an empty result.
    pub(crate) async fn resolve(
        db: &DatabaseConnection,
        request: &ExportRequest,
    ) -> Result<Self, ExportError> {
        let filter = &request.filter;
        let selection = filter.links.resolve(db).await?.ok_or_else(|| {
            ExportError::UnknownCampaign(
                filter
                    .links
                    .campaign
                    .as_ref()
                    .map_or_else(String::new, ToString::to_string),
            )
        })?;
        let period = Period::new(filter.from, filter.to)
            .map_err(|e| ExportError::invalid("from", e.to_string()))?;
        Ok(Self {
            selection,
            period,
            now: request.now,
            builder: request.link_builder.clone(),
            page_size: request.page_size.max(1),
        })
    }
}

/// The columns of one dataset, in order.
pub(crate) fn columns(dataset: Dataset) -> &'static [Column] {
    match dataset {
        Dataset::Links => links::COLUMNS,
        Dataset::Events => events::COLUMNS,
        Dataset::Users => users::COLUMNS,
        Dataset::Campaigns => campaigns::COLUMNS,
        Dataset::All => &[],
    }
}

/// The page of `dataset` after id `after` (the first page for `None`); an empty
/// page means the end.
pub(crate) async fn page(
    db: &DatabaseConnection,
    dataset: Dataset,
    scope: &Scope,
    after: Option<i64>,
) -> Result<Page, ExportError> {
    match dataset {
        Dataset::Links => links::page(db, scope, after).await,
        Dataset::Events => events::page(db, scope, after).await,
        Dataset::Users => users::page(db, scope, after).await,
        Dataset::Campaigns => campaigns::page(db, scope, after).await,
        Dataset::All => Ok(Page::default()),
    }
}

/// Calls `each` with every page of `dataset` in id order. The next page is read
/// on another task while `each` writes the current one, so reading and writing
/// overlap (two pages are held at most).
pub(crate) async fn for_each_page(
    db: &DatabaseConnection,
    dataset: Dataset,
    scope: &Scope,
    mut each: impl FnMut(&[Cell]) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let fetch = |after: Option<i64>| {
        let (db, scope) = (db.clone(), scope.clone());
        Prefetch(tokio::spawn(async move {
            page(&db, dataset, &scope, after).await
        }))
    };
    let columns = columns(dataset);
    let mut pending = fetch(None);
    loop {
        let page = (&mut pending.0)
            .await
            .map_err(|e| ExportError::Corrupt(format!("reading a page failed: {e}")))??;
        if page.cells.is_empty() {
            return Ok(());
        }
        debug_assert!(
            page.cells
                .iter()
                .enumerate()
                .all(|(i, cell)| cell.fits(columns[i % columns.len()].kind)),
            "a {dataset} cell does not fit its column's type"
        );
        let last_id = page.last_id;
        if let Some(last) = last_id {
            pending = fetch(Some(last));
        }
        each(&page.cells)?;
        if last_id.is_none() {
            return Ok(());
        }
    }
}

/// A page being read; dropped (on an error or a cancelled export), it stops.
struct Prefetch(tokio::task::JoinHandle<Result<Page, ExportError>>);

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}
