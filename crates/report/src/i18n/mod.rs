//! Every word the report prints, in Uzbek (Latin, the default), Russian and
//! English. [`Labels`] is a struct, so a label missing in one language does
//! not compile; number and date formats per language live here too.

mod en;
mod ru;
mod uz;

use startlink_core::lang::Lang;

/// Every word of the report in `lang`.
pub fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Uz => &uz::LABELS,
        Lang::Ru => &ru::LABELS,
        Lang::En => &en::LABELS,
    }
}

/// Names of the KPI rows. Rows that break a figure down start with a dash.
#[derive(Debug)]
pub struct KpiLabels {
    pub links_created: &'static str,
    pub links_active: &'static str,
    pub links_used: &'static str,
    pub links_expired: &'static str,
    pub links_revoked: &'static str,
    pub opens: &'static str,
    pub redeemed: &'static str,
    pub already_yours: &'static str,
    pub accepted: &'static str,
    pub already_used: &'static str,
    pub expired: &'static str,
    pub revoked: &'static str,
    pub not_found: &'static str,
    pub invalid: &'static str,
    pub unique_openers: &'static str,
    pub new_users: &'static str,
    pub returning_users: &'static str,
    pub redemption_rate: &'static str,
}

/// Short names of outcomes, for the outcome chart's legend.
#[derive(Debug)]
pub struct OutcomeLabels {
    pub redeemed: &'static str,
    pub already_yours: &'static str,
    pub accepted: &'static str,
    pub already_used: &'static str,
    pub expired: &'static str,
    pub revoked: &'static str,
    pub not_found: &'static str,
    pub invalid: &'static str,
}

/// One language's labels.
#[derive(Debug)]
pub struct Labels {
    /// The document's title, on the cover and in the PDF's metadata.
    pub title: &'static str,
    pub subtitle: &'static str,
    pub bot: &'static str,
    /// Shown for the bot when its username is unknown.
    pub bot_unknown: &'static str,
    pub period: &'static str,
    pub previous_period: &'static str,
    pub generated_at: &'static str,
    pub time_zone: &'static str,
    /// Between the two ends of a period.
    pub until: &'static str,
    pub at_a_glance: &'static str,

    pub kpi_heading: &'static str,
    pub kpi_note: &'static str,
    pub col_indicator: &'static str,
    pub col_this_period: &'static str,
    pub col_previous: &'static str,
    pub col_change: &'static str,
    pub col_change_percent: &'static str,
    pub kpi: KpiLabels,
    /// The change of a rate, in percentage points.
    pub points: &'static str,

    pub charts_heading: &'static str,
    pub chart_opens_per_day: &'static str,
    pub chart_opens_per_week: &'static str,
    pub chart_outcomes: &'static str,
    pub chart_top_campaigns: &'static str,
    pub outcomes: OutcomeLabels,

    pub top_links_heading: &'static str,
    pub col_rank: &'static str,
    pub col_link: &'static str,
    pub col_key: &'static str,
    pub col_kind: &'static str,
    pub col_campaign: &'static str,
    pub col_opens: &'static str,
    pub col_uses: &'static str,
    pub kind_order: &'static str,
    pub kind_campaign: &'static str,
    pub kind_referral: &'static str,

    pub top_campaigns_heading: &'static str,

    pub daily_heading: &'static str,
    pub weekly_heading: &'static str,
    pub col_date: &'static str,
    pub col_week_start: &'static str,
    pub col_weekday: &'static str,
    /// Monday first.
    pub weekdays: [&'static str; 7],

    pub referrals_heading: &'static str,
    pub referrals_note: &'static str,
    pub col_referrer: &'static str,
    pub col_telegram_id: &'static str,
    pub col_joined: &'static str,
    pub col_active_7d: &'static str,

    /// In place of an empty table.
    pub no_data: &'static str,
    /// After a heading repeated on the next page.
    pub continued: &'static str,
    pub total: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uzbek_is_written_with_the_modifier_letter_turned_comma() {
        let uz = labels(Lang::Uz);
        assert!(uz.kpi_heading.contains("oʻ"), "{}", uz.kpi_heading);
        for text in [uz.title, uz.kpi_heading, uz.top_links_heading] {
            assert!(!text.contains('\''), "ASCII apostrophe in {text:?}");
        }
    }
}
