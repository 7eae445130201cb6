"""The audit trail as a privacy officer reads it: filtered, judged whole or not, exported."""
