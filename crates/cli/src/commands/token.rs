//! `startlink token`: API tokens for scripts.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde::Serialize;
use startlink_core::admins::{self, ApiToken, parse_scopes};
use startlink_core::audit::{Action, Entry};
use startlink_core::config::Config;
use startlink_core::time;

use super::{note, open_db};
use crate::output;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; its secret is printed once and stored only hashed
    Create(CreateArgs),
    /// List tokens (never their secrets)
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id
    Revoke {
        /// The id `token list` shows
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// What the token is for, e.g. "shop backend"
    #[arg(long)]
    name: String,
    /// Comma-separated: links:read, links:write, events:read, users:read, stats:read, exports:read
    #[arg(long)]
    scopes: String,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Created<'a> {
    #[serde(flatten)]
    token: &'a ApiToken,
    token_secret: &'a str,
}

pub async fn run(config: &Config, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create(args) => create(config, args).await,
        TokenCommand::List { json } => list(config, json).await,
        TokenCommand::Revoke { id } => revoke(config, id).await,
    }
}

async fn create(config: &Config, args: CreateArgs) -> anyhow::Result<()> {
    let scopes = parse_scopes(&args.scopes)?;
    let db = open_db(config).await?;
    let (token, secret) = admins::create_token(&db, &args.name, &scopes, None, time::now())
        .await
        .context("while creating the API token")?;
    let entry = Entry::new(Action::TokenCreate)
        .object("token", token.id)
        .detail(serde_json::json!({ "name": token.name, "scopes": token.scopes }));
    note(&db, entry).await;
    if args.json {
        return output::print_json(&Created {
            token: &token,
            token_secret: secret.expose(),
        });
    }
    println!("{}", secret.expose());
    eprintln!(
        "token {} ({}) created with scopes {}; the secret above is shown only now",
        token.id,
        output::text(&token.name, 64),
        scope_list(&token)
    );
    Ok(())
}

fn scope_list(token: &ApiToken) -> String {
    token
        .scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

async fn list(config: &Config, json: bool) -> anyhow::Result<()> {
    let db = open_db(config).await?;
    let all = admins::list_tokens(&db)
        .await
        .context("while listing tokens")?;
    if json {
        return output::print_json(&all);
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                output::text(&t.name, 40),
                scope_list(t),
                output::time(t.created_at, config.timezone),
                output::optional_time(t.last_used_at, config.timezone, "never"),
                output::optional_time(t.revoked_at, config.timezone, "-"),
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(
            &["ID", "NAME", "SCOPES", "CREATED", "LAST USED", "REVOKED"],
            &rows
        )
    );
    Ok(())
}

async fn revoke(config: &Config, id: i64) -> anyhow::Result<()> {
    let db = open_db(config).await?;
    if admins::revoke_token(&db, id, time::now())
        .await
        .context("while revoking the token")?
    {
        note(&db, Entry::new(Action::TokenRevoke).object("token", id)).await;
        println!("revoked token {id}");
        Ok(())
    } else {
        anyhow::bail!("no live token with id {id}")
    }
}
