//! The panel's pages: login, logout, dashboard, links.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use startlink_charts::BarChart;
use startlink_core::analytics::{self, Bucket, Filter};
use startlink_core::links::{
    self, LinkKind, LinkListing, LinkSelection, LinkSort, LinkStatus, SelectionText,
};
use startlink_core::time;
use startlink_core::vocab::{ParseError, Vocabulary as _};

use super::error::PageError;
use super::session::{self, Session};
use crate::auth::login;
use crate::error::ApiError;
use crate::extract::{ClientIp, Form, Query};
use crate::state::AppState;

const LINKS_PER_PAGE: u64 = 50;
/// The dashboard's chart ranges: name, hours per bucket (1 or 24), buckets.
const RANGES: [(&str, u32); 4] = [("24h", 24), ("7d", 7), ("30d", 30), ("90d", 90)];
const RANGE_NAMES: [&str; 4] = ["24h", "7d", "30d", "90d"];

pub(super) fn render(
    state: &AppState,
    name: &str,
    context: minijinja::Value,
) -> Result<String, ApiError> {
    // What the navigation needs on every page.
    let context = context! { simulator => state.sandbox.is_some(), ..context };
    state
        .templates
        .get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context(format!("rendering {name}"))))
}

/// A page, with the CSRF cookie set when the browser has none yet.
pub(super) fn page(state: &AppState, html: String, new_csrf: Option<&str>) -> Response {
    let mut response = ([(CACHE_CONTROL, "no-store")], Html(html)).into_response();
    if let Some(token) = new_csrf
        && let Ok(value) = session::csrf_cookie(token, state.config.cookie_secure).parse()
    {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

fn redirect(to: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response()
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
    username: &str,
) -> Result<Response, PageError> {
    let (csrf, is_new) = session::login_csrf_token(headers);
    let html = render(
        state,
        "login.html",
        context! { csrf => &csrf, error => error, username => username },
    )?;
    let mut response = page(state, html, is_new.then_some(csrf.as_str()));
    *response.status_mut() = status;
    Ok(response)
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    login_page(&state, &headers, StatusCode::OK, None, "")
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: Option<String>,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("username", &self.username)
            .field("password", &"***")
            .finish_non_exhaustive()
    }
}

pub async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    session::require_same_origin(&headers)?;
    if !session::login_csrf_ok(&headers, form.csrf.as_deref()) {
        return login_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            Some("The form expired; please try again.".into()),
            &form.username,
        );
    }
    match login::attempt(&state, ip, &form.username, &form.password).await {
        Ok(token) => {
            let secure = state.config.cookie_secure;
            let ttl = state.config.access_token_ttl.as_secs();
            let mut response = redirect("/");
            // The login form's token is spent; the session's own token
            // (bound to the new session id) takes over.
            for cookie in [
                session::session_cookie(&token, ttl, secure),
                session::clear_csrf_cookie(secure),
            ] {
                if let Ok(value) = cookie.parse() {
                    response.headers_mut().append(SET_COOKIE, value);
                }
            }
            Ok(response)
        }
        Err(error @ (ApiError::BadLogin | ApiError::TooManyRequests { .. })) => {
            let status = match error {
                ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            login_page(
                &state,
                &headers,
                status,
                Some(error.to_string()),
                &form.username,
            )
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub(super) csrf: Option<String>,
}

/// Ends the session the cookie names, at once, and clears the cookie. A
/// cookie whose session has ended already just goes to the login page.
pub async fn logout(
    session: Result<Session, session::NoSession>,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    session::require_same_origin(&headers)?;
    if let Ok(Session(admin, csrf)) = session {
        csrf.check(form.csrf.as_deref())?;
        if let Some(session_id) = session::session_id(&state, &headers) {
            login::end_session(&state, &admin, &session_id, ip).await?;
        }
    }
    let mut response = redirect("/login");
    if let Ok(value) = session::clear_session_cookie(state.config.cookie_secure).parse() {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    Ok(response)
}

pub async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        super::templates::STYLESHEET,
    )
        .into_response()
}

#[derive(Serialize)]
struct Kpis {
    links_total: i64,
    links_active: i64,
    links_used: i64,
    links_expired: i64,
    links_revoked: i64,
    opens_today: i64,
    opens_7d: i64,
    users_total: i64,
    new_users_7d: i64,
}

#[derive(Debug, Deserialize)]
pub struct DashboardQuery {
    range: Option<String>,
    /// Custom range: first day, `YYYY-MM-DD` in `TIMEZONE`.
    from: Option<String>,
    /// Custom range: last day, inclusive.
    to: Option<String>,
}

/// A custom range of whole local days, `[first day's start, day after last's start)`.
fn custom_range(
    query: &DashboardQuery,
) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, ApiError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let (Some(from), Some(to)) = (given(&query.from), given(&query.to)) else {
        return Ok(None);
    };
    let date = |field: &str, text: &str| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            ApiError::BadRequest(format!("{field}: {text:?} is not a date like 2026-11-01"))
        })
    };
    let (first, last) = (date("from", &from)?, date("to", &to)?);
    if first > last {
        return Err(ApiError::BadRequest(format!(
            "from: {first} is after to ({last})"
        )));
    }
    Ok(Some((first, last)))
}

