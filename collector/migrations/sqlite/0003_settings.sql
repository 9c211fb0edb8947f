-- Per-app presentation settings (engine::settings::AppSettings as JSON text); an app without a row
-- uses the defaults. Page URLs feed `visited` rules, read newest first per user through events_user.

CREATE TABLE settings (
    app_id     TEXT PRIMARY KEY NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    definition TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
