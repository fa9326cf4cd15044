//! Writes a sample `/stats` chart: `cargo run -p startlink-charts --example stats_chart -- out.png`.
#![allow(clippy::unwrap_used)]

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "chart.png".to_owned());
    let bars = (12..=25)
        .map(|d| (format!("11-{d}"), f64::from((d * 7) % 23)))
        .collect();
    let chart = startlink_charts::BarChart {
        title: "Ochilishlar, oxirgi 14 kun".into(),
        bars,
        width: 800,
        height: 400,
    };
    std::fs::write(&path, chart.png().unwrap()).unwrap();
}
