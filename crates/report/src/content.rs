//! The report's sections, in order: cover, key figures, charts, top links,
//! top campaigns, opens by day (or week), referral leaderboard.

use resvg::usvg;
use startlink_charts::{BarChart, HBarChart, ShareChart};
use startlink_core::analytics::{Bucket, Summary};
use startlink_core::events::Outcome;
use startlink_core::links::LinkKind;

use crate::ReportError;
use crate::data::{CHART_CAMPAIGNS, ReportData};
use crate::format::Fmt;
use crate::i18n::Labels;
use crate::pdf::fonts::Weight;
use crate::pdf::layout::{
    ACCENT, Align, CONTENT_WIDTH, Cell, Column, DOWN, INK, Layout, MARGIN, MUTED, Row, Table, UP,
};

/// What the cover says besides the data.
#[derive(Debug)]
pub(crate) struct Cover<'a> {
    pub bot: Option<&'a str>,
    pub generated_at: chrono::DateTime<chrono::Utc>,
}

pub(crate) fn build(
    layout: &mut Layout<'_>,
    data: &ReportData,
    labels: &Labels,
    fmt: Fmt,
    cover_info: &Cover<'_>,
) -> Result<(), ReportError> {
    cover(layout, data, labels, fmt, cover_info);
    layout.page_break();
    kpis(layout, data, labels, fmt);
    charts(layout, data, labels, fmt)?;
    top_links(layout, data, labels, fmt);
    top_campaigns(layout, data, labels, fmt);
    series_table(layout, data, labels, fmt);
    referrers(layout, data, labels, fmt);
    Ok(())
}

/// `@name` for a bot username given with or without its `@`.
pub(crate) fn bot_name(bot: Option<&str>, labels: &Labels) -> String {
    match bot.map(|b| b.trim().trim_start_matches('@')) {
        Some(name) if !name.is_empty() => format!("@{name}"),
        _ => labels.bot_unknown.to_owned(),
    }
}

fn cover(layout: &mut Layout<'_>, data: &ReportData, labels: &Labels, fmt: Fmt, info: &Cover<'_>) {
    layout.space(40.0);
    layout.line(11.0, Weight::Bold, ACCENT, "startlink");
    layout.space(6.0);
    for line in layout.fonts().bold.wrap(labels.title, 26.0, CONTENT_WIDTH) {
        layout.line(26.0, Weight::Bold, INK, &line);
    }
    layout.line(12.0, Weight::Regular, MUTED, labels.subtitle);
    layout.space(36.0);

    let facts = [
        (labels.bot, bot_name(info.bot, labels)),
        (labels.period, fmt.period(data.from, data.to, labels.until)),
        (
            labels.previous_period,
            fmt.period(data.previous_from, data.previous_to, labels.until),
        ),
        (labels.generated_at, fmt.datetime(info.generated_at)),
        (labels.time_zone, fmt.tz.name().to_owned()),
    ];
    let value_x = MARGIN + 140.0;
    for (label, value) in facts {
        let baseline = layout.y() + 11.0;
        layout.text_at(
            (MARGIN, baseline),
            10.0,
            Weight::Regular,
            MUTED,
            label,
            130.0,
            Align::Left,
        );
        layout.text_at(
            (value_x, baseline),
            11.0,
            Weight::Bold,
            INK,
            &value,
            CONTENT_WIDTH - 140.0,
            Align::Left,
        );
        layout.space(20.0);
    }

    layout.space(28.0);
    layout.heading(labels.at_a_glance);
    let (now, before) = (&data.current, &data.previous);
    let tiles = [
        (
            labels.kpi.opens,
            fmt.int(now.opens),
            count_change(fmt, now.opens, before.opens),
            now.opens - before.opens,
        ),
        (
            labels.kpi.unique_openers,
            fmt.int(now.unique_openers),
            count_change(fmt, now.unique_openers, before.unique_openers),
            now.unique_openers - before.unique_openers,
        ),
        (
            labels.kpi.new_users,
            fmt.int(now.new_users),
            count_change(fmt, now.new_users, before.new_users),
            now.new_users - before.new_users,
        ),
        (
            labels.kpi.redemption_rate,
            fmt.rate(now.redemption_rate),
            fmt.rate_change(now.redemption_rate, before.redemption_rate, labels.points),
            rate_direction(now.redemption_rate, before.redemption_rate),
        ),
    ];
    let gap = 14.0;
    let tile_width = (CONTENT_WIDTH - gap) / 2.0;
    let tile_height = 74.0;
    for pair in tiles.chunks(2) {
        let top = layout.y();
        for (i, (label, value, change, direction)) in pair.iter().enumerate() {
            let x = MARGIN + i as f32 * (tile_width + gap);
            layout.rect(
                (x, top),
                tile_width,
                tile_height,
                crate::pdf::layout::Rgb(243, 244, 246),
            );
            layout.rect((x, top), 3.0, tile_height, ACCENT);
            let inner = tile_width - 24.0;
            layout.text_at(
                (x + 14.0, top + 18.0),
                9.0,
                Weight::Regular,
                MUTED,
                label,
                inner,
                Align::Left,
            );
            layout.text_at(
                (x + 14.0, top + 44.0),
                22.0,
                Weight::Bold,
                INK,
                value,
                inner,
                Align::Left,
            );
            let colour = match direction.signum() {
                1 => UP,
                -1 => DOWN,
                _ => MUTED,
            };
            layout.text_at(
                (x + 14.0, top + 63.0),
                9.0,
                Weight::Regular,
                colour,
                change,
                inner,
                Align::Left,
            );
        }
        layout.space(tile_height + gap);
    }
}

