//! `/stats` and `/mylinks`: an operator's numbers and links.

use startlink_core::analytics::{self, Bucket, Filter};
use startlink_core::links::{self, Link, LinkListing, LinkSelection, LinkStatus};
use startlink_core::time;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

use super::Ask;
use super::links::{expiry, number, uses};
use crate::i18n::{Arg, Texts, fill};
use crate::reply;

const RECENT: u64 = 5;
const CHART_DAYS: u32 = 14;
pub(super) const PAGE_SIZE: u64 = 10;

pub(super) async fn stats(ask: &Ask, args: &str) -> anyhow::Result<()> {
    if !ask.is_operator() {
        return ask.say_static(|t| t.operators_only).await;
    }
    let all = args.trim().eq_ignore_ascii_case("all");
    if all && !ask.is_admin() {
        return ask.say_static(|t| t.admins_only).await;
    }
    let scope = if all {
        LinkSelection::default()
    } else {
        LinkSelection::created_by(ask.user_id())
    };
    let now = time::now();
    let db = &ask.ctx.db;
    let everything = Filter::of(scope.clone());
    let counts = analytics::link_counts(db, &everything, now).await?;
    let opens = analytics::opens(db, &everything, now).await?.of_links();
    let week = Filter::past_week(now).with_links(scope.clone());
    let opens_7d = analytics::opens(db, &week, now).await?.of_links();
    let recent = links::list(db, &LinkListing::newest(scope.clone(), RECENT), now)
        .await?
        .items;
    let t = ask.texts();
    let scope_name = if all {
        t.stats_scope_all
    } else {
        t.stats_scope_mine
    };
    let n = |v: i64| v.to_string();
    let mut text = fill(
        t.stats,
        &[
            ("scope", Arg::Text(scope_name)),
            ("total", Arg::Text(&n(counts.total))),
            ("active", Arg::Text(&n(counts.active))),
            ("used", Arg::Text(&n(counts.used))),
            ("expired", Arg::Text(&n(counts.expired))),
            ("revoked", Arg::Text(&n(counts.revoked))),
            ("opens", Arg::Text(&n(opens))),
            ("opens_7d", Arg::Text(&n(opens_7d))),
        ],
    );
    text.push_str("\n\n");
    if recent.is_empty() {
        text.push_str(t.stats_none);
    } else {
        text.push_str(t.stats_recent);
        for link in &recent {
            text.push('\n');
            text.push_str(&summary_line(t, link, now));
        }
    }
    ask.say(text).await?;
    let chart = opens_chart(ask, scope, now).await?;
    super::links::send_photo(
        ask,
        chart,
        crate::html::escape(t.stats_chart_title).into_owned(),
        None,
    )
    .await
}

/// Opens per day for the last 14 days in `TIMEZONE`, as a bar chart picture.
async fn opens_chart(
    ask: &Ask,
    scope: LinkSelection,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Vec<u8>> {
    let tz = ask.ctx.timezone;
    let filter = Filter::last_days(CHART_DAYS, tz, now).with_links(scope);
    let days = analytics::series(&ask.ctx.db, &filter, Bucket::Day, tz, now).await?;
    let chart = startlink_charts::BarChart {
        title: ask.texts().stats_chart_title.to_owned(),
        bars: days
            .iter()
            .map(|p| {
                let day = p.start.with_timezone(&tz);
                (day.format("%m-%d").to_string(), p.opens as f64)
            })
            .collect(),
        width: 800,
        height: 400,
    };
    Ok(tokio::task::spawn_blocking(move || chart.png()).await??)
}

fn status_name(t: &Texts, status: LinkStatus) -> &'static str {
    match status {
        LinkStatus::Active => t.status_active,
        LinkStatus::Used => t.status_used,
        LinkStatus::Expired => t.status_expired,
        LinkStatus::Revoked => t.status_revoked,
    }
}

fn status_mark(status: LinkStatus) -> &'static str {
    match status {
        LinkStatus::Active => "🟢",
        LinkStatus::Used => "✅",
        LinkStatus::Expired => "⌛",
        LinkStatus::Revoked => "🚫",
    }
}

