//! Receiving updates into the inbox before Telegram is told they arrived.
//!
//! Long polling confirms an update by asking for the next offset; here that
//! happens only after the update is stored (`startlink_core::inbox::receive`),
//! so a crash at any point loses nothing: what was stored is handed out again
//! at the next start, and what was not is delivered again by Telegram. The
//! webhook answers 2xx likewise only once the update is stored. A redelivery
//! of an update already stored is recognised and not handled twice.

use std::sync::Arc;
use std::time::Duration;

use startlink_core::inbox::{self, Incoming, Receipt};
use startlink_core::time;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Update};
use tokio::sync::watch;

use crate::context::BotContext;
use crate::dispatch::{Feed, Job, until_stopped};
use crate::pacing::TgBot;

/// How long a claim on an update holds before another process may take it
/// over (a replica that died while handling it). Claims on updates in hand
/// are renewed every [`SWEEP_EVERY`], so a long handler keeps its own.
pub(crate) const LEASE: Duration = Duration::from_secs(90);
/// How often claims are renewed and unfinished updates of dead processes
/// looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// Updates handed out again per query.
const RESUME_BATCH: u64 = 500;
/// Long polling's wait for updates; below the HTTP client's own timeout
/// (teloxide's 17 s), which would otherwise cut every idle poll short.
const POLL_TIMEOUT_SECS: u32 = 10;
/// The longest pause between failed `getUpdates`.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Why an update could not be taken in.
#[derive(Debug, thiserror::Error)]
pub(crate) enum IntakeError {
    #[error("the update cannot be stored as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("while storing the update in the inbox: {0}")]
    Db(#[from] startlink_core::DbErr),
}

/// Receives updates for one bot: stores them, then hands them to the workers.
#[derive(Debug, Clone)]
pub(crate) struct Intake {
    pub ctx: Arc<BotContext>,
    pub feed: Feed,
}

impl Intake {
    /// Stores `update` and queues it when it is not a redelivery of one
    /// stored before. Once this returns `Ok`, the update may be confirmed to
    /// Telegram.
    pub async fn accept(&self, update: Update) -> Result<(), IntakeError> {
        let body = serde_json::to_string(&update)?;
        let sender = update.from().and_then(|user| i64::try_from(user.id.0).ok());
        let incoming = Incoming {
            bot_id: self.ctx.bot_id(),
            update_id: i64::from(update.id.0),
            tg_user_id: sender,
            body: &body,
        };
        let stored = match inbox::receive(&self.ctx.db, incoming, time::now(), LEASE).await? {
            Receipt::New(stored) | Receipt::Resumed(stored) => stored,
            Receipt::Known => {
                tracing::info!(
                    update_id = update.id.0,
                    "update delivered again; it was handled or is being handled"
                );
                return Ok(());
            }
        };
        if !self.feed.send(Job { stored, update }).await {
            tracing::info!("stopping: a stored update is left for the next start");
        }
        Ok(())
    }

    /// Hands out the bot's unfinished updates: with `lease`, those whose
    /// handler has been silent longer; without, all of them (a poller
    /// starting up: nobody else can be handling them).
    pub async fn resume(&self, lease: Option<Duration>) -> Result<usize, IntakeError> {
        let mut resumed = 0;
        loop {
            let batch = inbox::pending(
                &self.ctx.db,
                self.ctx.bot_id(),
                time::now(),
                lease,
                RESUME_BATCH,
            )
            .await?;
            let full = batch.len() as u64 == RESUME_BATCH;
            for stored in batch {
                let update: Update = match serde_json::from_str(&stored.body) {
                    Ok(update) => update,
                    Err(error) => {
                        tracing::error!(
                            update_id = stored.update_id,
                            "a stored update cannot be read back; dropped: {error}"
                        );
                        inbox::done(&self.ctx.db, stored.update, time::now()).await?;
                        continue;
                    }
                };
                if !self
                    .feed
                    .send(Job {
                        stored: stored.update,
                        update,
                    })
                    .await
                {
                    return Ok(resumed);
                }
                resumed += 1;
            }
            if !full {
                return Ok(resumed);
            }
        }
    }
}

/// Every [`SWEEP_EVERY`]: renews the claims on the updates in hand here,
/// hands out updates left unfinished by a process that died, and forgets
/// updates older than two days.
pub(crate) async fn sweep(intake: Intake, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = until_stopped(&mut stopped) => return,
            () = tokio::time::sleep(SWEEP_EVERY) => {}
        }
        let in_hand = intake.feed.in_hand();
        if let Err(error) = inbox::renew(&intake.ctx.db, &in_hand, time::now()).await {
            tracing::warn!("renewing the claims on updates in hand: {error}");
        }
        match intake.resume(Some(LEASE)).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(updates = n, "took over updates a stopped process left"),
            Err(error) => tracing::warn!("looking for unfinished updates: {error}"),
        }
        match inbox::prune(&intake.ctx.db, time::now()).await {
            Ok(pruned) if pruned.never_done > 0 => tracing::error!(
                updates = pruned.never_done,
                "updates never handled within a day were given up"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!("pruning the inbox: {error}"),
        }
    }
}

/// Long polling: each update is stored before the next request confirms it.
/// The confirming offset is sent once, by the request after the batch; other
/// requests send none (offset 0: from the earliest unconfirmed update), so a
/// Bot API that restarted and numbers its updates anew is not told to skip
/// the new ones. Ends when `stopped` turns true, at once, even in the middle
/// of a request.
pub(crate) async fn poll(bot: TgBot, intake: Intake, mut stopped: watch::Receiver<bool>) {
    let mut confirm: i32 = 0;
    let mut backoff = Duration::from_secs(1);
    loop {
        let request = bot
            .get_updates()
            .offset(std::mem::take(&mut confirm))
            .timeout(POLL_TIMEOUT_SECS)
            .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery]);
        let result = tokio::select! {
            _ = until_stopped(&mut stopped) => return,
            result = request.send() => result,
        };
        let failure = match result {
            Ok(updates) => {
                let mut failure = None;
                for update in updates {
                    let next = i32::try_from(update.id.0)
                        .unwrap_or(i32::MAX)
                        .saturating_add(1);
                    match intake.accept(update).await {
                        Ok(()) => confirm = next,
                        // Not stored, so not confirmed: asked for again.
                        Err(error) => {
                            failure = Some(error.to_string());
                            break;
                        }
                    }
                }
                failure
            }
            // The confirmation in this request may not have arrived: what it
            // confirmed comes again and is recognised as stored. It is not
            // sent again, since the Bot API may have restarted meanwhile and
            // numbered its updates anew (the sandbox does).
            Err(error) => Some(format!("getUpdates failed: {error}")),
        };
        match failure {
            None => backoff = Duration::from_secs(1),
            Some(error) => {
                tracing::warn!(retry_in_secs = backoff.as_secs(), "long polling: {error}");
                tokio::select! {
                    _ = until_stopped(&mut stopped) => return,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}
