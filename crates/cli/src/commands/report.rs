//! `startlink report`: the PDF report for a period, written atomically.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;
use startlink_core::analytics::{Filter, parse_bound};
use startlink_core::config::Config;
use startlink_core::lang::Lang;
use startlink_report::ReportRequest;

use super::{link_builder, open_db};
use crate::progress::thousands;
use crate::vocabulary::vocabulary;

/// The period when `--from` is not given: this many local days up to `--to`.
const DEFAULT_DAYS: u32 = 30;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Start of the period (inclusive): RFC 3339, or YYYY-MM-DD in TIMEZONE
    /// [default: the start of the 30 days up to --to, its own day included]
    #[arg(long, value_name = "D")]
    from: Option<String>,
    /// End of the period (exclusive): RFC 3339, or YYYY-MM-DD in TIMEZONE
    /// [default: now]
    #[arg(long, value_name = "D")]
    to: Option<String>,
    /// Language of the report: uz, ru or en [default: DEFAULT_LANG, else uz]
    #[arg(long, value_parser = vocabulary::<Lang>(), value_name = "L")]
    lang: Option<Lang>,
    /// PDF file to write (`-` for standard output); nothing is left behind on failure
    #[arg(short = 'o', long = "output", value_name = "FILE.pdf")]
    output: PathBuf,
}

pub async fn run(config: &Config, args: ReportArgs, default_lang: Lang) -> anyhow::Result<()> {
    let started = Instant::now();
    let tz = config.timezone;
    let now = startlink_core::time::now();
    let to = args
        .to
        .as_deref()
        .map(|text| parse_bound("to", text, tz))
        .transpose()?;
    let from = args
        .from
        .as_deref()
        .map(|text| parse_bound("from", text, tz))
        .transpose()?;
    // By default whole local days, so the daily table's first day is the
    // period's first day and the comparison period starts at midnight too.
    let filter = Filter::whole_days(from, to, DEFAULT_DAYS, tz, now);
    filter.check()?;

    // Claim the file before the work, so a path that cannot be written fails
    // at once; the temporary file goes away on every failure.
    let mut target = Output::create(&args.output)?;
    let db = open_db(config).await?;
    let bot = link_builder(&db, config)
        .await?
        .map(|builder| builder.bot().as_str().to_owned());
    let request = ReportRequest {
        filter,
        lang: args.lang.unwrap_or(default_lang),
        tz,
        bot,
        generated_at: now,
    };
    let report = startlink_report::render_document(&db, &request)
        .await
        .context("while making the report")?;
    target.write_all(&report.pdf)?;
    let shown = target.finish()?;
    let summary = format!(
        "wrote {shown}: {} pages, {} bytes in {:.1} s",
        report.pages,
        thousands(report.pdf.len() as u64),
        started.elapsed().as_secs_f64()
    );
    if args.output.as_os_str() == "-" {
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }
    Ok(())
}

/// Standard output, or a temporary file beside the target renamed over it at
/// the end (a reader sees the old file or the whole new one, never half, and
/// a failure leaves no file behind). The temporary name is ours, never the
/// user's text.
enum Output {
    Stdout,
    File {
        temp: PathBuf,
        target: PathBuf,
        file: Option<File>,
    },
}

impl Output {
    fn create(path: &Path) -> anyhow::Result<Self> {
        if path.as_os_str() == "-" {
            return Ok(Self::Stdout);
        }
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let temp = dir.join(format!(
            ".startlink-report-{}-{nanos}.tmp",
            std::process::id()
        ));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Self::File {
            temp,
            target: path.to_path_buf(),
            file: Some(file),
        })
    }

    fn write_all(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        match self {
            Self::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes)
                    .and_then(|()| out.flush())
                    .context("cannot write to standard output")
            }
            Self::File {
                target,
                file: Some(file),
                ..
            } => file
                .write_all(bytes)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", target.display())),
            Self::File { target, .. } => {
                anyhow::bail!("cannot write {}: already closed", target.display())
            }
        }
    }

    /// Renames the temporary file over the target; returns what to call it.
    fn finish(mut self) -> anyhow::Result<String> {
        match &mut self {
            Self::Stdout => Ok("the report to standard output".to_owned()),
            Self::File { temp, target, file } => {
                drop(file.take());
                std::fs::rename(&*temp, &*target)
                    .with_context(|| format!("cannot write {}", target.display()))?;
                // Renamed: nothing is left for `drop` to remove.
                *temp = PathBuf::new();
                Ok(target.display().to_string())
            }
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Self::File { temp, file, .. } = self {
            drop(file.take());
            if !temp.as_os_str().is_empty() {
                let _ = std::fs::remove_file(&*temp);
            }
        }
    }
}
