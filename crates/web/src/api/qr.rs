//! `GET /api/v1/links/{key}/qr.png` and `.svg`: the link's `t.me` URL drawn by
//! the QR studio, with its options as query parameters.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use startlink_core::links;
use startlink_qr::{
    Color, EcLevel, EyeShape, Format, Gradient, GradientKind, ModuleShape, Preset, QrError, QrStyle,
};
use utoipa::IntoParams;

use super::link_key;
use crate::auth::{Authorized, LinksRead};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::state::AppState;

/// The QR studio's options; anything not given comes from the preset.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QrOptions {
    /// `default`, `brand` or `print`.
    pub preset: Option<String>,
    /// Width in pixels, 21-4096 (PNG), or the SVG's displayed width.
    pub size: Option<u32>,
    /// Quiet zone in modules, 0-40.
    pub margin: Option<u32>,
    /// Error correction: `L`, `M`, `Q` or `H`.
    pub ec: Option<String>,
    /// Foreground colour, `#rgb` or `#rrggbb`.
    pub fg: Option<String>,
    /// Background colour.
    pub bg: Option<String>,
    /// `linear` or `radial`, from `fg` to `fg2`.
    pub gradient: Option<String>,
    /// The colour the gradient runs to.
    pub fg2: Option<String>,
    /// `square`, `rounded` or `dots`.
    pub modules: Option<String>,
    /// `square`, `rounded` or `circle`.
    pub eyes: Option<String>,
    /// Colour of the three finder patterns.
    pub eye_color: Option<String>,
    /// A line of text under the code.
    pub caption: Option<String>,
}

fn one_of<T: Copy>(field: &str, input: &str, choices: &[(&str, T)]) -> Result<T, ApiError> {
    choices
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(input.trim()))
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            ApiError::invalid(format!(
                "{field}: {input:?} is not one of {}",
                names.join(", ")
            ))
        })
}

fn color(field: &str, input: &str) -> Result<Color, ApiError> {
    input
        .parse::<Color>()
        .map_err(|e| ApiError::invalid(format!("{field}: {e}")))
}

pub(crate) fn style(options: &QrOptions, format: Format) -> Result<QrStyle, ApiError> {
    let preset = match options.preset.as_deref() {
        Some(p) => one_of(
            "preset",
            p,
            &[
                ("default", Preset::Default),
                ("brand", Preset::Brand),
                ("print", Preset::Print),
            ],
        )?,
        None => Preset::Default,
    };
    let mut style = QrStyle::preset(preset);
    style.format = format;
    if let Some(size) = options.size {
        style.size = size;
    }
    if let Some(margin) = options.margin {
        style.margin = margin;
    }
    if let Some(ec) = &options.ec {
        style.ec = Some(one_of(
            "ec",
            ec,
            &[
                ("L", EcLevel::L),
                ("M", EcLevel::M),
                ("Q", EcLevel::Q),
                ("H", EcLevel::H),
            ],
        )?);
    }
    if let Some(fg) = &options.fg {
        style.foreground = color("fg", fg)?;
    }
    if let Some(bg) = &options.bg {
        style.background = color("bg", bg)?;
    }
    let kind = options
        .gradient
        .as_deref()
        .map(|g| {
            one_of(
                "gradient",
                g,
                &[
                    ("linear", GradientKind::Linear),
                    ("radial", GradientKind::Radial),
                ],
            )
        })
        .transpose()?;
    let to = options
        .fg2
        .as_deref()
        .map(|c| color("fg2", c))
        .transpose()?;
    style.gradient = match (kind, to, style.gradient) {
        (Some(kind), Some(to), _) => Some(Gradient { kind, to }),
        (Some(kind), None, Some(preset)) => Some(Gradient { kind, ..preset }),
        (Some(_), None, None) => {
            return Err(ApiError::invalid(
                "gradient needs fg2, the colour it runs to",
            ));
        }
        (None, Some(to), Some(preset)) => Some(Gradient { to, ..preset }),
        (None, Some(_), None) => {
            return Err(ApiError::invalid(
                "fg2 needs gradient=linear or gradient=radial",
            ));
        }
        (None, None, preset) => preset,
    };
    if let Some(modules) = &options.modules {
        style.modules = one_of(
            "modules",
            modules,
            &[
                ("square", ModuleShape::Square),
                ("rounded", ModuleShape::Rounded),
                ("dots", ModuleShape::Dots),
            ],
        )?;
    }
    if let Some(eyes) = &options.eyes {
        style.eyes = one_of(
            "eyes",
            eyes,
            &[
                ("square", EyeShape::Square),
                ("rounded", EyeShape::Rounded),
                ("circle", EyeShape::Circle),
            ],
        )?;
    }
    if let Some(eye_color) = &options.eye_color {
        style.eye_color = Some(color("eye_color", eye_color)?);
    }
    style.caption = options.caption.clone().filter(|c| !c.trim().is_empty());
    Ok(style)
}

pub(crate) async fn render(
    state: AppState,
    key: String,
    options: QrOptions,
    format: Format,
) -> Result<Response, ApiError> {
    let key = link_key(&key)?;
    let style = style(&options, format)?;
    let link = links::find(&state.db, &key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no link with key {key}")))?;
    let builder = state.link_builder().await?;
    let url = link.url(builder.as_ref()).ok_or_else(|| {
        ApiError::Conflict(
            "the bot's username is not known yet: set BOT_USERNAME or start the bot".into(),
        )
    })?;
    // Rendering and the decode-back check are CPU work: keep them off the async workers.
    let rendered = tokio::task::spawn_blocking(move || startlink_qr::render(&url, &style))
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("QR render task")))?
        .map_err(|e| match e {
            QrError::Encode(_) => ApiError::Internal(anyhow::Error::new(e).context("QR render")),
            other => ApiError::invalid(other.to_string()),
        })?;
    let filename = format!("attachment; filename=\"{key}.{}\"", format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.mime_type().to_owned()),
            (header::CONTENT_DISPOSITION, filename),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        rendered.bytes,
    )
        .into_response())
}

/// The link's QR code as PNG (decoded back before it is returned).
#[utoipa::path(
    get, path = "/api/v1/links/{key}/qr.png", tag = "links",
    security(("bearer" = ["links:read"])),
    params(("key" = String, Path, description = "The link's key"), QrOptions),
    responses(
        (status = 200, content_type = "image/png", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The bot's username is unknown", body = ErrorBody),
        (status = 400, description = "An option is invalid, or no variant scans", body = ErrorBody),
    ),
)]
pub async fn png(
    _: Authorized<LinksRead>,
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(options): Query<QrOptions>,
) -> Result<Response, ApiError> {
    render(state, key, options, Format::Png).await
}

/// The link's QR code as SVG (decoded back before it is returned).
#[utoipa::path(
    get, path = "/api/v1/links/{key}/qr.svg", tag = "links",
    security(("bearer" = ["links:read"])),
    params(("key" = String, Path, description = "The link's key"), QrOptions),
    responses(
        (status = 200, content_type = "image/svg+xml", body = String),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The bot's username is unknown", body = ErrorBody),
        (status = 400, description = "An option is invalid, or no variant scans", body = ErrorBody),
    ),
)]
pub async fn svg(
    _: Authorized<LinksRead>,
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(options): Query<QrOptions>,
) -> Result<Response, ApiError> {
    render(state, key, options, Format::Svg).await
}
