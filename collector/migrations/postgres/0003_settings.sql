-- Per-app presentation settings (engine::settings::AppSettings); an app without a row uses the
-- defaults. Page URLs feed `visited` rules, read newest first per user through events_user.

CREATE TABLE settings (
    app_id     TEXT PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
    definition JSONB NOT NULL,
    updated_at BIGINT NOT NULL
);
