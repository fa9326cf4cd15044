//! The first admin: from `ADMIN_USER` / `ADMIN_PASS`, or in sandbox mode with
//! a random password printed once. Never a default password.

use anyhow::Context as _;
use startlink_core::DatabaseConnection;
use startlink_core::admins::{self, Password, Username};
use startlink_core::time;

use crate::config::WebConfig;

/// What start-up did about the first admin.
#[derive(Debug)]
pub enum FirstAdmin {
    /// Admins exist already; nothing was done.
    Exists,
    /// Created from `ADMIN_USER` / `ADMIN_PASS`.
    FromEnvironment(Username),
    /// Sandbox: created with this random password, to be shown once.
    Generated {
        username: Username,
        password: Password,
    },
    /// No admin and nothing to create one from.
    Missing,
}

/// The user name of the generated sandbox admin.
pub const SANDBOX_ADMIN: &str = "admin";

pub async fn ensure_first_admin(
    db: &DatabaseConnection,
    config: &WebConfig,
) -> anyhow::Result<FirstAdmin> {
    if admins::count_admins(db)
        .await
        .context("while counting admins")?
        > 0
    {
        return Ok(FirstAdmin::Exists);
    }
    let now = time::now();
    if let Some(first) = &config.first_admin {
        let created = admins::ensure_first_admin(db, &first.username, &first.password, now)
            .await
            .context("while creating the admin from ADMIN_USER")?;
        return Ok(match created {
            Some(_) => FirstAdmin::FromEnvironment(first.username.clone()),
            None => FirstAdmin::Exists,
        });
    }
    if config.sandbox {
        let username = Username::parse(SANDBOX_ADMIN)?;
        let password = Password::generate();
        let created = admins::ensure_first_admin(db, &username, &password, now)
            .await
            .context("while creating the sandbox admin")?;
        return Ok(match created {
            Some(_) => FirstAdmin::Generated { username, password },
            None => FirstAdmin::Exists,
        });
    }
    Ok(FirstAdmin::Missing)
}
