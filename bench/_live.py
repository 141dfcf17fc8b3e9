"""Fill a seeded SQLite database with days of live-feed rows as the simulator writes them.

One tick every `interval` seconds: each real-time feed gets one observation, each feed agency one
submission (the simulator's 'live-feed.csv'): ~57,600 submissions and ~115,200 observations a
day at 3 s. Written with plain sqlite3 executemany, in the formats SQLAlchemy uses, so that
building 90 days takes minutes rather than the 90 days the simulator would.
"""
from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from core.clock import local_now, local_to_utc

FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime in SQLite


def fill(db_path: Path, days: int, interval: float = 3.0, seed: int = 7,
         progress: bool = True) -> tuple[int, int]:
    """Add `days` of ticks ending now; returns (submissions, observations) added."""
    rng = np.random.default_rng(seed)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    feeds = conn.execute("SELECT code, agency_code, unit FROM indicator WHERE group_code='RT' "
                         "AND frequency='realtime' ORDER BY code").fetchall()
    agencies = sorted({a for _c, a, _u in feeds})
    next_sub = (conn.execute("SELECT max(id) FROM submission").fetchone()[0] or 0) + 1
    end = local_now().replace(microsecond=0)
    start = end - timedelta(days=days)
    # Today's rows from the seed (one a minute) overlap; the generated ticks stop before them.
    seeded_from = conn.execute("SELECT min(period_start) FROM observation WHERE indicator_code "
                               "IN (SELECT code FROM indicator WHERE group_code='RT')"
                               ).fetchone()[0]
    if seeded_from:
        end = min(end, datetime.fromisoformat(seeded_from))
    # Inserting millions of rows into indexed tables is slow; build the indexes once at the end
    # (the unique constraint's own index stays: it cannot be dropped).
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS "
                           "NOT NULL AND tbl_name IN ('observation', 'submission')").fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    step = timedelta(seconds=interval)
    per_day = int(86400 / interval)
    subs = obs = 0
    day_start = start
    while day_start < end:
        day_end = min(day_start + timedelta(days=1), end)
        n = min(per_day, int((day_end - day_start) / step))
        moments = [day_start + step * i for i in range(n)]
        sub_rows, obs_rows = [], []
        values = {code: (rng.poisson(40, n) if unit != "MW" else rng.normal(30000, 900, n))
                  for code, _a, unit in feeds}
        for i, moment in enumerate(moments):
            label = moment.isoformat(timespec="seconds")
            received = (local_to_utc(moment) + timedelta(milliseconds=300)).strftime(FMT)
            ids = {}
            for agency in agencies:
                payload = f"indicator,region,period,value\n{agency},{label}\n".encode()
                ids[agency] = next_sub
                sub_rows.append((next_sub, agency, "simulator", "live-feed.csv", "text/csv",
                                 hashlib.sha256(payload).hexdigest(), payload, received, "",
                                 "accepted", 1, 1))
                next_sub += 1
            start_text = moment.strftime(FMT)
            for code, agency, _unit in feeds:
                obs_rows.append((code, "VN", label, start_text, float(values[code][i]),
                                 "simulated", 1, 1, ids[agency], received, ""))
        conn.executemany(
            "INSERT INTO submission (id, agency_code, channel, filename, content_type, sha256, "
            "payload, received_at, period, status, rows_total, rows_accepted, rows_rejected, "
            "error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,'')", sub_rows)
        conn.executemany(
            "INSERT INTO observation (indicator_code, region_code, period, period_start, value, "
            "source, revision, is_latest, submission_id, received_at, note) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)", obs_rows)
        conn.commit()
        subs += len(sub_rows)
        obs += len(obs_rows)
        if progress:
            print(f"\r  live rows: {day_start:%Y-%m-%d}  {subs:,} submissions, "
                  f"{obs:,} observations", end="", flush=True)
        day_start = day_end
    if progress:
        print("\n  building indexes ...", flush=True)
    for _name, sql in indexes:
        conn.execute(sql)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return subs, obs
