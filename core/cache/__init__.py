"""The cache: memoized queries with single flight, and last good values when the database fails.

One home for the concept, in four small modules: keys (the one key scheme), store (the
flask-caching backend behind calls that degrade), flight (memoized: single flight in a process
and across workers, stale-while-refresh) and lastgood (fetch: the stale badge's values).
"""
from core.cache.flight import KEEP_EXTRA_S, KEEP_FACTOR, STRIPES, WAIT_S, Memoized, memoized
from core.cache.keys import PREFIX, Keys, answer_keys
from core.cache.lastgood import LAST_GOOD_MAX, Fetched, fetch, fetch_many, served_stale
from core.cache.store import LOCK_MS, cache, init_app

__all__ = ["KEEP_EXTRA_S", "KEEP_FACTOR", "LAST_GOOD_MAX", "LOCK_MS", "PREFIX", "STRIPES", "WAIT_S",
           "Fetched", "Keys", "Memoized", "answer_keys", "cache", "fetch", "fetch_many", "init_app",
           "memoized", "served_stale"]
