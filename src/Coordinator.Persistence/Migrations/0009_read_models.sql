-- Read models: what each person's inbox and every channel's "what is waiting for me?" read, in a
-- few indexed reads instead of a scan of the running instances.
--
-- notifications: the built-in channel. One row per (notification, recipient), written once per
-- idempotency key by the NotifyPeople activity (a retried or replayed activity inserts nothing).
-- Until now the outbox doubled as this table (kind 'notification', filtered with a jsonb
-- containment on the recipients): its delivered notifications move here.
CREATE TABLE notifications (
    key          text        NOT NULL,
    person_id    text        NOT NULL,
    instance_id  text        NOT NULL,
    workflow_id  text        NOT NULL,
    action       text        NOT NULL,
    payload      jsonb       NOT NULL,
    delivered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key, person_id)
);

CREATE INDEX notifications_person_idx ON notifications (person_id, delivered_at DESC, key DESC);
CREATE INDEX notifications_instance_idx ON notifications (instance_id, delivered_at, key);

INSERT INTO notifications (key, person_id, instance_id, workflow_id, action, payload, delivered_at)
SELECT substr(o.key, length('notification/') + 1), r.person, o.payload ->> 'instanceId', o.payload ->> 'workflowId',
       coalesce(o.payload -> 'action' ->> 'type', ''), o.payload, coalesce(o.completed_at, o.updated_at)
FROM outbox o, jsonb_array_elements_text(o.payload -> 'recipients') AS r(person)
WHERE o.kind = 'notification' AND o.status = 'succeeded'
ON CONFLICT DO NOTHING;

DELETE FROM outbox WHERE kind = 'notification' AND status = 'succeeded';

-- work_instances / work_items / work_people: the "waiting on" projection, written by the ProjectWork
-- activity after every turn that changes it. A snapshot replaces the instance's previous one only when
-- its version (the instance's last action number) is not older, so a late retry never overwrites newer
-- work. A completed instance keeps its row (completed) and no items or people.
CREATE TABLE work_instances (
    instance_id    text             PRIMARY KEY,
    workflow_id    text             NOT NULL,
    workflow_title text             NOT NULL,
    business_key   text,
    started_at     timestamptz      NOT NULL,
    time_scale     double precision NOT NULL,
    completed      boolean          NOT NULL,
    version        bigint           NOT NULL,
    waiting        jsonb            NOT NULL,
    updated_at     timestamptz      NOT NULL DEFAULT now()
);

CREATE INDEX work_instances_running_idx ON work_instances (started_at DESC, instance_id) WHERE NOT completed;

CREATE TABLE work_items (
    person_id        text        NOT NULL,
    instance_id      text        NOT NULL REFERENCES work_instances (instance_id) ON DELETE CASCADE,
    step_id          text        NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('step', 'decision', 'block')),
    title            text        NOT NULL,
    status           text        NOT NULL,
    due_at           timestamptz,
    escalation_level integer     NOT NULL,
    block_reason     text,
    blocked_by       text,
    options          jsonb       NOT NULL,
    PRIMARY KEY (person_id, instance_id, step_id, kind)
);

CREATE INDEX work_items_instance_idx ON work_items (instance_id);

-- The people a running instance names and their roles there ('' for none), for the list of people.
CREATE TABLE work_people (
    person_id   text NOT NULL,
    instance_id text NOT NULL REFERENCES work_instances (instance_id) ON DELETE CASCADE,
    role        text NOT NULL,
    PRIMARY KEY (person_id, instance_id, role)
);

CREATE INDEX work_people_instance_idx ON work_people (instance_id);

REVOKE ALL ON notifications, work_instances, work_items, work_people FROM PUBLIC;
GRANT SELECT, INSERT ON notifications TO coordinator_app;
GRANT SELECT, INSERT, UPDATE ON work_instances TO coordinator_app;
GRANT SELECT, INSERT, DELETE ON work_items, work_people TO coordinator_app;
GRANT SELECT ON notifications, work_instances, work_items, work_people TO coordinator_auditor;
