//! Outgoing message pacing: a global cap (`TG_MAX_RPS`) and Telegram's per-chat
//! pace (about one message a second in a private chat, one every three seconds
//! in a group), and a retry after a 429's `retry_after`. A reply under the caps
//! goes out at once — teloxide's `Throttle` released messages in 250 ms rounds,
//! which added up to a quarter second to every reply.

use std::collections::HashMap;
use std::future::Future;
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use teloxide::types::ChatId;
use teloxide::{Bot, RequestError};
use tokio::time::Instant;

const PRIVATE_GAP: Duration = Duration::from_secs(1);
const GROUP_GAP: Duration = Duration::from_secs(3);
/// Retries after 429 before giving up on a message.
const MAX_RETRIES: u32 = 8;
/// Above this many remembered chats, forget those idle for a minute.
const PRUNE_AT: usize = 10_000;

/// The Bot API client handlers use: a `Bot` (through `Deref`) and its pacer.
#[derive(Clone, Debug)]
pub struct TgBot {
    api: Bot,
    pacer: Arc<Pacer>,
}

impl TgBot {
    pub fn new(api: Bot, max_rps: u32) -> Self {
        Self {
            api,
            pacer: Arc::new(Pacer::new(max_rps)),
        }
    }

    /// Sends with pacing: waits for `chat`'s turn, and on a 429 waits
    /// `retry_after` and tries again, so a message is delayed, never dropped.
    pub async fn paced<T, F, Fut>(&self, chat: ChatId, mut request: F) -> Result<T, RequestError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, RequestError>>,
    {
        let mut attempt = 0;
        loop {
            self.pacer.turn(chat.0).await;
            match request().await {
                Err(RequestError::RetryAfter(wait)) if attempt < MAX_RETRIES => {
                    attempt += 1;
                    tracing::warn!(
                        chat = chat.0,
                        seconds = wait.seconds(),
                        "Telegram asked to slow down (429)"
                    );
                    tokio::time::sleep(wait.duration()).await;
                }
                other => return other,
            }
        }
    }
}

impl Deref for TgBot {
    type Target = Bot;
    fn deref(&self) -> &Bot {
        &self.api
    }
}

#[derive(Debug)]
struct Pacer {
    interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    next_global: Instant,
    last_by_chat: HashMap<i64, Instant>,
}

impl Pacer {
    fn new(max_rps: u32) -> Self {
        let interval = Duration::from_secs(1) / max_rps.max(1);
        Self {
            interval,
            state: Mutex::new(State {
                next_global: Instant::now(),
                last_by_chat: HashMap::new(),
            }),
        }
    }

    /// Reserves the earliest slot allowed for `chat` and waits for it.
    async fn turn(&self, chat: i64) {
        let slot = {
            let Ok(mut state) = self.state.lock() else {
                return;
            };
            let now = Instant::now();
            let gap = if chat < 0 { GROUP_GAP } else { PRIVATE_GAP };
            let chat_ready = state
                .last_by_chat
                .get(&chat)
                .map_or(now, |last| *last + gap);
            let slot = now.max(state.next_global).max(chat_ready);
            state.next_global = slot + self.interval;
            if state.last_by_chat.len() >= PRUNE_AT {
                state
                    .last_by_chat
                    .retain(|_, last| *last + Duration::from_secs(60) > now);
            }
            state.last_by_chat.insert(chat, slot);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_first_message_goes_at_once_and_a_chat_gets_one_a_second() {
        let pacer = Pacer::new(30);
        let start = Instant::now();
        pacer.turn(1).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        pacer.turn(2).await;
        assert!(
            start.elapsed() <= Duration::from_millis(34),
            "another chat waits only for the global cap"
        );
        pacer.turn(1).await;
        assert!(
            start.elapsed() >= Duration::from_secs(1),
            "the same chat waits a second"
        );
        pacer.turn(-100).await;
        pacer.turn(-100).await;
        assert!(
            start.elapsed() >= Duration::from_secs(3),
            "a group waits three"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_global_cap_spreads_a_burst() {
        let pacer = Pacer::new(10);
        let start = Instant::now();
        for chat in 0..21 {
            pacer.turn(chat).await;
        }
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_secs(2) && elapsed < Duration::from_millis(2_100),
            "{elapsed:?}"
        );
    }
}
