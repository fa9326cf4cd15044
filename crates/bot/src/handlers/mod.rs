//! The dispatcher tree and what every handler shares: who is asking, in which
//! language, and one polite answer when something fails.

mod account;
mod callbacks;
mod links;
mod reports;
mod start;
mod stats;

use std::sync::Arc;

use teloxide::dispatching::{HandlerExt, UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::User;

use crate::commands::Command;
use crate::context::{BotContext, Role};
use crate::i18n::{Lang, Texts, texts};
use crate::pacing::TgBot;
use crate::reply;
use startlink_core::inbox::UpdateRef;
use startlink_core::time;
use startlink_core::users::{self, TgProfile, TgUserId};

/// Every update the bot reacts to, and who handles it.
pub fn handler_tree() -> UpdateHandler<anyhow::Error> {
    dptree::entry()
        .branch(
            Update::filter_message()
                .filter_command::<Command>()
                .endpoint(on_command),
        )
        .branch(Update::filter_message().endpoint(on_other_message))
        .branch(Update::filter_callback_query().endpoint(callbacks::on_callback))
}

/// One request being answered.
pub(crate) struct Ask {
    pub bot: TgBot,
    pub ctx: Arc<BotContext>,
    pub chat: ChatId,
    pub profile: TgProfile,
    pub role: Role,
    pub lang: Lang,
}

impl Ask {
    pub fn texts(&self) -> &'static Texts {
        texts(self.lang)
    }

    pub fn user_id(&self) -> i64 {
        self.profile.id.get()
    }

    pub fn is_operator(&self) -> bool {
        matches!(self.role, Role::Operator | Role::Admin)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub async fn say(&self, text: String) -> anyhow::Result<()> {
        reply::send(&self.bot, self.chat, text, None).await?;
        Ok(())
    }

    /// A fixed message of the user's language.
    pub async fn say_static(&self, pick: fn(&Texts) -> &'static str) -> anyhow::Result<()> {
        self.say(pick(self.texts()).to_owned()).await
    }

    /// Records what this operator just did in the audit log. A failure is
    /// logged: the write has happened, and the operator's answer matters more.
    pub async fn note(&self, entry: startlink_core::audit::Entry) {
        let actor = startlink_core::audit::Actor::telegram(
            self.user_id(),
            self.profile.username.as_deref(),
        );
        let action = entry.action;
        if let Err(error) =
            startlink_core::audit::record(&self.ctx.db, &actor, entry, time::now()).await
        {
            tracing::error!(%action, "audit log write failed: {error:#}");
        }
    }
}

pub(crate) fn profile_of(user: &User) -> Option<TgProfile> {
    let id = i64::try_from(user.id.0)
        .ok()
        .and_then(|id| TgUserId::new(id).ok())?;
    Some(TgProfile {
        id,
        username: user.username.clone(),
        first_name: Some(user.first_name.clone()),
        language_code: user.language_code.clone(),
    })
}

/// Records that the user was seen and builds the request; `/start` does this
/// inside `open` instead.
pub(crate) async fn ask_for(
    bot: TgBot,
    ctx: Arc<BotContext>,
    chat: ChatId,
    profile: TgProfile,
) -> anyhow::Result<Ask> {
    let touched = users::touch(&ctx.db, &profile, Default::default(), time::now()).await?;
    let lang = ctx.lang(touched.lang.as_deref(), profile.language_code.as_deref());
    let role = ctx.role(profile.id.get());
    Ok(Ask {
        bot,
        ctx,
        chat,
        profile,
        role,
        lang,
    })
}

async fn on_command(
    bot: TgBot,
    ctx: Arc<BotContext>,
    msg: Message,
    command: Command,
    stored: UpdateRef,
) -> anyhow::Result<()> {
    let Some(profile) = msg.from.as_ref().and_then(profile_of) else {
        return Ok(());
    };
    let chat = msg.chat.id;
    let fallback = ctx.lang(None, profile.language_code.as_deref());
    let result = match command {
        Command::Start(payload) => {
            start::start(bot.clone(), ctx.clone(), chat, profile, &payload, stored).await
        }
        other => match ask_for(bot.clone(), ctx.clone(), chat, profile).await {
            Ok(ask) => run_command(&ask, other).await,
            Err(error) => Err(error),
        },
    };
    if let Err(error) = result {
        apologize(&bot, chat, fallback, &error).await;
    }
    Ok(())
}

async fn run_command(ask: &Ask, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Start(_) => Ok(()),
        Command::Help(_) => start::help(ask).await,
        Command::Generate(args) => links::generate(ask, &args, links::Output::Photo).await,
        Command::Link(args) => links::generate(ask, &args, links::Output::Text).await,
        Command::Qr(args) => links::qr(ask, &args).await,
        Command::Stats(args) => stats::stats(ask, &args).await,
        Command::Mylinks(_) => stats::my_links(ask, 0, None).await,
        Command::Revoke(args) => links::revoke_command(ask, &args).await,
        Command::Ref(_) => account::referral(ask).await,
        Command::Lang(_) => account::choose_lang(ask).await,
        Command::Report(args) => reports::report(ask, &args).await,
        Command::Export(args) => reports::export(ask, &args).await,
    }
}

/// Text that is not one of our commands: a hint in private chats, silence in groups.
async fn on_other_message(bot: TgBot, ctx: Arc<BotContext>, msg: Message) -> anyhow::Result<()> {
    if !msg.chat.is_private() {
        return Ok(());
    }
    let Some(profile) = msg.from.as_ref().and_then(profile_of) else {
        return Ok(());
    };
    let chat = msg.chat.id;
    let fallback = ctx.lang(None, profile.language_code.as_deref());
    let result = async {
        let ask = ask_for(bot.clone(), ctx, chat, profile).await?;
        let looks_like_command = msg.text().is_some_and(|t| t.starts_with('/'));
        if looks_like_command {
            ask.say_static(|t| t.unknown_command).await
        } else {
            start::help(&ask).await
        }
    }
    .await;
    if let Err(error) = result {
        apologize(&bot, chat, fallback, &error).await;
    }
    Ok(())
}

/// The one place a failure is logged and the user told, politely, in his language.
pub(crate) async fn apologize(bot: &TgBot, chat: ChatId, lang: Lang, error: &anyhow::Error) {
    tracing::error!(chat = chat.0, "handling an update failed: {error:#}");
    if let Err(send_error) = reply::send(bot, chat, texts(lang).error.to_owned(), None).await {
        tracing::warn!(
            "could not tell chat {} about the failure: {send_error}",
            chat.0
        );
    }
}
