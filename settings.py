"""One typed Settings object, read from OPS_* environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

# Precedence: explicit keyword overrides (tests) > environment variables > the defaults below.


def _flag(value: str) -> bool:
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; every field maps to one OPS_* variable (see README)."""

    data_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file under data_dir
    cache_type: str = "SimpleCache"  # SimpleCache | FileSystemCache | RedisCache | NullCache
    redis_url: str = "redis://127.0.0.1:6379/0"
    cache_ttl: int = 5  # seconds; no longer than the fastest polling interval
    simulate: bool = True  # live feed simulator and simulated cameras
    host: str = "127.0.0.1"
    port: int = 8050
    relay_url: str = ""  # empty: in-process relay; else the external relay service
    relay_token: str = ""  # shared secret the external relay requires (OPS_RELAY_TOKEN on both sides)
    cameras_file: str = ""  # empty: the bundled streams/cameras.yaml
    cameras: bool = True  # run the camera relay (and, with simulate, the simulated cameras)
    seed_years: int = 6
    seed: int = 2020
    feed_interval: float = 3.0  # seconds between live simulator ticks
    max_upload_bytes: int = 5 * 1024 * 1024
    secret_key: str = ""
    debug: bool = False
    session_idle_minutes: int = 30  # user sessions end after this long without activity
    secure_cookies: bool = False  # always mark cookies Secure (TLS at a proxy); else per request
    trusted_proxies: int = 0  # reverse proxies in front (nginx: 1) whose X-Forwarded-* headers are believed
    relay_public_url: str = ""  # where browsers reach an external relay; empty: same origin (nginx /streams)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ops.sqlite').resolve()}"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)


_ENV: dict[str, tuple[str, type]] = {
    "data_dir": ("OPS_DATA_DIR", Path),
    "database_url": ("OPS_DATABASE_URL", str),
    "cache_type": ("OPS_CACHE_TYPE", str),
    "redis_url": ("OPS_REDIS_URL", str),
    "cache_ttl": ("OPS_CACHE_TTL", int),
    "simulate": ("OPS_SIMULATE", bool),
    "host": ("OPS_HOST", str),
    "port": ("OPS_PORT", int),
    "relay_url": ("OPS_RELAY_URL", str),
    "relay_token": ("OPS_RELAY_TOKEN", str),
    "cameras_file": ("OPS_CAMERAS_FILE", str),
    "cameras": ("OPS_CAMERAS", bool),
    "seed_years": ("OPS_SEED_YEARS", int),
    "feed_interval": ("OPS_FEED_INTERVAL", float),
    "max_upload_bytes": ("OPS_MAX_UPLOAD_BYTES", int),
    "secret_key": ("OPS_SECRET_KEY", str),
    "debug": ("OPS_DEBUG", bool),
    "session_idle_minutes": ("OPS_SESSION_IDLE_MINUTES", int),
    "secure_cookies": ("OPS_SECURE_COOKIES", bool),
    "trusted_proxies": ("OPS_TRUSTED_PROXIES", int),
    "relay_public_url": ("OPS_RELAY_PUBLIC_URL", str),
}


def from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Build Settings from the environment; keyword overrides win."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, (var, kind) in _ENV.items():
        if var in env:
            raw = env[var]
            values[name] = _flag(raw) if kind is bool else kind(raw)
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return from_env()
