//! `startlink admin`: panel and API users.

use std::io::{IsTerminal as _, Read as _};

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use startlink_core::admins::{self, Password, Role, Username};
use startlink_core::audit::{Action, Entry};
use startlink_core::config::Config;
use startlink_core::time;

use super::{cli_actor, note, open_db};
use crate::output;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a panel/API user; the password is asked for without echo
    Create(CreateArgs),
    /// List panel/API users
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Set a user's password (asked for without echo); ends all of their sessions
    Passwd(PasswdArgs),
    /// Stop a user from logging in; ends all of their sessions
    Disable {
        /// The user name
        username: String,
    },
    /// Let a disabled user log in again
    Enable {
        /// The user name
        username: String,
    },
    /// Delete a user; ends all of their sessions (tokens they created stay)
    Delete {
        /// The user name
        username: String,
    },
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// The user name
    username: String,
    /// Read the password from standard input (its first line) instead of a prompt
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Login name: 1-64 letters, digits or _ . @ - (stored in Unicode NFC)
    username: String,
    /// admin (everything) or viewer (read-only)
    #[arg(long, default_value = "admin", value_parser = ["admin", "viewer"])]
    role: String,
    /// Read the password from standard input (its first line) instead of a prompt
    #[arg(long)]
    password_stdin: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub async fn run(config: &Config, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Create(args) => create(config, args).await,
        AdminCommand::List { json } => list(config, json).await,
        AdminCommand::Passwd(args) => passwd(config, args).await,
        AdminCommand::Disable { username } => change(config, &username, Change::Disable).await,
        AdminCommand::Enable { username } => change(config, &username, Change::Enable).await,
        AdminCommand::Delete { username } => change(config, &username, Change::Delete).await,
    }
}

async fn passwd(config: &Config, args: PasswdArgs) -> anyhow::Result<()> {
    let username = Username::parse(&args.username)?;
    let password = Password::parse(&read_password(args.password_stdin, &username)?, &username)?;
    let db = open_db(config).await?;
    admins::set_password(&db, &username, &password, &cli_actor(), time::now())
        .await
        .with_context(|| format!("while setting the password of {username}"))?;
    println!("password of {username} changed; their sessions have ended");
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum Change {
    Disable,
    Enable,
    Delete,
}

async fn change(config: &Config, username: &str, change: Change) -> anyhow::Result<()> {
    let username = Username::parse(username)?;
    let db = open_db(config).await?;
    let (by, now) = (cli_actor(), time::now());
    let done = match change {
        Change::Disable => admins::disable_admin(&db, &username, &by, now)
            .await
            .map(|_| "disabled; their sessions have ended"),
        Change::Enable => admins::enable_admin(&db, &username, &by, now)
            .await
            .map(|_| "enabled"),
        Change::Delete => admins::delete_admin(&db, &username, &by, now)
            .await
            .map(|()| "deleted; their sessions have ended"),
    }
    .with_context(|| format!("while changing admin {username}"))?;
    println!("{username} {done}");
    Ok(())
}

async fn create(config: &Config, args: CreateArgs) -> anyhow::Result<()> {
    let username = Username::parse(&args.username)?;
    let role = Role::parse(&args.role).context("role must be admin or viewer")?;
    let password = Password::parse(&read_password(args.password_stdin, &username)?, &username)?;
    let db = open_db(config).await?;
    let admin = admins::create_admin(&db, &username, &password, role, time::now())
        .await
        .with_context(|| format!("while creating admin {username}"))?;
    let entry = Entry::new(Action::AdminCreate)
        .object("admin", &admin.username)
        .detail(serde_json::json!({ "role": admin.role }));
    note(&db, entry).await;
    if args.json {
        return output::print_json(&admin);
    }
    println!("created {} {}", admin.role, admin.username);
    Ok(())
}

/// The password from stdin's first line, or from a prompt (twice) on the terminal.
fn read_password(from_stdin: bool, username: &Username) -> anyhow::Result<String> {
    if from_stdin {
        let mut input = String::new();
        std::io::stdin()
            .take(4096)
            .read_to_string(&mut input)
            .context("while reading the password from standard input")?;
        let line = input.lines().next().unwrap_or_default();
        return Ok(line.to_owned());
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to ask for the password on; pipe it in with --password-stdin");
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")
        .context("while reading the password")?;
    // Checked before the confirmation so a refused password is said at once.
    Password::parse(&first, username)?;
    let second =
        rpassword::prompt_password("Password again: ").context("while reading the password")?;
    if first != second {
        bail!("the passwords differ; nothing was changed");
    }
    Ok(first)
}

async fn list(config: &Config, json: bool) -> anyhow::Result<()> {
    let db = open_db(config).await?;
    let all = admins::list_admins(&db)
        .await
        .context("while listing admins")?;
    if json {
        return output::print_json(&all);
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|a| {
            vec![
                output::text(&a.username, 64),
                a.role.to_string(),
                output::time(a.created_at, config.timezone),
                output::optional_time(a.last_login_at, config.timezone, "never"),
                output::optional_time(a.disabled_at, config.timezone, "-"),
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(
            &["USER", "ROLE", "CREATED", "LAST LOGIN", "DISABLED"],
            &rows
        )
    );
    Ok(())
}
