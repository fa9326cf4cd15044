//! `startlink export`: a dataset as XLSX or CSV, to a file (written under a
//! temporary name next to it and renamed at the end, so a failure leaves no
//! partial file) or to standard output.

use std::fs;
use std::io::{self, BufWriter, IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use startlink_core::analytics::{Filter, SelectionText};
use startlink_core::config::Config;
use startlink_core::lang::Lang;
use startlink_core::links::{LinkKind, LinkStatus};
use startlink_core::time;
use startlink_export::{Dataset, ExportError, ExportRequest, ExportSummary, Format};

use super::{link_builder, open_db};
use crate::vocabulary::vocabulary;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DatasetArg {
    Links,
    Events,
    Users,
    Campaigns,
    /// Every dataset, a sheet each, and a summary sheet (XLSX only)
    All,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Xlsx,
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export
    #[arg(value_enum)]
    dataset: DatasetArg,
    /// File format (`all` is XLSX only)
    #[arg(long, value_enum)]
    format: FormatArg,
    /// From this time, inclusive: RFC 3339 or a date (2026-11-01) in TIMEZONE
    #[arg(long, value_name = "D")]
    from: Option<String>,
    /// Until this time, exclusive: RFC 3339 or a date (2026-12-01) in TIMEZONE
    #[arg(long, value_name = "D")]
    to: Option<String>,
    /// Only this campaign's links (and their events, users)
    #[arg(long, value_name = "NAME")]
    campaign: Option<String>,
    /// Only links created by this Telegram user (and their events, users)
    #[arg(long, value_name = "ID")]
    creator: Option<String>,
    /// Only links of this kind (and their events, users)
    #[arg(long, value_parser = vocabulary::<LinkKind>(), value_name = "K")]
    kind: Option<LinkKind>,
    /// Only links with this status now (and their events, users)
    #[arg(long, value_parser = vocabulary::<LinkStatus>(), value_name = "S")]
    status: Option<LinkStatus>,
    /// Only links whose key, title or welcome text contains this, in any case
    /// (and their events, users)
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Language of XLSX headers (CSV headers are the JSON field names)
    /// [default: DEFAULT_LANG, else uz]
    #[arg(long, value_parser = vocabulary::<Lang>(), value_name = "L")]
    lang: Option<Lang>,
    /// CSV: start with a UTF-8 byte order mark (for Excel on Windows)
    #[arg(long)]
    bom: bool,
    /// Where to write: a file, or - for standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
}

pub async fn run(config: &Config, args: ExportArgs, default_lang: Lang) -> anyhow::Result<()> {
    let request = request(config, &args, default_lang)?;
    let target = Target::prepare(&args.output, request.format)?;
    let db = open_db(config).await?;
    let request = ExportRequest {
        link_builder: link_builder(&db, config).await?,
        ..request
    };

    let started = Instant::now();
    let mut progress = Progress::new(started);
    let mut on_rows = |rows: u64| progress.show(rows);
    let summary = match &target {
        Target::Stdout if request.format == Format::Csv => {
            let mut stdout = BufWriter::new(io::stdout());
            let summary =
                startlink_export::export(&db, &request, &mut stdout, &mut on_rows).await?;
            stdout.flush().context("while writing to standard output")?;
            summary
        }
        Target::Stdout | Target::File { .. } => {
            let temp = target.temp_file()?;
            let mut writer = BufWriter::new(temp.as_file());
            let summary =
                startlink_export::export(&db, &request, &mut writer, &mut on_rows).await?;
            writer.flush().context("while writing the export")?;
            drop(writer);
            target.finish(temp)?;
            summary
        }
    };
    progress.clear();
    eprintln!("{}", summary_line(&summary, &target, started.elapsed()));
    Ok(())
}

fn request(
    config: &Config,
    args: &ExportArgs,
    default_lang: Lang,
) -> anyhow::Result<ExportRequest> {
    let dataset = match args.dataset {
        DatasetArg::Links => Dataset::Links,
        DatasetArg::Events => Dataset::Events,
        DatasetArg::Users => Dataset::Users,
        DatasetArg::Campaigns => Dataset::Campaigns,
        DatasetArg::All => Dataset::All,
    };
    let format = match args.format {
        FormatArg::Xlsx => Format::Xlsx,
        FormatArg::Csv => Format::Csv,
    };
    if dataset == Dataset::All && format == Format::Csv {
        bail!(ExportError::AllAsCsv);
    }
    let links = SelectionText {
        campaign: args.campaign.clone(),
        creator: args.creator.clone(),
        kind: args.kind.map(|k| k.as_str().to_owned()),
        status: args.status.map(|s| s.as_str().to_owned()),
        search: args.search.clone(),
    };
    let mut request = ExportRequest::new(dataset, format, config.timezone, time::now());
    request.filter = Filter::from_text(
        args.from.as_deref(),
        args.to.as_deref(),
        &links,
        config.timezone,
    )?;
    request.lang = args.lang.unwrap_or(default_lang);
    request.bom = args.bom;
    Ok(request)
}

/// Where the export goes.
enum Target {
    Stdout,
    File { path: PathBuf, dir: PathBuf },
}

impl Target {
    /// Checks the destination before any work: a file's directory must exist and
    /// take a new file (tried by creating and removing the temporary one).
    fn prepare(output: &Path, format: Format) -> anyhow::Result<Self> {
        if output.as_os_str() == "-" {
            if format == Format::Xlsx && io::stdout().is_terminal() {
                bail!("an XLSX file is binary: redirect standard output, or use -o FILE");
            }
            return Ok(Self::Stdout);
        }
        if output.is_dir() {
            bail!("{} is a directory: name a file", output.display());
        }
        let dir = match output.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let target = Self::File {
            path: output.to_path_buf(),
            dir,
        };
        drop(target.temp_file()?);
        Ok(target)
    }

    /// A temporary file, removed when dropped unless persisted: next to the
    /// target (so the final rename stays on one file system), or in the system's
    /// temporary directory for standard output.
    fn temp_file(&self) -> anyhow::Result<tempfile::NamedTempFile> {
        let builder = tempfile::Builder::new()
            .prefix(".startlink-export-")
            .suffix(".part")
            .to_owned();
        match self {
            Self::Stdout => builder
                .tempfile()
                .context("cannot create a temporary file for the export"),
            // tempfile's error names the temporary path; the user named another.
            Self::File { path, dir } => builder.tempfile_in(dir).map_err(|e| {
                let cause = e
                    .raw_os_error()
                    .map_or_else(|| io::Error::from(e.kind()), io::Error::from_raw_os_error);
                anyhow::anyhow!("cannot write {}: {cause}", path.display())
            }),
        }
    }

    fn finish(&self, temp: tempfile::NamedTempFile) -> anyhow::Result<()> {
        match self {
            Self::Stdout => {
                let mut file = fs::File::open(temp.path()).context("while reading the export")?;
                let mut stdout = io::stdout().lock();
                io::copy(&mut file, &mut stdout).context("while writing to standard output")?;
                stdout.flush().context("while writing to standard output")?;
                Ok(())
            }
            Self::File { path, .. } => {
                temp.persist(path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Ok(())
            }
        }
    }

    fn name(&self) -> String {
        match self {
            Self::Stdout => "standard output".to_owned(),
            Self::File { path, .. } => path.display().to_string(),
        }
    }
}

/// Rows done and rate on standard error, redrawn at most five times a second,
/// only when standard error is a terminal.
struct Progress {
    started: Instant,
    last: Option<Instant>,
    enabled: bool,
}

impl Progress {
    fn new(started: Instant) -> Self {
        Self {
            started,
            last: None,
            enabled: io::stderr().is_terminal(),
        }
    }

    fn show(&mut self, rows: u64) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if self
            .last
            .is_some_and(|last| now - last < Duration::from_millis(200))
        {
            return;
        }
        self.last = Some(now);
        let seconds = (now - self.started).as_secs_f64().max(0.001);
        let rate = rows as f64 / seconds;
        eprint!(
            "\r\x1b[K{} rows, {}/s",
            thousands(rows),
            thousands(rate as u64)
        );
    }

    fn clear(&self) {
        if self.enabled && self.last.is_some() {
            eprint!("\r\x1b[K");
        }
    }
}

fn summary_line(summary: &ExportSummary, target: &Target, took: Duration) -> String {
    let sheets: Vec<String> = summary
        .sheets
        .iter()
        .map(|s| format!("{} {}", s.name, thousands(s.rows)))
        .collect();
    format!(
        "exported {} rows ({}) to {} in {:.1} s",
        thousands(summary.rows()),
        sheets.join(", "),
        target.name(),
        took.as_secs_f64()
    )
}

/// 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_by_commas() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (1_048_576, "1,048,576"),
        ] {
            assert_eq!(thousands(n), text);
        }
    }
}