/// The opens chart for a range: hourly for 24h, daily in `TIMEZONE` otherwise.
async fn opens_chart(
    state: &AppState,
    range: &str,
    now: DateTime<Utc>,
) -> Result<String, ApiError> {
    let count = RANGES
        .iter()
        .find(|(name, _)| *name == range)
        .map_or(7, |(_, n)| *n);
    let tz = state.timezone;
    let (title, filter, bucket, label) = if range == "24h" {
        let filter = Filter::period(now - Duration::hours(23), now);
        let title = "Opens per hour, last 24 hours".to_owned();
        (title, filter, Bucket::Hour, "%H")
    } else {
        let title = format!("Opens per day, last {count} days");
        (
            title,
            Filter::last_days(count, tz, now),
            Bucket::Day,
            "%d.%m",
        )
    };
    let points = analytics::series(&state.db, &filter, bucket, tz, now).await?;
    let bars = points
        .iter()
        .map(|p| {
            let start = p.start.with_timezone(&tz);
            (start.format(label).to_string(), p.opens as f64)
        })
        .collect();
    BarChart {
        title,
        bars,
        width: 900,
        height: 320,
    }
    .svg()
    .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("dashboard chart")))
}

/// Rows in each of the dashboard's top lists.
const TOP: u64 = 5;

#[derive(Serialize)]
struct TopLink {
    key: String,
    title: Option<String>,
    uses: i64,
}