/// `+12 (+8.5%)`.
fn count_change(fmt: Fmt, current: i64, previous: i64) -> String {
    format!(
        "{} ({})",
        fmt.signed(current - previous),
        fmt.change_percent(current, previous)
    )
}

fn rate_direction(current: Option<f64>, previous: Option<f64>) -> i64 {
    match (current, previous) {
        (Some(c), Some(p)) if c > p => 1,
        (Some(c), Some(p)) if c < p => -1,
        _ => 0,
    }
}

fn kpis(layout: &mut Layout<'_>, data: &ReportData, labels: &Labels, fmt: Fmt) {
    layout.heading(labels.kpi_heading);
    let k = &labels.kpi;
    let (now, before): (&Summary, &Summary) = (&data.current, &data.previous);
    let counts: [(&str, i64, i64, bool); 17] = [
        (
            k.links_created,
            now.links_created,
            before.links_created,
            true,
        ),
        (k.links_active, now.links_active, before.links_active, false),
        (k.links_used, now.links_used, before.links_used, false),
        (
            k.links_expired,
            now.links_expired,
            before.links_expired,
            false,
        ),
        (
            k.links_revoked,
            now.links_revoked,
            before.links_revoked,
            false,
        ),
        (k.opens, now.opens, before.opens, true),
        (
            k.redeemed,
            now.opens_by_outcome.redeemed,
            before.opens_by_outcome.redeemed,
            false,
        ),
        (
            k.already_yours,
            now.opens_by_outcome.already_yours,
            before.opens_by_outcome.already_yours,
            false,
        ),
        (
            k.accepted,
            now.opens_by_outcome.accepted,
            before.opens_by_outcome.accepted,
            false,
        ),
        (
            k.already_used,
            now.opens_by_outcome.already_used,
            before.opens_by_outcome.already_used,
            false,
        ),
        (
            k.expired,
            now.opens_by_outcome.expired,
            before.opens_by_outcome.expired,
            false,
        ),
        (
            k.revoked,
            now.opens_by_outcome.revoked,
            before.opens_by_outcome.revoked,
            false,
        ),
        (
            k.not_found,
            now.opens_by_outcome.not_found,
            before.opens_by_outcome.not_found,
            false,
        ),
        (
            k.invalid,
            now.opens_by_outcome.invalid,
            before.opens_by_outcome.invalid,
            false,
        ),
        (
            k.unique_openers,
            now.unique_openers,
            before.unique_openers,
            true,
        ),
        (k.new_users, now.new_users, before.new_users, true),
        (
            k.returning_users,
            now.returning_users,
            before.returning_users,
            true,
        ),
    ];
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|(label, current, previous, bold)| Row {
            cells: vec![
                Cell::new(label),
                Cell::new(fmt.int(current)),
                Cell::new(fmt.int(previous)),
                Cell::new(fmt.signed(current - previous)),
                Cell::new(fmt.change_percent(current, previous)),
            ],
            bold,
        })
        .collect();
    rows.push(Row {
        cells: vec![
            Cell::new(k.redemption_rate),
            Cell::new(fmt.rate(now.redemption_rate)),
            Cell::new(fmt.rate(before.redemption_rate)),
            Cell::new(fmt.rate_change(now.redemption_rate, before.redemption_rate, labels.points)),
            Cell::new("—"),
        ],
        bold: true,
    });
    let table = Table {
        columns: vec![
            Column::left(labels.col_indicator, 3.0),
            Column::right(labels.col_this_period, 1.25),
            Column::right(labels.col_previous, 1.25),
            Column::right(labels.col_change, 1.3),
            Column::right(labels.col_change_percent, 1.5),
        ],
        rows,
    };
    layout.table(labels.kpi_heading, labels.continued, &table, labels.no_data);
    layout.space(4.0);
    layout.paragraph(8.0, MUTED, labels.kpi_note);
}

