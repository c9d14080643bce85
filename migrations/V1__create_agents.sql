-- The example application's first table: the agents the seed's quick start registers.
CREATE TABLE agents (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    kind text NOT NULL DEFAULT 'worker',
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO agents (name, kind) VALUES
    ('forager-1', 'worker'),
    ('forager-2', 'worker'),
    ('queen', 'coordinator');

-- migrate:down
DROP TABLE agents;
