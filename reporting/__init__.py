"""The national reporting database: catalogue, observations, ingest (write side), queries (read side)."""
