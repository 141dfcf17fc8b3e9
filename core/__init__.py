"""Shared plumbing below every domain: engine, cache, clock, periods, shared Redis, the model base."""
