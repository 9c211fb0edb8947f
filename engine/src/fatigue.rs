//! One fatigue budget across every kind of automatically shown content: at most N items per
//! session and a cool-down between two of them. Pure: the caller passes the session log and
//! "now", so the widget uses the browser's clock and tests use a fake one.

use serde::{Deserialize, Serialize};

/// The app's budget, set in the admin.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FatigueSettings {
    /// At most this many automatically started items per session; 0 means no limit.
    pub max_per_session: u32,
    /// Seconds that must pass after one automatic item starts before the next may; 0 for none.
    pub cooldown_seconds: u32,
    /// A session ends after this many minutes without activity.
    pub session_timeout_minutes: u32,
}

impl Default for FatigueSettings {
    fn default() -> Self {
        Self {
            max_per_session: 3,
            cooldown_seconds: 300,
            session_timeout_minutes: 30,
        }
    }
}

/// What has been shown automatically in the current session (kept by the widget).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionLog {
    /// Milliseconds since the Unix epoch.
    pub started_at: i64,
    pub last_activity: i64,
    /// Flow ids with the time they started automatically, oldest first.
    pub shown: Vec<(String, i64)>,
}

/// Why an item that was otherwise due was not shown.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Blocked {
    /// `max_per_session` items already started in this session.
    SessionLimit,
    /// The previous automatic item started less than `cooldown_seconds` ago.
    Cooldown,
    /// `every_session` content already shown in this session.
    AlreadyThisSession,
}

impl Blocked {
    pub fn as_str(self) -> &'static str {
        match self {
            Blocked::SessionLimit => "session_limit",
            Blocked::Cooldown => "cooldown",
            Blocked::AlreadyThisSession => "already_this_session",
        }
    }
}

impl SessionLog {
    /// The log to use at `now`: this one, or a fresh one when the session timed out.
    pub fn current(&self, settings: &FatigueSettings, now: i64) -> SessionLog {
        let timeout = i64::from(settings.session_timeout_minutes) * 60_000;
        if self.started_at == 0 || now - self.last_activity > timeout {
            SessionLog {
                started_at: now,
                last_activity: now,
                shown: Vec::new(),
            }
        } else {
            SessionLog {
                last_activity: now.max(self.last_activity),
                ..self.clone()
            }
        }
    }

    /// Whether a follow-up may start: content that a just-finished task triggered (a CES survey
    /// right after the task). It is part of the moment it follows, so no cool-down applies, but
    /// it still counts toward the session's limit.
    pub fn allows_follow_up(&self, settings: &FatigueSettings) -> Result<(), Blocked> {
        if settings.max_per_session > 0 && self.shown.len() >= settings.max_per_session as usize {
            return Err(Blocked::SessionLimit);
        }
        Ok(())
    }

    /// Whether an automatic start of `flow_id` is allowed at `now` (call on [`Self::current`]).
    pub fn allows(
        &self,
        settings: &FatigueSettings,
        flow_id: &str,
        every_session: bool,
        now: i64,
    ) -> Result<(), Blocked> {
        if every_session && self.shown.iter().any(|(shown, _)| shown == flow_id) {
            return Err(Blocked::AlreadyThisSession);
        }
        if settings.max_per_session > 0 && self.shown.len() >= settings.max_per_session as usize {
            return Err(Blocked::SessionLimit);
        }
        if let Some((_, last)) = self.shown.last()
            && now - last < i64::from(settings.cooldown_seconds) * 1000
        {
            return Err(Blocked::Cooldown);
        }
        Ok(())
    }

    /// Records an automatic start.
    pub fn record(&mut self, flow_id: &str, now: i64) {
        self.shown.push((flow_id.to_string(), now));
        self.last_activity = now;
    }
}
