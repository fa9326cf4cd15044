//! `GET /api/v1/campaigns`.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use startlink_core::campaigns;
use utoipa::ToSchema;

use crate::auth::{Authorized, LinksRead};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignOut {
    pub name: String,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignList {
    pub campaigns: Vec<CampaignOut>,
}

/// Every campaign, by name.
#[utoipa::path(
    get, path = "/api/v1/campaigns", tag = "campaigns",
    security(("bearer" = ["links:read"])),
    responses((status = 200, body = CampaignList), (status = 401, body = ErrorBody)),
)]
pub async fn list(
    _: Authorized<LinksRead>,
    State(state): State<AppState>,
) -> Result<Json<CampaignList>, ApiError> {
    let all = campaigns::list(&state.db).await?;
    Ok(Json(CampaignList {
        campaigns: all
            .into_iter()
            .map(|c| CampaignOut {
                name: c.name,
                utm_source: c.utm_source,
                utm_medium: c.utm_medium,
                utm_campaign: c.utm_campaign,
                created_at: c.created_at,
            })
            .collect(),
    }))
}
