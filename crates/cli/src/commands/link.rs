//! `startlink link …`

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use startlink_core::audit::{Action, Entry};
use startlink_core::config::Config;
use startlink_core::events::{self, Event, EventFilter, Outcome};
use startlink_core::links::{
    self, CampaignRef, ExpiryChange, Extension, Link, LinkBuilder, LinkKey, LinkKind, LinkListing,
    LinkSelection, LinkSort, LinkStatus, LinkView, NewLink, UseLimit,
};
use startlink_core::time;
use startlink_core::users::{TgProfile, TgUserId};

use super::{link_builder, note, open_db};
use crate::output;
use crate::vocabulary::vocabulary;

#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Create an order or campaign link and print it
    Create(CreateArgs),
    /// List links, newest first
    List(ListArgs),
    /// Show one link with its latest events
    Show(ShowArgs),
    /// Revoke a link: nobody can take a use of it any more
    Revoke(KeyArgs),
    /// Give a link a new expiry and/or more uses
    Extend(ExtendArgs),
    /// Open a link exactly as a Telegram `/start KEY` would, and print the outcome
    Open(OpenArgs),
    /// Write the link's QR code (PNG or SVG) to a file
    Qr(super::qr::LinkQrArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Order,
    Campaign,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Newest,
    Oldest,
    MostUsed,
    ExpiresSoonest,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// What the link is for: an order (one-time by default) or a campaign (unlimited by default)
    #[arg(long, value_enum, default_value = "order")]
    kind: KindArg,
    /// Product id carried by the link
    #[arg(long = "product", value_name = "N")]
    product_id: Option<i64>,
    /// Order log id carried by the link
    #[arg(long = "order", value_name = "N")]
    order_log_id: Option<i64>,
    /// How many users may take a use of it (default: 1 for an order, unlimited for a campaign)
    #[arg(long, value_name = "N", conflicts_with = "unlimited", value_parser = clap::value_parser!(i64).range(1..))]
    uses: Option<i64>,
    /// No limit on uses
    #[arg(long)]
    unlimited: bool,
    /// Expire after this long: 90m, 24h, 7d, 2w, 1d12h
    #[arg(long, value_name = "DURATION", conflicts_with = "expires")]
    ttl: Option<String>,
    /// Expire at this time: RFC 3339 (2026-12-31T23:59:00+05:00) or "2026-12-31 23:59" in TIMEZONE
    #[arg(long, value_name = "TIME")]
    expires: Option<String>,
    /// Title shown to the operator and to the user who redeems it
    #[arg(long)]
    title: Option<String>,
    /// Text the bot answers with when the link is opened
    #[arg(long = "welcome", value_name = "TEXT")]
    welcome_text: Option<String>,
    /// Campaign name (created if new)
    #[arg(long)]
    campaign: Option<String>,
    #[arg(long, value_name = "S")]
    utm_source: Option<String>,
    #[arg(long, value_name = "M")]
    utm_medium: Option<String>,
    #[arg(long, value_name = "C")]
    utm_campaign: Option<String>,
    /// Free-form JSON object stored with the link
    #[arg(long, value_name = "JSON")]
    attrs: Option<String>,
    /// Telegram id of the operator the link belongs to
    #[arg(long, value_name = "TG_ID")]
    created_by: Option<TgUserId>,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_parser = vocabulary::<LinkStatus>())]
    status: Option<LinkStatus>,
    #[arg(long, value_parser = vocabulary::<LinkKind>())]
    kind: Option<LinkKind>,
    /// Only links of this campaign
    #[arg(long)]
    campaign: Option<String>,
    /// Only links created by this Telegram user
    #[arg(long, value_name = "TG_ID")]
    created_by: Option<TgUserId>,
    /// Text to find in key, title or welcome text
    #[arg(long, short = 's')]
    search: Option<String>,
    #[arg(long, value_enum, default_value = "newest")]
    sort: SortArg,
    /// Links per page
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    limit: u64,
    /// Page number, from 1
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    page: u64,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    key: String,
    /// How many of the latest events to show
    #[arg(long, default_value_t = 50)]
    events: u64,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    key: String,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ExtendArgs {
    key: String,
    /// New expiry, counted from now: 90m, 24h, 7d
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["expires", "never_expires"])]
    ttl: Option<String>,
    /// New expiry time: RFC 3339 or "2026-12-31 23:59" in TIMEZONE
    #[arg(long, value_name = "TIME", conflicts_with = "never_expires")]
    expires: Option<String>,
    /// Remove the expiry
    #[arg(long)]
    never_expires: bool,
    /// Uses to add to the link's limit
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
    uses: Option<i64>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The start payload: a key, or an aiogram-encoded key
    payload: String,
    /// Telegram id of the user opening it
    #[arg(long = "user", value_name = "TG_ID")]
    user: TgUserId,
    #[arg(long)]
    username: Option<String>,
    #[arg(long)]
    first_name: Option<String>,
    /// The user's Telegram language_code
    #[arg(long = "lang", value_name = "CODE")]
    language_code: Option<String>,
    #[arg(long)]
    json: bool,
}

