//! QR images per second on one core (this is a single-threaded loop).
//!
//! `cargo bench -p startlink-qr --bench render [-- N] [PNG|SVG|styled|plain]`
//!
//! The styled case is the one the bot sends most: a 600 px code of a t.me
//! link with a logo, rounded modules and a radial gradient. Each is timed
//! with the self-check (what `render` always does) and without it, to show
//! what the check costs; SVG the same.
//!
//! Rates are per second of this thread's CPU time (Linux
//! `/proc/thread-self/stat`, 10 ms ticks over seconds of work), so other
//! processes on the machine do not skew them; wall-clock rates are printed
//! beside them.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use startlink_qr::{
    Color, EyeShape, Format, Gradient, GradientKind, Logo, ModuleShape, Preset, QrStyle,
};
use tiny_skia::{Paint, PathBuilder, Pixmap, Transform};

const LINK: &str = "https://t.me/my_shop_bot?start=9W_LFTJjfiIa";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u32 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(400);
    // Any other argument (but cargo's own --bench) picks the cases to run, by name.
    let only: Vec<&String> = args
        .iter()
        .filter(|a| a.parse::<u32>().is_err() && !a.starts_with("--"))
        .collect();
    let logo = Arc::new(Logo::from_bytes(&sample_logo()?)?);
    let styled = QrStyle {
        size: 600,
        modules: ModuleShape::Rounded,
        eyes: EyeShape::Rounded,
        gradient: Some(Gradient {
            kind: GradientKind::Radial,
            to: Color::rgb(0x25, 0x63, 0xeb),
        }),
        logo: Some(logo),
        ..QrStyle::preset(Preset::Brand)
    };
    let svg = QrStyle {
        format: Format::Svg,
        ..styled.clone()
    };
    let plain = QrStyle::preset(Preset::Default);

    println!(
        "{n} renders per case, one thread; images per CPU-second (ms of CPU per image) [per wall-clock second]"
    );
    for (name, style) in [
        ("styled PNG 600 px", &styled),
        ("styled SVG", &svg),
        ("plain PNG 600 px", &plain),
    ] {
        if !only.is_empty() && !only.iter().any(|o| name.contains(o.as_str())) {
            continue;
        }
        let first = startlink_qr::render(LINK, style)?;
        assert!(first.degraded.is_none(), "{name}: {:?}", first.degraded);
        let checked = time(n, || {
            startlink_qr::render(LINK, style).map(|qr| qr.bytes.len())
        })?;
        let unchecked = time(n, || startlink_qr::bench_render_unchecked(LINK, style))?;
        println!(
            "{name:<18} with self-check {}   without {}   {} bytes",
            checked.show(n),
            unchecked.show(n),
            first.bytes.len()
        );
    }
    Ok(())
}

struct Timing {
    cpu: Option<Duration>,
    wall: Duration,
}

impl Timing {
    fn show(&self, n: u32) -> String {
        let rate = |d: Duration| f64::from(n) / d.as_secs_f64();
        let wall = rate(self.wall);
        match self.cpu {
            Some(cpu) => format!(
                "{:>5.0}/s ({:.2} ms) [{wall:>4.0}/s]",
                rate(cpu),
                cpu.as_secs_f64() * 1000.0 / f64::from(n)
            ),
            None => format!("{wall:>5.0}/s wall-clock"),
        }
    }
}

fn time(
    n: u32,
    mut render: impl FnMut() -> Result<usize, startlink_qr::QrError>,
) -> Result<Timing, startlink_qr::QrError> {
    for _ in 0..n.div_ceil(10) {
        black_box(render()?);
    }
    let (cpu_start, wall_start) = (thread_cpu_time(), Instant::now());
    for _ in 0..n {
        black_box(render()?);
    }
    let cpu = thread_cpu_time()
        .zip(cpu_start)
        .map(|(end, start)| end.saturating_sub(start));
    Ok(Timing {
        cpu,
        wall: wall_start.elapsed(),
    })
}

/// This thread's user + system time, from `/proc/thread-self/stat` (fields
/// 14 and 15, in ticks of 10 ms on Linux).
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The command name (field 2) may hold spaces; count fields after its ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// A 512 px round badge, like a shop's logo: a coloured disc with a white mark.
fn sample_logo() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut pixmap = Pixmap::new(512, 512).ok_or("no pixmap")?;
    let mut paint = Paint::default();
    paint.set_color_rgba8(0xe1, 0x1d, 0x48, 255);
    let disc = PathBuilder::from_circle(256.0, 256.0, 250.0).ok_or("no circle")?;
    pixmap.fill_path(
        &disc,
        &paint,
        tiny_skia::FillRule::Winding,
        Transform::identity(),
        None,
    );
    paint.set_color_rgba8(255, 255, 255, 255);
    let mark = PathBuilder::from_circle(256.0, 256.0, 110.0).ok_or("no circle")?;
    pixmap.fill_path(
        &mark,
        &paint,
        tiny_skia::FillRule::Winding,
        Transform::identity(),
        None,
    );
    Ok(pixmap.encode_png()?)
}
