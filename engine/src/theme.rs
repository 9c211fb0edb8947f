//! Themes: colours, font, radius and shadow for every widget surface, with a dark variant. The
//! widget turns a theme into CSS custom properties inside its shadow root, where the host's own
//! `--waymark-*` properties win, so a host can theme without the admin.

use serde::{Deserialize, Serialize};

/// The colours of one mode.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Colors {
    /// `#rrggbb` everywhere.
    pub background: String,
    pub text: String,
    /// Secondary text (progress, descriptions).
    pub muted: String,
    /// Primary buttons, progress bars, the hotspot beacon.
    pub accent: String,
    /// Text on `accent`.
    pub accent_text: String,
    pub border: String,
}

/// Light, dark, or following the user's system (`prefers-color-scheme`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ThemeMode {
    #[default]
    Light,
    Dark,
    Auto,
}

/// A complete theme.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub mode: ThemeMode,
    pub light: Colors,
    pub dark: Colors,
    /// A CSS font-family list; empty inherits the system UI font.
    #[serde(default)]
    pub font: String,
    /// Corner radius in CSS pixels (0–32).
    pub radius_px: u32,
    /// `none`, `soft` or `strong`.
    pub shadow: Shadow,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Shadow {
    None,
    #[default]
    Soft,
    Strong,
}

/// A flow's partial override of the app theme; absent fields keep the app's values.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ThemeOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ThemeMode>,
    /// Replaces the accent in both modes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_px: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
}

impl Default for Theme {
    /// The built-in theme, WCAG AA in both modes (a unit test checks every pair).
    fn default() -> Self {
        Theme {
            mode: ThemeMode::Light,
            light: Colors {
                background: "#ffffff".into(),
                text: "#1f2330".into(),
                muted: "#5b6170".into(),
                accent: "#3b4bd8".into(),
                accent_text: "#ffffff".into(),
                border: "#d5d8e0".into(),
            },
            dark: Colors {
                background: "#1c1f2a".into(),
                text: "#f2f3f7".into(),
                muted: "#b3b8c6".into(),
                accent: "#8e9bff".into(),
                accent_text: "#10131c".into(),
                border: "#3a3f4f".into(),
            },
            font: String::new(),
            radius_px: 10,
            shadow: Shadow::Soft,
        }
    }
}

/// WCAG 2 contrast ratio between two `#rrggbb` colours (1.0–21.0); `None` for a malformed colour.
pub fn contrast_ratio(first: &str, second: &str) -> Option<f64> {
    let (first, second) = (relative_luminance(first)?, relative_luminance(second)?);
    let (lighter, darker) = if first >= second {
        (first, second)
    } else {
        (second, first)
    };
    Some((lighter + 0.05) / (darker + 0.05))
}

/// The WCAG AA minimum for normal-size text, which every widget text pair must meet.
pub const AA_CONTRAST: f64 = 4.5;

/// The red, green and blue of a `#rrggbb` colour (case-insensitive); `None` for anything else.
pub fn parse_hex(colour: &str) -> Option<[u8; 3]> {
    let digits = colour.strip_prefix('#')?;
    if digits.len() != 6 || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |at: usize| u8::from_str_radix(&digits[at..at + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// WCAG 2 relative luminance: each sRGB channel linearised, then weighted by how bright the eye
/// sees it.
fn relative_luminance(colour: &str) -> Option<f64> {
    let linear = |channel: u8| {
        let value = f64::from(channel) / 255.0;
        if value <= 0.040_45 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let [red, green, blue] = parse_hex(colour)?;
    Some(0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue))
}

/// The text pairs whose contrast must meet AA in one mode: (foreground field, background field,
/// foreground, background). Validation and tests share it so they can never drift apart.
pub fn contrast_pairs(colors: &Colors) -> [(&'static str, &'static str, &str, &str); 3] {
    [
        ("text", "background", &colors.text, &colors.background),
        ("muted", "background", &colors.muted, &colors.background),
        ("accent_text", "accent", &colors.accent_text, &colors.accent),
    ]
}
