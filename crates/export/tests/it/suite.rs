//! `export_suite!(a, b, …)`: each test `async fn a(db: &DatabaseConnection)` runs
//! once on SQLite and once on PostgreSQL (skipped, loudly, without
//! `TEST_DATABASE_URL`).

macro_rules! export_suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let test = crate::helpers::TestDb::sqlite().await;
                    super::$name(&test.db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(test) = crate::helpers::TestDb::postgres().await else { return };
                    super::$name(&test.db).await;
                }
            )*
        }
    };
}