/// Parses a chart made by `startlink-charts` (paths only, no fonts needed).
fn tree(svg: &str) -> Result<usvg::Tree, ReportError> {
    usvg::Tree::from_str(svg, &usvg::Options::default())
        .map_err(|e| ReportError::Chart(e.to_string()))
}

fn charts(
    layout: &mut Layout<'_>,
    data: &ReportData,
    labels: &Labels,
    fmt: Fmt,
) -> Result<(), ReportError> {
    layout.heading(labels.charts_heading);
    let title = match data.bucket {
        Bucket::Week => labels.chart_opens_per_week,
        _ => labels.chart_opens_per_day,
    };
    let bars = data
        .series
        .iter()
        .map(|p| {
            let label = p.start.with_timezone(&fmt.tz).format("%m-%d").to_string();
            (label, p.opens as f64)
        })
        .collect();
    let per_day = BarChart {
        title: title.to_owned(),
        bars,
        width: 1000,
        height: 430,
    };
    let svg = per_day
        .svg()
        .map_err(|e| ReportError::Chart(e.to_string()))?;
    layout.svg(tree(&svg)?, CONTENT_WIDTH, CONTENT_WIDTH * 0.43);
    layout.space(14.0);

    let o = &labels.outcomes;
    let by = &data.current.opens_by_outcome;
    let parts = Outcome::ALL
        .into_iter()
        .map(|outcome| {
            let label = match outcome {
                Outcome::Redeemed => o.redeemed,
                Outcome::AlreadyYours => o.already_yours,
                Outcome::Accepted => o.accepted,
                Outcome::AlreadyUsed => o.already_used,
                Outcome::Expired => o.expired,
                Outcome::Revoked => o.revoked,
                Outcome::NotFound => o.not_found,
                Outcome::Invalid => o.invalid,
            };
            (label.to_owned(), by.get(outcome) as f64)
        })
        .collect();
    let split = ShareChart {
        title: labels.chart_outcomes.to_owned(),
        parts,
        width: 1000,
        height: 400,
    };
    let svg = split.svg().map_err(|e| ReportError::Chart(e.to_string()))?;
    layout.svg(tree(&svg)?, CONTENT_WIDTH, CONTENT_WIDTH * 0.40);
    layout.space(14.0);

    let campaigns: Vec<(String, f64)> = data
        .top_campaigns
        .iter()
        .take(CHART_CAMPAIGNS)
        .map(|c| (c.name.clone(), c.opens as f64))
        .collect();
    if campaigns.is_empty() {
        layout.line(11.0, Weight::Bold, INK, labels.chart_top_campaigns);
        layout.paragraph(9.5, MUTED, labels.no_data);
    } else {
        let height = 110 + 34 * campaigns.len() as u32;
        let top = HBarChart {
            title: labels.chart_top_campaigns.to_owned(),
            bars: campaigns,
            width: 1000,
            height,
        };
        let svg = top.svg().map_err(|e| ReportError::Chart(e.to_string()))?;
        layout.svg(
            tree(&svg)?,
            CONTENT_WIDTH,
            CONTENT_WIDTH * height as f32 / 1000.0,
        );
    }
    Ok(())
}

