-- Waymark collector schema (SQLite). Times are milliseconds since the Unix epoch; JSON is TEXT.

CREATE TABLE apps (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    write_key       TEXT NOT NULL UNIQUE,
    admin_key       TEXT NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE flows (
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    definition TEXT NOT NULL,
    status     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, id)
) WITHOUT ROWID;

-- seq is the rowid: arrival order.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    message_id  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    type        TEXT NOT NULL,
    name        TEXT,
    properties  TEXT NOT NULL DEFAULT '{}',
    traits      TEXT NOT NULL DEFAULT '{}',
    group_id    TEXT,
    url         TEXT,
    client_ts   INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    -- Copied from lifecycle events' properties so funnels need no JSON parsing.
    flow_id     TEXT,
    step_index  INTEGER
);
CREATE UNIQUE INDEX events_message_id ON events (app_id, message_id);
CREATE INDEX events_user ON events (app_id, user_id, seq);
CREATE INDEX events_funnel ON events (app_id, flow_id, name, step_index, user_id) WHERE flow_id IS NOT NULL;

CREATE TABLE users (
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    traits     TEXT NOT NULL DEFAULT '{}',
    progress   TEXT NOT NULL DEFAULT '{}',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, user_id)
) WITHOUT ROWID;
