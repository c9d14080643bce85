-- Agents can be switched off without being deleted: every existing one starts active.
ALTER TABLE agents ADD COLUMN active boolean NOT NULL DEFAULT true;
UPDATE agents SET active = false WHERE name = 'forager-2';
CREATE INDEX agents_active_idx ON agents (active);

-- migrate:down
DROP INDEX agents_active_idx;
ALTER TABLE agents DROP COLUMN active;
