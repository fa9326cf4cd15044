use super::*;

/// Every template of a language, named.
fn templates(t: &Texts) -> Vec<(&'static str, &'static str)> {
    vec![
        ("welcome", t.welcome),
        ("help_user", t.help_user),
        ("help_operator", t.help_operator),
        ("help_admin", t.help_admin),
        ("redeemed", t.redeemed),
        ("already_yours", t.already_yours),
        ("accepted", t.accepted),
        ("already_used", t.already_used),
        ("expired", t.expired),
        ("revoked", t.revoked),
        ("not_found", t.not_found),
        ("invalid", t.invalid),
        ("detail_title", t.detail_title),
        ("detail_product", t.detail_product),
        ("detail_order", t.detail_order),
        ("operators_only", t.operators_only),
        ("admins_only", t.admins_only),
        ("usage_generate", t.usage_generate),
        ("usage_link", t.usage_link),
        ("usage_qr", t.usage_qr),
        ("usage_revoke", t.usage_revoke),
        ("bad_number", t.bad_number),
        ("bad_ttl", t.bad_ttl),
        ("bad_uses", t.bad_uses),
        ("bad_url", t.bad_url),
        ("link_created", t.link_created),
        ("never", t.never),
        ("unlimited", t.unlimited),
        ("share_button", t.share_button),
        ("revoke_button", t.revoke_button),
        ("share_text", t.share_text),
        ("revoke_confirm", t.revoke_confirm),
        ("revoke_yes", t.revoke_yes),
        ("revoke_no", t.revoke_no),
        ("revoke_done", t.revoke_done),
        ("revoke_already", t.revoke_already),
        ("revoke_cancelled", t.revoke_cancelled),
        ("link_unknown", t.link_unknown),
        ("not_your_link", t.not_your_link),
        ("stats", t.stats),
        ("stats_scope_mine", t.stats_scope_mine),
        ("stats_scope_all", t.stats_scope_all),
        ("stats_recent", t.stats_recent),
        ("stats_none", t.stats_none),
        ("stats_chart_title", t.stats_chart_title),
        ("mylinks_title", t.mylinks_title),
        ("mylinks_empty", t.mylinks_empty),
        ("mylinks_page", t.mylinks_page),
        ("back_button", t.back_button),
        ("link_detail", t.link_detail),
        ("status_active", t.status_active),
        ("status_used", t.status_used),
        ("status_expired", t.status_expired),
        ("status_revoked", t.status_revoked),
        ("referral", t.referral),
        ("lang_prompt", t.lang_prompt),
        ("lang_set", t.lang_set),
        ("unknown_command", t.unknown_command),
        ("usage_report", t.usage_report),
        ("report_caption", t.report_caption),
        ("usage_export", t.usage_export),
        ("export_caption", t.export_caption),
        ("export_too_big", t.export_too_big),
        ("error", t.error),
        ("commands.start", t.commands.start),
        ("commands.help", t.commands.help),
        ("commands.generate", t.commands.generate),
        ("commands.link", t.commands.link),
        ("commands.qr", t.commands.qr),
        ("commands.stats", t.commands.stats),
        ("commands.mylinks", t.commands.mylinks),
        ("commands.revoke", t.commands.revoke),
        ("commands.ref", t.commands.r#ref),
        ("commands.lang", t.commands.lang),
        ("commands.report", t.commands.report),
        ("commands.export", t.commands.export),
    ]
}

fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names
}

const HOSTILE: &str = "<b>&\"'</b>{x}";

#[test]
fn every_message_exists_in_every_language_with_the_same_placeholders() {
    let english = templates(texts(Lang::En));
    for lang in Lang::ALL {
        let own = templates(texts(lang));
        assert_eq!(own.len(), english.len());
        for ((name, template), (_, reference)) in own.iter().zip(&english) {
            assert!(!template.trim().is_empty(), "{lang}: {name} is empty");
            assert_eq!(
                placeholders(template),
                placeholders(reference),
                "{lang}: {name}"
            );
        }
    }
}

#[test]
fn every_template_filled_with_hostile_text_is_valid_telegram_html() {
    for lang in Lang::ALL {
        for (name, template) in templates(texts(lang)) {
            let args: Vec<(&str, Arg<'_>)> = placeholders(template)
                .into_iter()
                .map(|p| (p, Arg::Text(HOSTILE)))
                .collect();
            let filled = fill(template, &args);
            if let Err(error) = startlink_sandbox::parse_html(&filled) {
                panic!("{lang}: {name} is not valid HTML: {error}\n{filled}");
            }
        }
    }
}

#[test]
fn command_descriptions_fit_telegrams_limits() {
    for lang in Lang::ALL {
        for (name, text) in templates(texts(lang))
            .into_iter()
            .filter(|(n, _)| n.starts_with("commands."))
        {
            let len = text.chars().count();
            assert!(
                (1..=256).contains(&len),
                "{lang}: {name} has {len} characters"
            );
        }
    }
}

#[test]
fn placeholders_are_filled_and_values_escaped() {
    let out = fill(
        "a {x} b {y} c {z}",
        &[("x", Arg::Text("<i>")), ("y", Arg::Html("<i>ok</i>"))],
    );
    assert_eq!(out, "a &lt;i&gt; b <i>ok</i> c {z}");
    assert_eq!(fill("no close {x", &[("x", Arg::Text("v"))]), "no close {x");
}
