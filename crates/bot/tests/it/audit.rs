//! The operators' writes in the bot are in the audit log, with the operator
//! as the actor (issue #12, audit log).

use startlink_core::audit::{self, ActorKind, AuditQuery};

use crate::helpers::{OPERATOR, TestBot, text, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_and_revoke_in_the_bot_are_audited_with_the_operator_as_actor() {
    let bot = TestBot::start().await;
    let operator = user(OPERATOR, "Operator");
    let created = bot.ask(&operator, "/link 123 9876").await;
    let key = text(&created)
        .split("start=")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect::<String>()
        })
        .expect("the link is in the answer");
    bot.ask(&operator, &format!("/revoke {key}")).await;
    // A customer opening links writes nothing to the audit log.
    bot.ask(&user(1, "Ali"), &format!("/start {key}")).await;
    bot.wait_until_handled().await;

    let page = audit::list(
        &bot.db,
        &AuditQuery {
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let rows: Vec<_> = page
        .entries
        .iter()
        .map(|r| {
            (
                r.actor_kind,
                r.actor_id,
                r.action.as_str(),
                r.object_key.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                ActorKind::Telegram,
                Some(OPERATOR),
                "link.revoke",
                Some(key.as_str())
            ),
            (
                ActorKind::Telegram,
                Some(OPERATOR),
                "link.create",
                Some(key.as_str())
            ),
        ],
        "newest first"
    );
    bot.stop().await;
}
