-- Accounts (customer onboarding): the specialist looking after each account, notes (objections,
-- challenges, plain notes), onboarding plan tasks, tags on feedback/answers/notes and the tag
-- dictionary. Accounts themselves are the group ids of `group` events (read through events_group).

CREATE TABLE account_specialists (
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    specialist TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, account_id)
) WITHOUT ROWID;

CREATE TABLE account_notes (
    id         INTEGER PRIMARY KEY,
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('objection', 'challenge', 'note')),
    text       TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX account_notes_account ON account_notes (app_id, account_id, created_at);

CREATE TABLE plan_tasks (
    id         INTEGER PRIMARY KEY,
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    title      TEXT NOT NULL,
    owner      TEXT NOT NULL,
    -- YYYY-MM-DD, so text order is date order.
    due        TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX plan_tasks_account ON plan_tasks (app_id, account_id, due);

-- item_id: a feedback_submitted or survey_answered event's message_id, or a note's id as text.
CREATE TABLE tags (
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('feedback', 'answer', 'note')),
    item_id    TEXT NOT NULL,
    tag        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, kind, item_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags (app_id, tag);

-- rules: [{"tag", "keywords": [..]}] as JSON text; an app without a row uses threshold 3, no rules.
CREATE TABLE tag_rules (
    app_id     TEXT PRIMARY KEY NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    threshold  INTEGER NOT NULL,
    rules      TEXT NOT NULL DEFAULT '[]',
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
