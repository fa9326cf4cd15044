//! Handling stored updates: the bot's own dispatcher, fed from the inbox
//! (`startlink_core::inbox`) by long polling or the webhook.
//!
//! Updates of one chat are handled in order by one of [`WORKERS`] workers
//! (chats hashed onto them); each update is handled in a task of its own, so
//! a panicking handler costs that update, not its worker. An update is marked
//! done in the inbox once handled (successfully or not); one still queued or
//! in hand when the bot stops stays pending and is handed out again at the
//! next start. Stopping waits for the queues to drain until a deadline, then
//! abandons what is left.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use startlink_core::inbox::{self, UpdateRef};
use startlink_core::time;
use teloxide::dptree::di::DependencyMap;
use teloxide::prelude::*;
use teloxide::types::{Me, Update};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::context::BotContext;
use crate::handlers::handler_tree;
use crate::pacing::TgBot;

/// Workers, each with its own queue. teloxide's default, a worker per chat,
/// costs about 32 KB of queue per chat: 160 MB for a 5,000-user burst.
const WORKERS: usize = 256;
/// Updates queued per worker before receiving waits (back-pressure on the
/// poller, or a slower webhook answer).
const QUEUE: usize = 64;

/// One stored update to handle.
#[derive(Debug)]
pub(crate) struct Job {
    pub stored: UpdateRef,
    pub update: Update,
}

/// Where received updates are handed to the workers; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Feed {
    queues: Arc<[mpsc::Sender<Job>]>,
    in_hand: Arc<InHand>,
}

/// The stored updates queued or being handled in this process, whose claims
/// it renews so that no other process takes them over.
#[derive(Debug, Default)]
pub(crate) struct InHand(Mutex<HashSet<UpdateRef>>);

impl InHand {
    fn insert(&self, update: UpdateRef) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(update);
        }
    }

    fn remove(&self, update: UpdateRef) {
        if let Ok(mut set) = self.0.lock() {
            set.remove(&update);
        }
    }

    pub fn snapshot(&self) -> Vec<UpdateRef> {
        self.0
            .lock()
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default()
    }
}

impl Feed {
    /// Queues `job` on its chat's worker; `false` when the bot is stopping
    /// (the update stays pending in the inbox for the next start).
    pub async fn send(&self, job: Job) -> bool {
        let worker = worker_of(&job.update);
        let Some(queue) = self.queues.get(worker) else {
            return false;
        };
        let stored = job.stored;
        self.in_hand.insert(stored);
        let sent = queue.send(job).await.is_ok();
        if !sent {
            self.in_hand.remove(stored);
        }
        sent
    }

    pub fn in_hand(&self) -> Vec<UpdateRef> {
        self.in_hand.snapshot()
    }
}

fn worker_of(update: &Update) -> usize {
    let id = match update.chat() {
        Some(chat) => chat.id.0,
        None => update
            .from()
            .and_then(|user| i64::try_from(user.id.0).ok())
            .unwrap_or_default(),
    };
    // WORKERS is far below i64::MAX, and rem_euclid is never negative.
    usize::try_from(id.rem_euclid(WORKERS as i64)).unwrap_or_default()
}

/// The running workers.
#[derive(Debug)]
pub(crate) struct Workers {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Workers {
    /// Starts the workers; `me` is the bot as `getMe` described it (command
    /// filters need its username).
    pub fn start(bot: TgBot, ctx: Arc<BotContext>, me: Me) -> (Self, Feed) {
        let handler = Arc::new(
            dptree::entry()
                .inspect(|update: Update, ctx: Arc<BotContext>| ctx.metrics.record_update(&update))
                .chain(handler_tree()),
        );
        let mut deps = DependencyMap::new();
        deps.insert(ctx.clone());
        deps.insert(Bot::clone(&bot));
        deps.insert(bot);
        deps.insert(me);
        let deps = Arc::new(deps);
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut queues = Vec::with_capacity(WORKERS);
        let in_hand = Arc::new(InHand::default());
        for _ in 0..WORKERS {
            let (tx, rx) = mpsc::channel(QUEUE);
            queues.push(tx);
            tasks.spawn(work(
                rx,
                stopped.clone(),
                handler.clone(),
                deps.clone(),
                ctx.clone(),
                in_hand.clone(),
            ));
        }
        let feed = Feed {
            queues: queues.into(),
            in_hand,
        };
        (Self { stop, tasks }, feed)
    }

    /// Stops taking updates, lets the queued ones be handled until `deadline`,
    /// then abandons the rest (they stay pending in the inbox).
    pub async fn stop(mut self, deadline: Duration) {
        let _ = self.stop.send(true);
        let drained = tokio::time::timeout(deadline, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                seconds = deadline.as_secs(),
                "updates still in hand at the stop deadline are left for the next start"
            );
            self.tasks.shutdown().await;
        }
    }
}

async fn work(
    mut queue: mpsc::Receiver<Job>,
    mut stopped: watch::Receiver<bool>,
    handler: Arc<teloxide::dispatching::UpdateHandler<anyhow::Error>>,
    deps: Arc<DependencyMap>,
    ctx: Arc<BotContext>,
    in_hand: Arc<InHand>,
) {
    loop {
        let job = tokio::select! {
            biased;
            job = queue.recv() => job,
            _ = until_stopped(&mut stopped) => {
                // No more jobs come in; the ones already queued are handled.
                queue.close();
                queue.recv().await
            }
        };
        let Some(job) = job else { return };
        let stored = job.stored;
        let handling = tokio::spawn(handle(job, handler.clone(), deps.clone(), ctx.clone()));
        // Aborted with the worker at the deadline: not marked done, so the
        // update is handed out again at the next start.
        let _abort = AbortOnDrop(handling.abort_handle());
        if let Err(error) = handling.await {
            ctx.metrics.record_failure();
            tracing::error!(stored = stored.id(), "a bot handler panicked: {error}");
        }
        // A panic is not retried: it would panic again at every start.
        if let Err(error) = inbox::done(&ctx.db, stored, time::now()).await {
            tracing::warn!(
                stored = stored.id(),
                "could not mark an update done; it will be handled again: {error}"
            );
        }
        in_hand.remove(stored);
    }
}

/// Resolves once `stopped` turns true (or its sender is gone).
pub(crate) async fn until_stopped(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn handle(
    job: Job,
    handler: Arc<teloxide::dispatching::UpdateHandler<anyhow::Error>>,
    deps: Arc<DependencyMap>,
    ctx: Arc<BotContext>,
) {
    let mut deps = DependencyMap::clone(&deps);
    let update_id = job.update.id.0;
    deps.insert(job.stored);
    deps.insert(job.update);
    match handler.dispatch(deps).await {
        ControlFlow::Break(Ok(())) => {}
        ControlFlow::Break(Err(error)) => {
            ctx.metrics.record_failure();
            tracing::error!("a bot handler failed: {error:#}");
        }
        ControlFlow::Continue(_) => {
            tracing::debug!(update_id, "update of a kind the bot ignores");
        }
    }
}
