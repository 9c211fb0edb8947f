//! An app's presentation settings, edited in the admin and sent to the widget at boot: the theme,
//! the fatigue budget and the resource center.

use serde::{Deserialize, Serialize};

use crate::fatigue::FatigueSettings;
use crate::i18n::UiStrings;
use crate::theme::Theme;

/// Everything an app configures once for all its content.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AppSettings {
    #[serde(default)]
    pub theme: Theme,
    #[serde(default)]
    pub fatigue: FatigueSettings,
    #[serde(default)]
    pub resource_center: ResourceCenter,
}

/// The help launcher and its panel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ResourceCenter {
    pub enabled: bool,
    pub position: Corner,
    /// Panel heading, e.g. "Help".
    pub title: String,
    #[serde(default)]
    pub articles: Vec<Article>,
    /// Show the "send feedback" entry (it tracks `feedback_requested`).
    #[serde(default)]
    pub feedback: bool,
}

impl Default for ResourceCenter {
    fn default() -> Self {
        ResourceCenter {
            enabled: false,
            position: Corner::BottomRight,
            title: "Help".into(),
            articles: Vec::new(),
            feedback: true,
        }
    }
}

/// Where a launcher sits.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Corner {
    #[default]
    BottomRight,
    BottomLeft,
    TopRight,
    TopLeft,
}

/// A help article listed (and searched) in the resource center.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub id: String,
    pub title: String,
    /// `https:` or a path on the host.
    pub url: String,
    #[serde(default)]
    pub summary: String,
}

/// What the widget receives at boot: the app settings resolved for this user.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ClientSettings {
    pub theme: Theme,
    pub fatigue: FatigueSettings,
    pub resource_center: ResourceCenter,
    /// The locale chosen for this user (`en` when nothing matched).
    pub locale: String,
    /// Right to left (from the locale).
    pub rtl: bool,
    pub strings: UiStrings,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            theme: Theme::default(),
            fatigue: FatigueSettings::default(),
            resource_center: ResourceCenter::default(),
            locale: "en".into(),
            rtl: false,
            strings: crate::i18n::english(),
        }
    }
}
