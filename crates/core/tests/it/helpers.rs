//! Test databases (a temporary SQLite file, or a throw-away PostgreSQL
//! database: `startlink-test-support`) and a Telegram user by id.

use startlink_core::users::{TgProfile, TgUserId};

pub use startlink_test_support::TestDb;

pub fn user(id: i64) -> TgProfile {
    TgProfile::new(TgUserId::new(id).unwrap())
}
