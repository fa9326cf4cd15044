//! Progress of long work on standard error: a line redrawn in place with the
//! share done, rows and rate, only when standard error is a terminal (logs
//! and pipes get the final summary alone).

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

/// Redraws at most this often.
const REDRAW: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub struct Progress {
    what: &'static str,
    started: Instant,
    last_drawn: Option<Instant>,
    terminal: bool,
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
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

impl Progress {
    /// `what` names the unit counted (`rows`).
    pub fn new(what: &'static str) -> Self {
        Self {
            what,
            started: Instant::now(),
            last_drawn: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Per second since the start.
    pub fn rate(&self, done: u64) -> u64 {
        let seconds = self.started.elapsed().as_secs_f64();
        if seconds > 0.0 {
            (done as f64 / seconds) as u64
        } else {
            0
        }
    }

    /// Shows `done` of `total` (0: unknown).
    pub fn update(&mut self, done: u64, total: u64) {
        if !self.terminal {
            return;
        }
        let now = Instant::now();
        let finished = total > 0 && done >= total;
        if !finished && self.last_drawn.is_some_and(|t| now - t < REDRAW) {
            return;
        }
        self.last_drawn = Some(now);
        let line = match (done.min(total) * 100).checked_div(total) {
            Some(percent) => {
                const WIDTH: usize = 24;
                let filled = (percent as usize * WIDTH / 100).min(WIDTH);
                format!(
                    "[{}{}] {percent:>3}%  {} / {} {}  {} {}/s",
                    "#".repeat(filled),
                    " ".repeat(WIDTH - filled),
                    thousands(done),
                    thousands(total),
                    self.what,
                    thousands(self.rate(done)),
                    self.what,
                )
            }
            None => format!(
                "{} {}  {} {}/s",
                thousands(done),
                self.what,
                thousands(self.rate(done)),
                self.what
            ),
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    /// Clears the progress line (the caller prints its summary next).
    pub fn finish(&mut self) {
        if self.terminal && self.last_drawn.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_000), "1,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