pub async fn dashboard(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let now = time::now();
    let range = match query.range.as_deref().map(str::trim) {
        None | Some("") => "7d".to_owned(),
        Some(range) if RANGES.iter().any(|(name, _)| *name == range) => range.to_owned(),
        Some(other) => return Err(ParseError::new("range", other, &RANGE_NAMES).into()),
    };
    let custom = custom_range(&query)?;
    // The cards: the same figures as `GET /api/v1/stats/summary`, from the
    // same functions (all-time opens are not shown: they cost a pass over
    // every hour ever counted).
    let (everything, week) = (Filter::default(), Filter::past_week(now));
    let links = analytics::link_counts(&state.db, &everything, now).await?;
    let opens_7d = analytics::opens(&state.db, &week, now).await?;
    let today = Filter::last_days(1, state.timezone, now);
    let opens_today = analytics::opens(&state.db, &today, now).await?;
    let (chart, custom_span) = match custom {
        None => (opens_chart(&state, &range, now).await?, None),
        Some((first, last)) => {
            let start = analytics::day_start(first, state.timezone);
            let end = last
                .succ_opt()
                .map_or(now, |next| analytics::day_start(next, state.timezone));
            let filter = Filter::period(start, end);
            let points =
                analytics::series(&state.db, &filter, Bucket::Day, state.timezone, now).await?;
            let bars = points
                .iter()
                .map(|p| {
                    (
                        p.start
                            .with_timezone(&state.timezone)
                            .format("%d.%m")
                            .to_string(),
                        p.opens as f64,
                    )
                })
                .collect();
            let svg = BarChart {
                title: format!("Opens per day, {first} – {last}"),
                bars,
                width: 900,
                height: 320,
            }
            .svg()
            .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("dashboard chart")))?;
            (svg, Some((start, end)))
        }
    };
    let top_links: Vec<TopLink> = links::list(
        &state.db,
        &LinkListing {
            sort: LinkSort::MostUsed,
            limit: TOP,
            ..Default::default()
        },
        now,
    )
    .await?
    .items
    .into_iter()
    .filter(|l| l.use_count > 0)
    .map(|l| TopLink {
        key: l.key.as_str().to_owned(),
        title: l.title,
        uses: l.use_count,
    })
    .collect();
    // Rankings follow the chart's range.
    let since = match range.as_str() {
        "24h" => now - Duration::hours(24),
        other => {
            let days = RANGES
                .iter()
                .find(|(name, _)| *name == other)
                .map_or(7, |(_, n)| *n);
            let today = now.with_timezone(&state.timezone).date_naive();
            today
                .checked_sub_days(chrono::Days::new(u64::from(days.saturating_sub(1))))
                .map_or(now - Duration::days(i64::from(days)), |first| {
                    analytics::day_start(first, state.timezone)
                })
        }
    };
    let (since, until) = custom_span.unwrap_or((since, now + Duration::hours(1)));
    let report_to = custom_span.map_or(now, |(_, end)| end);
    let report_href = format!(
        "/reports/summary.pdf?from={}&to={}",
        encode(&since.to_rfc3339()),
        encode(&report_to.to_rfc3339())
    );
    let top_campaigns: Vec<(String, i64)> =
        analytics::top_campaigns(&state.db, &Filter::period(since, until), TOP, now)
            .await?
            .into_iter()
            .map(|c| (c.name, c.opens))
            .collect();
    let top_referrers: Vec<(i64, i64)> =
        analytics::referral_leaderboard(&state.db, &everything, TOP, now)
            .await?
            .into_iter()
            .map(|r| (r.referrer, r.joined))
            .collect();
    let kpis = Kpis {
        links_total: links.total,
        links_active: links.active,
        links_used: links.used,
        links_expired: links.expired,
        links_revoked: links.revoked,
        opens_today: opens_today.total(),
        opens_7d: opens_7d.of_links(),
        users_total: analytics::new_users(&state.db, &everything, now).await?,
        new_users_7d: analytics::new_users(&state.db, &week, now).await?,
    };
    let csrf = csrf.token();
    let html = render(
        &state,
        "dashboard.html",
        context! {
            admin => Value::from(Serde(&admin)),
            csrf => csrf,
            summary => Value::from(Serde(&kpis)),
            chart => chart,
            range => if custom.is_some() { "custom".to_owned() } else { range.clone() },
            report_href => report_href,
            custom_from => custom.map(|(f, _)| f.to_string()),
            custom_to => custom.map(|(_, t)| t.to_string()),
            top_links => Value::from(Serde(&top_links)),
            top_campaigns => top_campaigns,
            top_referrers => top_referrers,
            ranges => RANGES.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        },
    )?;
    Ok(page(&state, html, None))
}

#[derive(Debug, Deserialize)]
pub struct LinksQuery {
    search: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    campaign: Option<String>,
    creator: Option<String>,
    sort: Option<String>,
    page: Option<u64>,
}

const SORT_NAMES: [&str; 4] = ["newest", "oldest", "most-used", "expires-soonest"];

/// The links list's sort orders: query value (as in `SORT_NAMES`), label, order.
const SORTS: [(&str, &str, LinkSort); 4] = [
    ("newest", "newest first", LinkSort::Newest),
    ("oldest", "oldest first", LinkSort::Oldest),
    ("most-used", "most used", LinkSort::MostUsed),
    (
        "expires-soonest",
        "expiring soonest",
        LinkSort::ExpiresSoonest,
    ),
];

#[derive(Serialize)]
struct LinkRow {
    key: String,
    title: Option<String>,
    kind: &'static str,
    status: &'static str,
    use_count: i64,
    max_uses: Option<i64>,
    expires: Option<String>,
    created: String,
}

