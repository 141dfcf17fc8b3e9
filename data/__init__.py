"""The national reporting database: models, reference data, simulated history, ingest, queries."""
