//! Test databases: a temporary SQLite file, or a throw-away PostgreSQL database
//! (`startlink-test-support`).

pub use startlink_test_support::TestDb;
