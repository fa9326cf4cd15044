//! `startlink demo-data`: fills the database with consistent demo links,
//! users and opens, for trying the panel and for benchmarks at scale.

use anyhow::Context as _;
use clap::Args;
use startlink_core::config::Config;
use startlink_core::demo::{self, DemoSpec};

use super::open_db;
use crate::progress::{Progress, thousands};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Links to create (orders, campaigns, referrals)
    #[arg(long, default_value_t = 1_000, value_name = "N")]
    links: u64,
    /// Opens to record (about one new user per five)
    #[arg(long, default_value_t = 10_000, value_name = "M")]
    events: u64,
    /// Spread everything over this many days up to now
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    days: u32,
    /// Same seed, same numbers (link keys are always random)
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub async fn run(config: &Config, args: DemoArgs) -> anyhow::Result<()> {
    if args.links == 0 && args.events > 0 {
        anyhow::bail!("--events needs links to open: give --links 1 or more");
    }
    let db = open_db(config).await?;
    let spec = DemoSpec {
        links: args.links,
        events: args.events,
        days: args.days,
        seed: args.seed,
    };
    let mut progress = Progress::new("rows");
    let report = demo::seed(&db, &spec, &mut |done, total| progress.update(done, total))
        .await
        .context("while writing demo data")?;
    progress.finish();
    let seconds = progress.elapsed().as_secs_f64();
    println!(
        "wrote {} links, {} opens, {} users, {} redemptions and {} campaigns in {seconds:.1} s ({} rows/s)",
        thousands(report.links),
        thousands(report.events),
        thousands(report.users),
        thousands(report.redemptions),
        report.campaigns,
        thousands((report.rows() as f64 / seconds.max(0.001)) as u64),
    );
    Ok(())
}
