-- The dashboard's "side effects pending retry" reads the latest outcome of each failed effect of the
-- running instances (side_effect.failed / recovered / abandoned rows, rare next to the actions): a
-- partial index keeps that read to those rows instead of every row of every running instance.
CREATE INDEX audit_log_side_effect_idx ON audit_log (instance_id, seq)
    WHERE action IN ('side_effect.failed', 'side_effect.recovered', 'side_effect.abandoned');
