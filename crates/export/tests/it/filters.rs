//! The CLI's filters applied to what they mean for each dataset (see the crate
//! docs), checked through CSV.

use chrono::Duration;
use startlink_core::DatabaseConnection;
use startlink_core::analytics::Filter;
use startlink_core::links::{CampaignRef, LinkKind, LinkSelection, LinkStatus};
use startlink_export::{Dataset, Format};

use crate::csv_files::parse;
use crate::shop::{self, Shop};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    each_filter_selects_the_rows_it_means_in_each_dataset,
}

/// Column `column` of every row of `dataset` under `filter`.
async fn column(
    db: &DatabaseConnection,
    shop: &Shop,
    dataset: Dataset,
    filter: &Filter,
    column: &str,
) -> Vec<String> {
    let mut request = shop.request(dataset, Format::Csv);
    request.filter = filter.clone();
    request.page_size = 2;
    let (bytes, _) = shop::run(db, &request).await;
    let (header, rows) = parse(&bytes);
    let i = header.iter().position(|h| h == column).unwrap();
    rows.into_iter().map(|r| r[i].clone()).collect()
}

async fn each_filter_selects_the_rows_it_means_in_each_dataset(db: &DatabaseConnection) {
    let shop = shop::seed(db).await;
    let k = |i: usize| shop::csv_text(&shop.keys[i]);
    let day = Duration::days(1);
    let period = |from: i32, to: Option<i32>| Filter {
        from: Some(shop.t0 + day * from),
        to: to.map(|to| shop.t0 + day * to),
        ..Default::default()
    };
    let links = |links: LinkSelection| Filter::of(links);
    let campaign = |name: &str| {
        links(LinkSelection {
            campaign: Some(CampaignRef::Name(name.into())),
            ..Default::default()
        })
    };
    let creator = |id: i64| links(LinkSelection::created_by(id));
    let kind = |kind| {
        links(LinkSelection {
            kind: Some(kind),
            ..Default::default()
        })
    };
    let status = |status| {
        links(LinkSelection {
            status: Some(status),
            ..Default::default()
        })
    };
    let search = |text: &str| {
        links(LinkSelection {
            search: Some(text.into()),
            ..Default::default()
        })
    };

    // links: the links themselves; the period bounds created_at, [from, to).
    let links = [
        (Filter::default(), vec![k(0), k(1), k(2), k(3), k(4)]),
        (campaign("spring"), vec![k(1)]),
        (creator(111), vec![k(0), k(2)]),
        (kind(LinkKind::Campaign), vec![k(1), k(3)]),
        (status(LinkStatus::Active), vec![k(1), k(4)]),
        (status(LinkStatus::Expired), vec![k(2)]),
        (status(LinkStatus::Used), vec![k(0)]),
        (status(LinkStatus::Revoked), vec![k(3)]),
        (period(1, Some(3)), vec![k(1), k(2)]),
        (search(&shop.keys[2].to_lowercase()), vec![k(2)]),
    ];
    for (filter, expected) in links {
        assert_eq!(
            column(db, &shop, Dataset::Links, &filter, "key").await,
            expected,
            "links of {filter:?}"
        );
    }

    // events: the opened link; the period bounds the open's time.
    let events = [
        (
            Filter::default(),
            vec!["1001", "1002", "1003", "1001", "1004", "1005"],
        ),
        (campaign("spring"), vec!["1003", "1001"]),
        (creator(111), vec!["1001", "1002"]),
        (kind(LinkKind::Referral), vec!["1005"]),
        (status(LinkStatus::Used), vec!["1001", "1002"]),
        (period(1, None), vec!["1003", "1001", "1004", "1005"]),
        (period(2, Some(2)), vec![]),
        (
            period(1, None).with_links(LinkSelection {
                kind: Some(LinkKind::Campaign),
                ..Default::default()
            }),
            vec!["1003", "1001"],
        ),
    ];
    for (filter, expected) in events {
        assert_eq!(
            column(db, &shop, Dataset::Events, &filter, "tg_user_id").await,
            expected,
            "events {filter:?}"
        );
    }

    // users: the link that brought them; the period bounds first_seen_at.
    let users = [
        (
            Filter::default(),
            vec!["1001", "1002", "1003", "1004", "1005"],
        ),
        (campaign("spring"), vec!["1003"]),
        (creator(111), vec!["1001", "1002"]),
        (kind(LinkKind::Referral), vec!["1005"]),
        (period(1, None), vec!["1003", "1004", "1005"]),
    ];
    for (filter, expected) in users {
        assert_eq!(
            column(db, &shop, Dataset::Users, &filter, "id").await,
            expected,
            "users {filter:?}"
        );
    }

    // campaigns: the campaign filter picks the row; the others pick the links
    // counted; the period bounds the counted opens and new users.
    let campaigns = [
        (Filter::default(), vec!["spring:1:2:1", "autumn:1:0:0"]),
        (campaign("autumn"), vec!["autumn:1:0:0"]),
        (creator(111), vec!["spring:0:0:0", "autumn:0:0:0"]),
        (
            status(LinkStatus::Revoked),
            vec!["spring:0:0:0", "autumn:1:0:0"],
        ),
        (period(2, None), vec!["spring:1:1:0", "autumn:1:0:0"]),
    ];
    for (filter, expected) in campaigns {
        let names = column(db, &shop, Dataset::Campaigns, &filter, "name").await;
        let links = column(db, &shop, Dataset::Campaigns, &filter, "links").await;
        let opens = column(db, &shop, Dataset::Campaigns, &filter, "opens").await;
        let new_users = column(db, &shop, Dataset::Campaigns, &filter, "new_users").await;
        let got: Vec<String> = (0..names.len())
            .map(|i| format!("{}:{}:{}:{}", names[i], links[i], opens[i], new_users[i]))
            .collect();
        assert_eq!(got, expected, "campaigns {filter:?}");
    }
}
