//! `startlink qr TEXT -o FILE …` and `startlink link qr KEY -o FILE …`: the QR
//! studio on the command line. Options start from a preset and override it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;
use startlink_core::DatabaseConnection;
use startlink_core::links::{self, LinkBuilder, LinkKey};
use startlink_qr::{
    Color, EcLevel, EyeShape, Format, Gradient, GradientKind, Logo, ModuleShape, Preset, QrStyle,
    RenderedQr,
};

use crate::output;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Png,
    Svg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EcArg {
    L,
    M,
    Q,
    H,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GradientArg {
    Linear,
    Radial,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModulesArg {
    Square,
    Rounded,
    Dots,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EyesArg {
    Square,
    Rounded,
    Circle,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PresetArg {
    /// Black on white PNG, square modules
    Default,
    /// Rounded modules and eyes, dark blue radial gradient (add --logo)
    Brand,
    /// SVG for paper: black on white, level Q, margin 6
    Print,
}

/// How the code looks and where it goes; shared by `qr` and `link qr`.
#[derive(Debug, Args)]
pub struct StyleArgs {
    /// File to write, exactly this path (replaced atomically if it exists)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Start from this style; the options below override it
    #[arg(long, value_enum, default_value = "default")]
    preset: PresetArg,
    /// png or svg [default: from the preset, or the output's .png/.svg ending]
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Width in pixels (PNG), or the displayed width of the SVG [default: 600]
    #[arg(long, value_name = "PX")]
    size: Option<u32>,
    /// Quiet zone around the code, in modules [default: 4; print: 6]
    #[arg(long, value_name = "N")]
    margin: Option<u32>,
    /// Error correction [default: H with a logo, M without; print: Q]
    #[arg(long, value_enum, ignore_case = true)]
    ec: Option<EcArg>,
    /// Module colour, #rgb or #rrggbb
    #[arg(long, value_name = "HEX")]
    fg: Option<String>,
    /// Background colour
    #[arg(long, value_name = "HEX")]
    bg: Option<String>,
    /// Fill the modules with a gradient from --fg to --fg2
    #[arg(long, value_enum)]
    gradient: Option<GradientArg>,
    /// The gradient's second colour
    #[arg(long, value_name = "HEX")]
    fg2: Option<String>,
    #[arg(long, value_enum)]
    modules: Option<ModulesArg>,
    /// Shape of the three finder patterns
    #[arg(long, value_enum)]
    eyes: Option<EyesArg>,
    /// Colour of the finder patterns [default: like the modules]
    #[arg(long, value_name = "HEX")]
    eye_color: Option<String>,
    /// PNG, JPEG or SVG logo for the centre; the modules under it are cleared
    #[arg(long, value_name = "PATH")]
    logo: Option<PathBuf>,
    /// A line of text under the code, e.g. "Scan me"
    #[arg(long, value_name = "TEXT")]
    caption: Option<String>,
    /// Print what was written as JSON instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct QrArgs {
    /// What the code holds: a link or any text
    text: String,
    #[command(flatten)]
    style: StyleArgs,
}

#[derive(Debug, Args)]
pub struct LinkQrArgs {
    /// The link's key
    key: String,
    #[command(flatten)]
    style: StyleArgs,
}

/// `startlink qr TEXT -o FILE`.
pub fn run(args: QrArgs) -> anyhow::Result<()> {
    write_qr(&args.text, &args.style)
}

/// `startlink link qr KEY -o FILE`: the stored link's t.me URL.
pub async fn run_link(
    db: &DatabaseConnection,
    builder: Option<&LinkBuilder>,
    args: LinkQrArgs,
) -> anyhow::Result<()> {
    let key = LinkKey::parse(args.key.trim())
        .with_context(|| format!("{:?} is not a link key", args.key))?;
    let link = links::find(db, &key)
        .await
        .with_context(|| format!("cannot read link {key}"))?
        .with_context(|| format!("no link with key {key}"))?;
    let Some(url) = link.url(builder) else {
        bail!(
            "the bot's username is unknown, so link {key} has no t.me URL: set BOT_USERNAME (or --bot-username)"
        );
    };
    write_qr(&url, &args.style)
}

fn write_qr(text: &str, args: &StyleArgs) -> anyhow::Result<()> {
    let style = style(args)?;
    let qr = startlink_qr::render(text, &style).context("cannot make the QR code")?;
    write_atomically(&args.output, &qr.bytes)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    if args.json {
        return print_json(&args.output, &qr);
    }
    report(&args.output, &qr);
    Ok(())
}

fn print_json(output: &Path, qr: &RenderedQr) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Written<'a> {
        path: String,
        format: &'static str,
        width_px: u32,
        height_px: u32,
        bytes: usize,
        version: u8,
        ec: String,
        variant: String,
        degraded: Option<&'a str>,
    }
    output::print_json(&Written {
        path: output.display().to_string(),
        format: qr.format.extension(),
        width_px: qr.width_px,
        height_px: qr.height_px,
        bytes: qr.bytes.len(),
        version: qr.version,
        ec: qr.ec.to_string(),
        variant: qr.variant.to_string().replace(' ', "_"),
        degraded: qr.degraded.as_deref(),
    })
}

fn report(output: &Path, qr: &RenderedQr) {
    let kind = match qr.format {
        Format::Png => "PNG",
        Format::Svg => "SVG",
    };
    println!(
        "Wrote {}: {kind} {}x{} px, QR version {}, error correction {}, decoded back and checked.",
        output.display(),
        qr.width_px,
        qr.height_px,
        qr.version,
        qr.ec
    );
    if let Some(reason) = &qr.degraded {
        eprintln!("note: returned with {} because {reason}", qr.variant);
    }
}

fn color(flag: &str, value: &str) -> anyhow::Result<Color> {
    value.parse::<Color>().with_context(|| format!("--{flag}"))
}

fn style(args: &StyleArgs) -> anyhow::Result<QrStyle> {
    let mut style = QrStyle::preset(match args.preset {
        PresetArg::Default => Preset::Default,
        PresetArg::Brand => Preset::Brand,
        PresetArg::Print => Preset::Print,
    });
    let by_extension = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    // A file named as another picture or document format would be
    // mislabelled; other names (`qr.out`) take --format or the preset's.
    const OTHER_FORMATS: [&str; 12] = [
        "gif", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "ico", "pdf", "eps", "avif", "heic",
    ];
    let named = match by_extension.as_deref() {
        Some("png") => Some(Format::Png),
        Some("svg") => Some(Format::Svg),
        Some(other) if OTHER_FORMATS.contains(&other) => anyhow::bail!(
            "{}: a .{other} file cannot be written; QR codes are PNG or SVG, so name it .png or .svg",
            args.output.display()
        ),
        _ => None,
    };
    let asked = args.format.map(|format| match format {
        FormatArg::Png => Format::Png,
        FormatArg::Svg => Format::Svg,
    });
    style.format = match (asked, named) {
        (Some(asked), Some(named)) if asked != named => anyhow::bail!(
            "{} ends in .{} but --format is {}; make them agree",
            args.output.display(),
            named.extension(),
            asked.extension()
        ),
        (Some(format), _) | (None, Some(format)) => format,
        (None, None) => style.format,
    };
    if let Some(size) = args.size {
        style.size = size;
    }
    if let Some(margin) = args.margin {
        style.margin = margin;
    }
    if let Some(ec) = args.ec {
        style.ec = Some(match ec {
            EcArg::L => EcLevel::L,
            EcArg::M => EcLevel::M,
            EcArg::Q => EcLevel::Q,
            EcArg::H => EcLevel::H,
        });
    }
    if let Some(fg) = &args.fg {
        style.foreground = color("fg", fg)?;
    }
    if let Some(bg) = &args.bg {
        style.background = color("bg", bg)?;
    }
    let to = args.fg2.as_deref().map(|c| color("fg2", c)).transpose()?;
    style.gradient = match (args.gradient, to, style.gradient) {
        (Some(kind), Some(to), _) => Some(Gradient {
            kind: gradient_kind(kind),
            to,
        }),
        (Some(kind), None, Some(preset)) => Some(Gradient {
            kind: gradient_kind(kind),
            ..preset
        }),
        (Some(_), None, None) => bail!("--gradient needs --fg2, the colour it runs to"),
        (None, Some(to), Some(preset)) => Some(Gradient { to, ..preset }),
        (None, Some(_), None) => bail!("--fg2 needs --gradient linear or --gradient radial"),
        (None, None, preset) => preset,
    };
    if let Some(modules) = args.modules {
        style.modules = match modules {
            ModulesArg::Square => ModuleShape::Square,
            ModulesArg::Rounded => ModuleShape::Rounded,
            ModulesArg::Dots => ModuleShape::Dots,
        };
    }
    if let Some(eyes) = args.eyes {
        style.eyes = match eyes {
            EyesArg::Square => EyeShape::Square,
            EyesArg::Rounded => EyeShape::Rounded,
            EyesArg::Circle => EyeShape::Circle,
        };
    }
    if let Some(eye_color) = &args.eye_color {
        style.eye_color = Some(color("eye-color", eye_color)?);
    }
    if let Some(path) = &args.logo {
        style.logo = Some(Arc::new(Logo::from_path(path).context("--logo")?));
    }
    if let Some(caption) = &args.caption {
        style.caption = Some(caption.clone());
    }
    Ok(style)
}

fn gradient_kind(arg: GradientArg) -> GradientKind {
    match arg {
        GradientArg::Linear => GradientKind::Linear,
        GradientArg::Radial => GradientKind::Radial,
    }
}

/// Writes to a fresh temporary file beside `path`, then renames it over
/// `path`: a reader sees the old file or the whole new one, never half.
/// The temporary name is ours (process id and clock), never the user's text.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let temp = dir.join(format!(".startlink-qr-{}-{nanos}.tmp", std::process::id()));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