pub async fn run(config: &Config, command: LinkCommand) -> anyhow::Result<()> {
    let db = open_db(config).await?;
    let builder = link_builder(&db, config).await?;
    let now = time::now();
    let tz = config.timezone;
    match command {
        LinkCommand::Create(args) => {
            let json = args.json;
            let new = new_link(args, config)?;
            let link = links::create(&db, new, now)
                .await
                .context("cannot create the link")?;
            note(&db, Entry::link(Action::LinkCreate, &link)).await;
            if json {
                output::print_json(&link.view(builder.as_ref(), now))
            } else {
                print_created(&link, builder.as_ref(), tz);
                Ok(())
            }
        }
        LinkCommand::List(args) => {
            let selection = LinkSelection {
                status: args.status,
                kind: args.kind,
                creator: args.created_by.map(TgUserId::get),
                campaign: args
                    .campaign
                    .filter(|c| !c.trim().is_empty())
                    .map(|c| CampaignRef::Name(c.trim().to_owned())),
                search: args.search.filter(|s| !s.trim().is_empty()),
            };
            let filter = LinkListing {
                selection,
                sort: match args.sort {
                    SortArg::Newest => LinkSort::Newest,
                    SortArg::Oldest => LinkSort::Oldest,
                    SortArg::MostUsed => LinkSort::MostUsed,
                    SortArg::ExpiresSoonest => LinkSort::ExpiresSoonest,
                },
                limit: args.limit,
                page: args.page - 1,
            };
            let page = links::list(&db, &filter, now)
                .await
                .context("cannot list links")?;
            if args.json {
                #[derive(Serialize)]
                struct Listing {
                    total: u64,
                    page: u64,
                    per_page: u64,
                    links: Vec<LinkView>,
                }
                let views = page
                    .items
                    .iter()
                    .map(|l| l.view(builder.as_ref(), now))
                    .collect();
                return output::print_json(&Listing {
                    total: page.total,
                    page: page.page + 1,
                    per_page: page.per_page,
                    links: views,
                });
            }
            print_list(
                &page.items,
                page.total,
                page.page + 1,
                page.per_page,
                tz,
                now,
            );
            Ok(())
        }
        LinkCommand::Show(args) => {
            let key = parse_key(&args.key)?;
            let link = find(&db, &key).await?;
            let events = events::list(
                &db,
                &EventFilter {
                    link_id: Some(link.id),
                    limit: args.events,
                    ..Default::default()
                },
            )
            .await
            .context("cannot read the link's events")?;
            if args.json {
                #[derive(Serialize)]
                struct Shown<'a> {
                    #[serde(flatten)]
                    link: LinkView,
                    events: &'a [Event],
                }
                return output::print_json(&Shown {
                    link: link.view(builder.as_ref(), now),
                    events: &events,
                });
            }
            print_link(&link, builder.as_ref(), tz, now);
            print_events(&events, tz);
            Ok(())
        }
        LinkCommand::Revoke(args) => {
            let key = parse_key(&args.key)?;
            let revocation = links::revoke(&db, &key, now)
                .await
                .with_context(|| format!("cannot revoke {key}"))?;
            note(&db, Entry::new(Action::LinkRevoke).object("link", &key)).await;
            if args.json {
                return output::print_json(&revocation.link.view(builder.as_ref(), now));
            }
            if revocation.newly_revoked {
                println!("Revoked {key}. Nobody can take a use of it any more.");
            } else {
                println!(
                    "{key} was already revoked at {}.",
                    output::optional_time(revocation.link.revoked_at, tz, "?")
                );
            }
            Ok(())
        }
        LinkCommand::Extend(args) => {
            let key = parse_key(&args.key)?;
            let expiry = if args.never_expires {
                Some(ExpiryChange::Never)
            } else if let Some(ttl) = &args.ttl {
                Some(ExpiryChange::At(now + time::parse_ttl(ttl)?))
            } else if let Some(at) = &args.expires {
                Some(ExpiryChange::At(time::parse_instant(at, tz)?))
            } else {
                None
            };
            if expiry.is_none() && args.uses.is_none() {
                bail!("nothing to change: give --ttl, --expires, --never-expires or --uses");
            }
            let change = Extension {
                expiry,
                more_uses: args.uses,
            };
            let link = links::extend(&db, &key, change, now)
                .await
                .with_context(|| format!("cannot extend {key}"))?;
            note(&db, Entry::link(Action::LinkExtend, &link)).await;
            if args.json {
                return output::print_json(&link.view(builder.as_ref(), now));
            }
            println!("Extended {key}.");
            print_link(&link, builder.as_ref(), tz, now);
            Ok(())
        }
        LinkCommand::Qr(args) => super::qr::run_link(&db, builder.as_ref(), args).await,
        LinkCommand::Open(args) => {
            let profile = TgProfile {
                id: args.user,
                username: args.username,
                first_name: args.first_name,
                language_code: args.language_code,
            };
            let opened = links::open(&db, &args.payload, &profile, now)
                .await
                .context("cannot open the link")?;
            if args.json {
                #[derive(Serialize)]
                struct OpenedJson {
                    outcome: Outcome,
                    new_user: bool,
                    #[serde(flatten)]
                    link: Option<LinkView>,
                }
                return output::print_json(&OpenedJson {
                    outcome: opened.outcome,
                    new_user: opened.new_user,
                    link: opened.link.as_ref().map(|l| l.view(builder.as_ref(), now)),
                });
            }
            print_opened(
                opened.outcome,
                opened.link.as_ref(),
                args.user,
                &args.payload,
            );
            Ok(())
        }
    }
}

