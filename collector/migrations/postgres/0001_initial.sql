-- Waymark collector schema (PostgreSQL). Times are milliseconds since the Unix epoch.

CREATE TABLE apps (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    write_key       TEXT NOT NULL UNIQUE,
    admin_key       TEXT NOT NULL UNIQUE,
    allowed_origins JSONB NOT NULL DEFAULT '[]'
);

CREATE TABLE flows (
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    definition JSONB NOT NULL,
    status     TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);

-- seq is arrival order.
CREATE TABLE events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    message_id  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    type        TEXT NOT NULL,
    name        TEXT,
    properties  JSONB NOT NULL DEFAULT '{}',
    traits      JSONB NOT NULL DEFAULT '{}',
    group_id    TEXT,
    url         TEXT,
    client_ts   BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    -- Copied from lifecycle events' properties so funnels need no JSON parsing.
    flow_id     TEXT,
    step_index  BIGINT
);
CREATE UNIQUE INDEX events_message_id ON events (app_id, message_id);
CREATE INDEX events_user ON events (app_id, user_id, seq);
CREATE INDEX events_funnel ON events (app_id, flow_id, name, step_index, user_id) WHERE flow_id IS NOT NULL;

CREATE TABLE users (
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    traits     JSONB NOT NULL DEFAULT '{}',
    progress   JSONB NOT NULL DEFAULT '{}',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, user_id)
);
