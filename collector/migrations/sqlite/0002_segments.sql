-- Saved segments: a named targeting rule (engine::audience::Rule as JSON text), per app.

CREATE TABLE segments (
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    rule       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, id)
) WITHOUT ROWID;

-- Account traits for audiences come from group events; only those are indexed, so ingest of other
-- events pays nothing. A user's tracked events are read through events_user.
CREATE INDEX events_group ON events (app_id, group_id, seq) WHERE type = 'group';