fn new_link(args: CreateArgs, config: &Config) -> anyhow::Result<NewLink> {
    let now = time::now();
    let expires_at = match (&args.ttl, &args.expires) {
        (Some(ttl), _) => Some(now + time::parse_ttl(ttl)?),
        (None, Some(at)) => Some(time::parse_instant(at, config.timezone)?),
        (None, None) => None,
    };
    let attrs = args
        .attrs
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>)
        .transpose()
        .context("--attrs is not valid JSON")?;
    Ok(NewLink {
        kind: Some(match args.kind {
            KindArg::Order => LinkKind::Order,
            KindArg::Campaign => LinkKind::Campaign,
        }),
        product_id: args.product_id,
        order_log_id: args.order_log_id,
        attrs,
        title: args.title,
        welcome_text: args.welcome_text,
        campaign: args.campaign,
        utm_source: args.utm_source,
        utm_medium: args.utm_medium,
        utm_campaign: args.utm_campaign,
        uses: match (args.uses, args.unlimited) {
            (_, true) => UseLimit::Unlimited,
            (Some(n), false) => UseLimit::Max(n),
            (None, false) => UseLimit::KindDefault,
        },
        expires_at,
        created_by: args.created_by.map(TgUserId::get),
    })
}

fn parse_key(input: &str) -> anyhow::Result<LinkKey> {
    LinkKey::parse(input.trim())
        .with_context(|| format!("{:?} is not a link key", output::text(input, 80)))
}

async fn find(db: &startlink_core::DatabaseConnection, key: &LinkKey) -> anyhow::Result<Link> {
    links::find(db, key)
        .await
        .with_context(|| format!("cannot read link {key}"))?
        .with_context(|| format!("no link with key {key}"))
}

fn url_line(link: &Link, builder: Option<&LinkBuilder>) -> String {
    link.url(builder)
        .unwrap_or_else(|| "(set BOT_USERNAME to build the t.me link)".to_owned())
}

fn uses(link: &Link) -> String {
    match link.max_uses {
        Some(max) => format!("{} of {max}", link.use_count),
        None => format!("{} (unlimited)", link.use_count),
    }
}

