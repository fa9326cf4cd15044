//! Where password hashes are checked: on `CHECKERS` threads of their own,
//! at most that many at once, each login waiting `QUEUE_WAIT` at most for a
//! turn before it is answered 503.
//!
//! An argon2 check takes 19 MiB (OWASP's parameters, `core::admins`), so
//! concurrency is memory: 300 checks at once took 5.8 GB. The bound keeps it
//! at `CHECKERS` × 19 MiB, and each checker thread keeps its 19 MiB
//! (`CheckMemory`) for every check instead of asking malloc each time: glibc
//! raises its mmap threshold after the first such block is freed, and later
//! ones then stay in its arenas, fragmented — a bounded two checks at a time
//! still left the server near 200 MB after 1,000 failed logins
//! (BENCHMARKS.md, "Failed logins").

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use startlink_core::admins::{Admin, CheckMemory, Credentials};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// Password checks running at once.
pub const CHECKERS: usize = 2;
/// How long a login waits for a checker before it is answered 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(3);

type Job = Box<dyn FnOnce(&mut CheckMemory) + Send>;

/// No checker became free within `QUEUE_WAIT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("every password checker is busy")]
pub struct Busy;

#[derive(Debug)]
pub struct PasswordChecks {
    permits: Arc<Semaphore>,
    jobs: Mutex<mpsc::Sender<Job>>,
    started: Arc<AtomicU64>,
}

impl Default for PasswordChecks {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordChecks {
    /// Starts the checker threads; they end when this is dropped.
    pub fn new() -> Self {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..CHECKERS {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-check-{n}"))
                .spawn(move || {
                    let mut memory = CheckMemory::new();
                    loop {
                        let job = match receiver
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .recv()
                        {
                            Ok(job) => job,
                            Err(_) => return,
                        };
                        job(&mut memory);
                    }
                });
            if let Err(error) = spawned {
                tracing::error!("cannot start a password checker thread: {error}");
            }
        }
        Self {
            permits: Arc::new(Semaphore::new(CHECKERS)),
            jobs: Mutex::new(sender),
            started: Arc::default(),
        }
    }

    /// Checks `password` against `credentials` when a checker is free within
    /// `QUEUE_WAIT`. The check runs to its end even if the caller goes away.
    pub async fn verify(
        &self,
        credentials: Credentials,
        password: String,
    ) -> Result<Option<Admin>, Busy> {
        let permit = tokio::time::timeout(QUEUE_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let (answer, answered) = oneshot::channel();
        let started = self.started.clone();
        let job: Job = Box::new(move |memory| {
            let _permit: OwnedSemaphorePermit = permit;
            started.fetch_add(1, Ordering::Relaxed);
            let _ = answer.send(credentials.verify_in(&password, memory));
        });
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .send(job)
            .map_err(|_| Busy)?;
        answered.await.map_err(|_| Busy)
    }

    /// Password checks started since this process began.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }
}