pub(super) fn local(at: DateTime<Utc>, state: &AppState) -> String {
    at.with_timezone(&state.timezone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Percent-encodes everything but unreserved characters, for query strings.
pub(super) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn links_page(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    Query(query): Query<LinksQuery>,
) -> Result<Response, PageError> {
    let now = time::now();
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    // "any" is the empty value; anything else must be a status or a kind
    // (LinkSelection::parse refuses it with the vocabulary's message).
    let campaign = text(&query.campaign);
    let creator_text = text(&query.creator);
    let selection = LinkSelection::parse(
        &SelectionText {
            campaign: campaign.clone(),
            creator: creator_text.clone(),
            kind: query.kind.clone(),
            status: query.status.clone(),
            search: query.search.clone(),
        },
        "creator",
    )
    .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let (status, kind) = (selection.status, selection.kind);
    let sort = match text(&query.sort) {
        None => &SORTS[0],
        Some(wanted) => SORTS
            .iter()
            .find(|(name, _, _)| *name == wanted)
            .ok_or_else(|| ParseError::new("sort", wanted, &SORT_NAMES))?,
    };
    let search = query.search.clone().unwrap_or_default();
    let page_index = crate::api::page_index(query.page)?;
    let page_number = page_index + 1;
    let filter = LinkListing {
        selection,
        sort: sort.2,
        limit: LINKS_PER_PAGE,
        page: page_index,
    };
    let found = links::list(&state.db, &filter, now).await?;
    let pages = found.total.div_ceil(LINKS_PER_PAGE).max(1);
    let selected = format!(
        "search={}&status={}&kind={}&campaign={}&creator={}",
        encode(&search),
        status.map_or("", |s| s.as_str()),
        kind.map_or("", |k| k.as_str()),
        encode(campaign.as_deref().unwrap_or_default()),
        encode(creator_text.as_deref().unwrap_or_default()),
    );
    let filters = format!("{selected}&sort={}", sort.0);
    let href = |page: u64| format!("/links?{filters}&page={page}");
    let rows: Vec<LinkRow> = found
        .items
        .iter()
        .map(|link| LinkRow {
            key: link.key.as_str().to_owned(),
            title: link.title.clone(),
            kind: link.kind.as_str(),
            status: link.status(now).as_str(),
            use_count: link.use_count,
            max_uses: link.max_uses,
            expires: link.expires_at.map(|at| local(at, &state)),
            created: local(link.created_at, &state),
        })
        .collect();
    let csrf = csrf.token();
    let html = render(
        &state,
        "links.html",
        context! {
            admin => Value::from(Serde(&admin)),
            csrf => csrf,
            links => Value::from(Serde(&rows)),
            total => found.total,
            search => &search, status => status.map(|s| s.as_str()),
            kind => kind.map(|k| k.as_str()), campaign => &campaign,
            creator => &creator_text, sort => sort.0,
            sorts => SORTS.iter().map(|(name, label, _)| (*name, *label)).collect::<Vec<_>>(),
            statuses => LinkStatus::NAMES.to_vec(), kinds => LinkKind::NAMES.to_vec(),
            export_query => format!("dataset=links&{selected}"),
            page => page_number, pages => pages,
            prev_page => (page_number > 1).then(|| href(page_number - 1)),
            next_page => (page_number < pages).then(|| href(page_number + 1)),
        },
    )?;
    Ok(page(&state, html, None))
}

pub async fn settings(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    let bot = state
        .link_builder()
        .await?
        .map(|builder| builder.bot().as_str().to_owned());
    let database = match state.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "PostgreSQL",
        sea_orm::DbBackend::Sqlite => "SQLite",
        _ => "other",
    };
    let cors: Vec<&str> = state
        .config
        .cors_origins
        .iter()
        .filter_map(|o| o.to_str().ok())
        .collect();
    let (bot_mode, webhook_url, webhook, webhook_error) = match &state.bot {
        Some(bot) => {
            let (webhook, error) = match bot.webhook_info().await {
                Ok(info) => (Some(info), None),
                Err(error) => (None, Some(error)),
            };
            let mode = if bot.sandbox() {
                format!(
                    "{} (against the built-in sandbox, not Telegram)",
                    bot.mode()
                )
            } else {
                bot.mode().to_owned()
            };
            (Some(mode), bot.webhook_url(), webhook, error)
        }
        None => (None, None, None, None),
    };
    let webhook = webhook.map(|w| {
        context! {
            url => w.url,
            pending => w.pending_update_count,
            last_error => w.last_error_message,
            last_error_at => w.last_error_date.map(|at| local(at, &state)),
        }
    });
    let csrf = csrf.token();
    let html = render(
        &state,
        "settings.html",
        context! {
            admin => Value::from(Serde(&admin)),
            csrf => csrf,
            bot => bot,
            database => database,
            timezone => state.timezone.name(),
            session_hours => state.config.access_token_ttl.as_secs() / 3600,
            cors => cors.join(", "),
            sandbox => state.config.sandbox,
            secure_cookies => state.config.cookie_secure,
            bot_mode => bot_mode,
            webhook_url => webhook_url,
            webhook => webhook,
            webhook_error => webhook_error,
            version => env!("CARGO_PKG_VERSION"),
        },
    )?;
    Ok(page(&state, html, None))
}