fn summary_line(t: &Texts, link: &Link, now: chrono::DateTime<chrono::Utc>) -> String {
    let status = link.status(now);
    format!(
        "{} <code>{}</code> {} · {}/{}",
        status_mark(status),
        link.key,
        status_name(t, status),
        number(link.product_id),
        number(link.order_log_id)
    )
}

/// Shows page `page` of the asker's links, editing `message` when given.
pub(super) async fn my_links(
    ask: &Ask,
    page: u64,
    message: Option<MessageId>,
) -> anyhow::Result<()> {
    if !ask.is_operator() {
        return ask.say_static(|t| t.operators_only).await;
    }
    let now = time::now();
    let filter = LinkListing {
        selection: LinkSelection::created_by(ask.user_id()),
        limit: PAGE_SIZE,
        page,
        ..Default::default()
    };
    let listing = links::list(&ask.ctx.db, &filter, now).await?;
    let t = ask.texts();
    if listing.total == 0 {
        return show(ask, message, t.mylinks_empty.to_owned(), None).await;
    }
    let pages = listing.total.div_ceil(PAGE_SIZE);
    let text = format!(
        "{}\n{}",
        t.mylinks_title,
        fill(
            t.mylinks_page,
            &[
                ("page", Arg::Text(&(page + 1).to_string())),
                ("pages", Arg::Text(&pages.to_string())),
                ("total", Arg::Text(&listing.total.to_string())),
            ],
        )
    );
    let mut rows: Vec<Vec<InlineKeyboardButton>> = listing
        .items
        .iter()
        .map(|link| {
            let status = link.status(now);
            let label = format!(
                "{} {} · {}/{}",
                status_mark(status),
                link.key,
                number(link.product_id),
                number(link.order_log_id)
            );
            vec![InlineKeyboardButton::callback(
                label,
                format!("ld:{}:{page}", link.id),
            )]
        })
        .collect();
    let mut nav = Vec::new();
    if page > 0 {
        nav.push(InlineKeyboardButton::callback(
            "◀",
            format!("ml:{}", page - 1),
        ));
    }
    if page + 1 < pages {
        nav.push(InlineKeyboardButton::callback(
            "▶",
            format!("ml:{}", page + 1),
        ));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    show(ask, message, text, Some(InlineKeyboardMarkup::new(rows))).await
}

/// One link of `/mylinks`, with Revoke and Back.
pub(super) async fn link_detail(
    ask: &Ask,
    link: &Link,
    page: u64,
    message: MessageId,
) -> anyhow::Result<()> {
    let t = ask.texts();
    let now = time::now();
    let url = ask.ctx.links.start(link.key.as_str())?;
    let text = fill(
        t.link_detail,
        &[
            ("url", Arg::Text(&url)),
            ("key", Arg::Text(link.key.as_str())),
            ("status", Arg::Text(status_name(t, link.status(now)))),
            ("uses", Arg::Text(&uses(t, link))),
            ("expires", Arg::Text(&expiry(ask, t, link))),
            ("product", Arg::Text(&number(link.product_id))),
            ("order", Arg::Text(&number(link.order_log_id))),
            ("created", Arg::Text(&ask.ctx.show_time(link.created_at))),
        ],
    );
    let mut row = Vec::new();
    if link.revoked_at.is_none() {
        row.push(InlineKeyboardButton::callback(
            t.revoke_button,
            format!("rv:{}", link.id),
        ));
    }
    row.push(InlineKeyboardButton::callback(
        t.back_button,
        format!("ml:{page}"),
    ));
    show(
        ask,
        Some(message),
        text,
        Some(InlineKeyboardMarkup::new([row])),
    )
    .await
}

async fn show(
    ask: &Ask,
    message: Option<MessageId>,
    text: String,
    keyboard: Option<InlineKeyboardMarkup>,
) -> anyhow::Result<()> {
    match message {
        Some(id) => reply::edit(&ask.bot, ask.chat, id, text, keyboard).await?,
        None => {
            reply::send(&ask.bot, ask.chat, text, keyboard).await?;
        }
    }
    Ok(())
}