fn print_created(link: &Link, builder: Option<&LinkBuilder>, tz: chrono_tz::Tz) {
    println!("{}", url_line(link, builder));
    println!("key:      {}", link.key);
    println!("kind:     {}", link.kind);
    println!(
        "product:  {}   order: {}",
        output::optional_number(link.product_id),
        output::optional_number(link.order_log_id)
    );
    println!("uses:     {}", uses(link));
    println!(
        "expires:  {}",
        output::optional_time(link.expires_at, tz, "never")
    );
}

fn print_link(
    link: &Link,
    builder: Option<&LinkBuilder>,
    tz: chrono_tz::Tz,
    now: chrono::DateTime<chrono::Utc>,
) {
    println!("link:     {}", url_line(link, builder));
    println!("key:      {}", link.key);
    println!("kind:     {}", link.kind);
    println!("status:   {}", link.status(now));
    println!(
        "product:  {}   order: {}",
        output::optional_number(link.product_id),
        output::optional_number(link.order_log_id)
    );
    println!(
        "title:    {}",
        output::optional_text(link.title.as_deref(), 200)
    );
    println!(
        "welcome:  {}",
        output::optional_text(link.welcome_text.as_deref(), 200)
    );
    println!(
        "campaign: {}",
        output::optional_text(link.campaign.as_deref(), 128)
    );
    if link.utm_source.is_some() || link.utm_medium.is_some() || link.utm_campaign.is_some() {
        println!(
            "utm:      source={} medium={} campaign={}",
            output::optional_text(link.utm_source.as_deref(), 64),
            output::optional_text(link.utm_medium.as_deref(), 64),
            output::optional_text(link.utm_campaign.as_deref(), 64)
        );
    }
    println!("uses:     {}", uses(link));
    println!(
        "expires:  {}",
        output::optional_time(link.expires_at, tz, "never")
    );
    if let Some(at) = link.revoked_at {
        println!("revoked:  {}", output::time(at, tz));
    }
    println!(
        "created:  {} by {}",
        output::time(link.created_at, tz),
        output::optional_number(link.created_by)
    );
}

fn print_list(
    items: &[Link],
    total: u64,
    page: u64,
    per_page: u64,
    tz: chrono_tz::Tz,
    now: chrono::DateTime<chrono::Utc>,
) {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|l| {
            vec![
                l.key.to_string(),
                l.kind.to_string(),
                l.status(now).to_string(),
                uses(l),
                output::optional_number(l.product_id),
                output::optional_number(l.order_log_id),
                output::optional_time(l.expires_at, tz, "never"),
                output::optional_text(l.title.as_deref(), 40),
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(
            &[
                "KEY", "KIND", "STATUS", "USES", "PRODUCT", "ORDER", "EXPIRES", "TITLE"
            ],
            &rows
        )
    );
    let pages = total.div_ceil(per_page).max(1);
    println!("{} of {total} link(s), page {page} of {pages}", items.len());
}

fn print_events(events: &[Event], tz: chrono_tz::Tz) {
    if events.is_empty() {
        println!("\nNo opens yet.");
        return;
    }
    println!("\nLatest opens:");
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                output::time(e.at, tz),
                e.tg_user_id.to_string(),
                e.outcome.to_string(),
                if e.new_user {
                    "new".into()
                } else {
                    "returning".into()
                },
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(&["AT", "USER", "OUTCOME", "USER WAS"], &rows)
    );
}

fn print_opened(outcome: Outcome, link: Option<&Link>, user: TgUserId, payload: &str) {
    let key = link.map_or_else(|| output::text(payload, 80), |l| l.key.to_string());
    let order = link.map_or_else(String::new, |l| {
        format!(
            " (product {}, order {})",
            output::optional_number(l.product_id),
            output::optional_number(l.order_log_id)
        )
    });
    let message = match outcome {
        Outcome::Redeemed => format!("redeemed: user {user} took link {key}{order}"),
        Outcome::AlreadyYours => format!(
            "already_yours: user {user} had already taken link {key}{order}; nothing new counted"
        ),
        Outcome::Accepted => format!("accepted: link {key} counted user {user}"),
        Outcome::AlreadyUsed => {
            format!("already_used: every use of link {key} is taken by other users")
        }
        Outcome::Expired => format!("expired: link {key} has expired"),
        Outcome::Revoked => format!("revoked: link {key} is revoked"),
        Outcome::NotFound => format!("not_found: no link matches {key:?}"),
        Outcome::Invalid => format!("invalid: {key:?} is not a valid start payload"),
    };
    println!("{message}");
}
