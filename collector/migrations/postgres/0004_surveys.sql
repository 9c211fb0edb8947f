-- Survey answers and feedback stay in `events` (read back by name); these partial indexes let the
-- admin's survey and feedback pages read them without scanning every event, while ingest of other
-- events pays nothing. A user's account at answer time is read through events_user.

CREATE INDEX events_survey_answers ON events (app_id, flow_id, seq) WHERE name = 'survey_answered';
CREATE INDEX events_feedback ON events (app_id, seq) WHERE name = 'feedback_submitted';