fn kind(labels: &Labels, kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Order => labels.kind_order,
        LinkKind::Campaign => labels.kind_campaign,
        LinkKind::Referral => labels.kind_referral,
    }
}

fn top_links(layout: &mut Layout<'_>, data: &ReportData, labels: &Labels, fmt: Fmt) {
    layout.heading(labels.top_links_heading);
    let rows = data
        .top_links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            Row::plain(vec![
                Cell::new((i + 1).to_string()),
                Cell::new(link.title.clone().unwrap_or_else(|| "—".to_owned())),
                Cell::new(&link.key),
                Cell::new(kind(labels, link.kind)),
                Cell::new(link.campaign.clone().unwrap_or_else(|| "—".to_owned())),
                Cell::new(fmt.int(link.opens)),
                Cell::new(fmt.int(link.uses)),
            ])
        })
        .collect();
    let table = Table {
        columns: vec![
            Column::right(labels.col_rank, 0.4),
            Column::left(labels.col_link, 2.3),
            Column::whole(labels.col_key, 1.9),
            Column::left(labels.col_kind, 1.25),
            Column::left(labels.col_campaign, 1.45),
            Column::right(labels.col_opens, 1.2),
            Column::right(labels.col_uses, 1.35),
        ],
        rows,
    };
    layout.table(
        labels.top_links_heading,
        labels.continued,
        &table,
        labels.no_data,
    );
}

fn top_campaigns(layout: &mut Layout<'_>, data: &ReportData, labels: &Labels, fmt: Fmt) {
    layout.heading(labels.top_campaigns_heading);
    let rows = data
        .top_campaigns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Row::plain(vec![
                Cell::new((i + 1).to_string()),
                Cell::new(&c.name),
                Cell::new(fmt.int(c.opens)),
                Cell::new(fmt.int(c.uses)),
            ])
        })
        .collect();
    let table = Table {
        columns: vec![
            Column::right(labels.col_rank, 0.45),
            Column::left(labels.col_campaign, 5.0),
            Column::right(labels.col_opens, 1.4),
            Column::right(labels.col_uses, 1.4),
        ],
        rows,
    };
    layout.table(
        labels.top_campaigns_heading,
        labels.continued,
        &table,
        labels.no_data,
    );
}

fn series_table(layout: &mut Layout<'_>, data: &ReportData, labels: &Labels, fmt: Fmt) {
    let weekly = data.bucket == Bucket::Week;
    let heading = if weekly {
        labels.weekly_heading
    } else {
        labels.daily_heading
    };
    layout.heading(heading);
    let rows = data
        .series
        .iter()
        .map(|p| {
            let mut cells = vec![Cell::new(fmt.date(p.start))];
            if !weekly {
                cells.push(Cell::new(labels.weekdays[fmt.weekday(p.start)]));
            }
            cells.push(Cell::new(fmt.int(p.opens)));
            Row::plain(cells)
        })
        .collect();
    let columns = if weekly {
        vec![
            Column::left(labels.col_week_start, 2.0),
            Column::right(labels.col_opens, 1.0),
        ]
    } else {
        vec![
            Column::left(labels.col_date, 1.6),
            Column::left(labels.col_weekday, 2.0),
            Column::right(labels.col_opens, 1.4),
        ]
    };
    layout.table(
        heading,
        labels.continued,
        &Table { columns, rows },
        labels.no_data,
    );
}

