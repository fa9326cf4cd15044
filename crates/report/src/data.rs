//! Everything the report shows, read from `startlink_core::analytics` (and the
//! referrers' names from `users`). The report computes no figure itself.

use chrono::{DateTime, Duration, Utc};
use startlink_core::DatabaseConnection;
use startlink_core::analytics::{
    self, Bucket, Filter, MAX_BUCKETS, ReferrerRow, SeriesPoint, Summary, TopCampaign, TopLink,
};
use startlink_core::users::{self, TgUser, TgUserId};

use crate::{ReportError, ReportRequest};

/// Rows in the top-links, top-campaigns and referral tables.
pub(crate) const TOP: u64 = 20;
/// Campaigns in the top-campaigns chart.
pub(crate) const CHART_CAMPAIGNS: usize = 10;
/// Up to this many days the series is per day, beyond it per week.
const MAX_DAILY_DAYS: i64 = 400;

/// A referrer and what is known of him.
#[derive(Debug, Clone)]
pub(crate) struct Referrer {
    pub row: ReferrerRow,
    pub user: Option<TgUser>,
}

#[derive(Debug, Clone)]
pub(crate) struct ReportData {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub previous_from: DateTime<Utc>,
    pub previous_to: DateTime<Utc>,
    pub current: Summary,
    pub previous: Summary,
    pub bucket: Bucket,
    pub series: Vec<SeriesPoint>,
    pub top_links: Vec<TopLink>,
    pub top_campaigns: Vec<TopCampaign>,
    pub referrers: Vec<Referrer>,
}

/// The longest period a report covers: its weekly table and chart stay
/// within `analytics::MAX_BUCKETS` (a week on each side for alignment).
pub(crate) fn max_period() -> Duration {
    Duration::weeks(MAX_BUCKETS as i64 - 2)
}

/// The bucket of the series and the daily table for a period this long.
pub(crate) fn bucket_for(length: Duration) -> Bucket {
    if length <= Duration::days(MAX_DAILY_DAYS) {
        Bucket::Day
    } else {
        Bucket::Week
    }
}

pub(crate) async fn gather(
    db: &DatabaseConnection,
    request: &ReportRequest,
) -> Result<ReportData, ReportError> {
    let filter = &request.filter;
    let (Some(from), Some(to)) = (filter.from, filter.to) else {
        return Err(ReportError::OpenPeriod);
    };
    filter.check()?;
    let previous: Filter = filter.previous_period().ok_or(ReportError::OpenPeriod)?;
    let (Some(previous_from), Some(previous_to)) = (previous.from, previous.to) else {
        return Err(ReportError::OpenPeriod);
    };
    if to - from > max_period() {
        return Err(ReportError::PeriodTooLong);
    }
    let now = request.generated_at;
    let bucket = bucket_for(to - from);

    // The figures are independent: asked at once, they run on several pooled
    // connections (SQLite readers in WAL mode, PostgreSQL backends) in parallel.
    let (current_summary, previous_summary, series, top_links, top_campaigns, rows) = tokio::try_join!(
        analytics::summary(db, filter, now),
        analytics::summary(db, &previous, now),
        analytics::series(db, filter, bucket, request.tz, now),
        analytics::top_links(db, filter, TOP, now),
        analytics::top_campaigns(db, filter, TOP, now),
        analytics::referral_leaderboard(db, filter, TOP, now),
    )?;
    let mut referrers = Vec::with_capacity(rows.len());
    for row in rows {
        let user = match TgUserId::new(row.referrer) {
            Ok(id) => users::find(db, id)
                .await
                .map_err(|source| ReportError::Db {
                    what: "reading a referrer",
                    source,
                })?,
            Err(_) => None,
        };
        referrers.push(Referrer { row, user });
    }
    Ok(ReportData {
        from,
        to,
        previous_from,
        previous_to,
        current: current_summary,
        previous: previous_summary,
        bucket,
        series,
        top_links,
        top_campaigns,
        referrers,
    })
}
