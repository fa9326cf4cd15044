//! Helpers of the core tests: a Telegram user by id and a stored `/start` update.

use startlink_core::users::{TgProfile, TgUserId};

pub fn user(id: i64) -> TgProfile {
    TgProfile::new(TgUserId::new(id).unwrap())
}

/// A `/start <text>` update from `user`, stored in the inbox of bot 1 as the
/// bot stores what it receives; it must be new.
pub async fn stored_update<C: sea_orm::ConnectionTrait>(
    db: &C,
    update_id: i64,
    user: i64,
    text: &str,
) -> startlink_core::inbox::UpdateRef {
    use startlink_core::inbox::{self, Incoming, Receipt};
    let body = update_body(update_id, user, text);
    let incoming = Incoming {
        bot_id: 1,
        update_id,
        tg_user_id: Some(user),
        body: &body,
    };
    let lease = std::time::Duration::from_secs(60);
    match inbox::receive(db, incoming, startlink_core::time::now(), lease)
        .await
        .unwrap()
    {
        Receipt::New(update) => update,
        other => panic!("update {update_id} of user {user} was not new: {other:?}"),
    }
}

/// The JSON of a message update, as Telegram would send it.
pub fn update_body(update_id: i64, user: i64, text: &str) -> String {
    serde_json::json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_790_000_000,
            "chat": {"id": user, "type": "private", "first_name": "U"},
            "from": {"id": user, "is_bot": false, "first_name": "U"},
            "text": text,
        }
    })
    .to_string()
}