fn referrers(layout: &mut Layout<'_>, data: &ReportData, labels: &Labels, fmt: Fmt) {
    layout.heading(labels.referrals_heading);
    let rows = data
        .referrers
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let name = r
                .user
                .as_ref()
                .and_then(|u| {
                    u.username
                        .as_deref()
                        .map(|name| format!("@{name}"))
                        .or_else(|| u.first_name.clone())
                })
                .unwrap_or_else(|| "—".to_owned());
            Row::plain(vec![
                Cell::new((i + 1).to_string()),
                Cell::new(name),
                Cell::new(r.row.referrer.to_string()),
                Cell::new(fmt.int(r.row.joined)),
                Cell::new(fmt.int(r.row.active_7d)),
            ])
        })
        .collect();
    let table = Table {
        columns: vec![
            Column::right(labels.col_rank, 0.45),
            Column::left(labels.col_referrer, 3.0),
            Column::left(labels.col_telegram_id, 1.8),
            Column::right(labels.col_joined, 1.3),
            Column::right(labels.col_active_7d, 1.6),
        ],
        rows,
    };
    layout.table(
        labels.referrals_heading,
        labels.continued,
        &table,
        labels.no_data,
    );
    layout.paragraph(8.0, MUTED, labels.referrals_note);
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use startlink_core::analytics::{
        OutcomeCounts, ReferrerRow, SeriesPoint, Summary, TopCampaign, TopLink,
    };
    use startlink_core::lang::Lang;

    use super::*;
    use crate::data::Referrer;
    use crate::labels;
    use crate::pdf::fonts::Fonts;
    use crate::pdf::layout::Op;

    fn summary(scale: i64) -> Summary {
        let at = Utc.with_ymd_and_hms(2026, 3, 15, 0, 0, 0).unwrap();
        Summary {
            from: None,
            to: None,
            at,
            links_created: 1_234_567 * scale,
            links_active: 1_000_000 * scale,
            links_used: 200_000,
            links_expired: 30_000,
            links_revoked: 4_567,
            opens: 9_876_543 * scale,
            opens_by_outcome: OutcomeCounts {
                redeemed: 1_000_000,
                already_yours: 200_000,
                accepted: 7_000_000,
                already_used: 600_000,
                expired: 50_000,
                revoked: 20_000,
                not_found: 5_000,
                invalid: 1_543,
            },
            unique_openers: 2_345_678,
            new_users: 1_234_567,
            returning_users: 1_111_111,
            redemption_rate: Some(0.8123),
        }
    }

    fn data() -> ReportData {
        let from = Utc.with_ymd_and_hms(2026, 2, 28, 19, 0, 0).unwrap();
        let to = from + Duration::days(14);
        ReportData {
            from,
            to,
            previous_from: from - Duration::days(14),
            previous_to: from,
            current: summary(1),
            previous: summary(2),
            bucket: Bucket::Day,
            series: (0..14)
                .map(|d| SeriesPoint {
                    start: from + Duration::days(d),
                    end: from + Duration::days(d + 1),
                    opens: 123_456 + d,
                })
                .collect(),
            top_links: (0..20)
                .map(|i| TopLink {
                    link_id: i,
                    // The widest letters: a generated key is never cut.
                    key: "r_mWmWmWmWmWmW".into(),
                    kind: [LinkKind::Order, LinkKind::Campaign, LinkKind::Referral][i as usize % 3],
                    title: Some("Qahva".into()),
                    campaign: Some("Bahor".into()),
                    opens: 1_234_567,
                    uses: 1_234_567,
                })
                .collect(),
            top_campaigns: vec![TopCampaign {
                campaign_id: 1,
                name: "Bahor".into(),
                opens: 1_234_567,
                uses: 1_234_567,
            }],
            referrers: vec![Referrer {
                row: ReferrerRow {
                    referrer: 9_007_199_254,
                    joined: 1_234_567,
                    active_7d: 1_234_567,
                },
                user: None,
            }],
        }
    }

    #[test]
    fn no_label_or_figure_is_cut_in_any_language() {
        let fonts = Fonts::load().unwrap();
        let mut cut = Vec::new();
        for lang in Lang::ALL {
            let mut layout = Layout::new(&fonts);
            let fmt = Fmt {
                lang,
                tz: chrono_tz::Asia::Tashkent,
            };
            let cover = Cover {
                bot: Some("a_rather_long_shop_bot_name_bot"),
                generated_at: Utc.with_ymd_and_hms(2026, 3, 15, 4, 0, 0).unwrap(),
            };
            build(&mut layout, &data(), labels(lang), fmt, &cover).unwrap();
            for op in layout.finish().iter().flatten() {
                if let Op::Text { text, .. } = op
                    && text.ends_with('…')
                {
                    cut.push(format!("{lang}: {text:?}"));
                }
            }
        }
        assert!(cut.is_empty(), "cut: {cut:#?}");
    }
}
