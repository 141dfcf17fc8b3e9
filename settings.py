"""One typed Settings object, read from OPS_* environment variables and validated at start."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NoReturn

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

# Precedence: explicit keyword overrides (tests) > environment variables > the defaults below.
# An empty variable counts as unset (`OPS_RELAY_URL=` in a unit file means "the default").

CACHE_TYPES = ("SimpleCache", "FileSystemCache", "RedisCache", "NullCache")
ROLES = ("embedded", "web")
FLAG_WORDS = "1/0, true/false, yes/no or on/off"


class SettingsError(ValueError):
    """One or more OPS_* variables are not acceptable; str() is one line naming each."""


class Settings(BaseSettings):
    """Runtime configuration; every field maps to one OPS_* variable (see README)."""

    model_config = SettingsConfigDict(env_prefix="OPS_", frozen=True, extra="forbid",
                                      env_ignore_empty=True, validate_default=True)

    data_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file under data_dir
    cache_type: Literal["SimpleCache", "FileSystemCache", "RedisCache", "NullCache"] = "SimpleCache"
    redis_url: str = "redis://127.0.0.1:6379/0"
    cache_ttl: int = Field(5, ge=1, le=3600)  # seconds; no longer than the fastest poll
    render_cache: bool = True  # wall callbacks' answers rendered once per data window (web.rendercache)
    simulate: bool = True  # live feed simulator (simulated cameras: sim_cameras)
    host: str = "127.0.0.1"
    port: int = Field(8050, ge=1, le=65535)
    relay_url: str = ""  # empty: in-process relay; else the external relay service
    relay_token: str = ""  # shared secret the external relay requires (OPS_RELAY_TOKEN on both sides)
    cameras_file: str = ""  # empty: the bundled streams/cameras.yaml
    cameras: bool = True  # run the camera relay
    seed_years: int = Field(6, ge=1, le=20)
    seed: int = 2020
    feed_interval: float = Field(3.0, gt=0, le=3600)  # seconds between live simulator ticks
    max_upload_bytes: int = Field(5 * 1024 * 1024, ge=1)
    secret_key: str = ""
    debug: bool = False
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)  # user sessions end after this idle
    secure_cookies: bool = False  # always mark cookies Secure (TLS at a proxy); else per request
    trusted_proxies: int = Field(0, ge=0, le=10)  # proxies in front (nginx: 1) whose X-Forwarded-* are believed
    sim_cameras: bool = True  # serve sim:// cameras from the built-in camera simulator
    role: Literal["embedded", "web"] = "embedded"  # web: a gunicorn worker (deploy/gunicorn.conf.py)
    web_workers: int = Field(0, ge=0, le=1024)  # workers beside this one (gunicorn.conf.py); 0: unknown
    briefing_at: str = "07:00"  # the daily briefing PDF, Viet Nam time (HH:MM)
    briefing_pages: str = ""  # the daily briefing's pages (as --pages); empty: the default set
    relay_public_url: str = ""  # where browsers reach an external relay; empty: same origin (nginx /streams)
    smtp_url: str = ""  # alert e-mail: smtp://[user:password@]host:port (smtps:// for TLS); empty: no mail
    alert_recipients: str = ""  # "camera=a@x,b@x;agency:BCT=c@x;*=d@x" (kind, agency:CODE or *)
    alert_mail_from: str = "ops-centre@localhost"  # the From of alert e-mails
    alert_interval: float = Field(5.0, ge=0.5, le=300)  # seconds between alert evaluations
    alert_severity: str = ""  # per kind over the defaults, e.g. "late=critical,feed=warning"
    alert_feed_stale: float = Field(120.0, ge=5, le=86400)  # seconds without a reading: feed alert
    alert_evaluator: bool = True  # `python app.py` evaluates alerts in a thread (production: its own process)

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("briefing_at")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        from datetime import datetime

        try:
            return datetime.strptime(value.strip(), "%H:%M").strftime("%H:%M")
        except ValueError:
            raise ValueError("expected a time of day HH:MM (e.g. 07:00)") from None

    @field_validator("briefing_pages")
    @classmethod
    def _pages(cls, value: str) -> str:
        import re

        for part in filter(None, (p.strip() for p in value.split(","))):
            if not re.fullmatch(r"[a-z]+(:[A-Za-z0-9_]+)?", part):
                raise ValueError(f"'{part}': expected pages such as overview,tasks,"
                                 "indicator:GDP_GROWTH")
        return value.strip()

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: str) -> str:
        if value and not value.startswith(("smtp://", "smtps://")):
            raise ValueError("expected smtp://host:port or smtps://host:port")
        return value

    @field_validator("alert_recipients")
    @classmethod
    def _recipients(cls, value: str) -> str:
        from alerts.recipients import parse

        parse(value)  # raises ValueError naming the bad part
        return value

    @field_validator("alert_severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        from alerts.conditions import severities

        severities(value)
        return value

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ops.sqlite').resolve()}"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed, validated like the environment is."""
        return _build({**self.model_dump(), **changes})

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Keyword overrides, then the environment given to from_env (os.environ by default);
        # no .env or secrets files: what the process was started with is the whole story.
        environ = _ENVIRON.get()
        return init_settings, _MappingEnv(settings_cls, os.environ if environ is None else environ)


# The variable name of every field (README's configuration table lists them).
_ENV: dict[str, str] = {name: f"OPS_{name.upper()}" for name in Settings.model_fields}

_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("ops_environ", default=None)


class _MappingEnv(EnvSettingsSource):
    """The environment source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._mapping = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._mapping, self.case_sensitive, self.env_ignore_empty,
                              self.env_parse_none_str)


@contextmanager
def _environment(environ: Mapping[str, str]) -> Iterator[None]:
    token = _ENVIRON.set(environ)
    try:
        yield
    finally:
        _ENVIRON.reset(token)


def _accepts(name: str) -> str:
    """What a field accepts, in words, for the one-line error."""
    field = Settings.model_fields[name]
    kind = field.annotation
    if kind is bool:
        return f"expected {FLAG_WORDS}"
    if name == "cache_type":
        return "expected one of " + ", ".join(CACHE_TYPES)
    if name == "role":
        return "expected one of " + ", ".join(ROLES)
    above = next((m.gt for m in field.metadata if hasattr(m, "gt")), None)
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    word = {int: "a whole number", float: "a number"}.get(kind, "a value")  # type: ignore[call-overload]
    text = f"expected {word}"
    if above is not None:
        text += f" above {above}"
    elif low is not None:
        text += f" from {low}" if high is not None else f" of at least {low}"
    if high is not None:
        text += f" to {high}" if low is not None else f" up to {high}"
    return text


def _describe(exc: ValidationError, environ: Mapping[str, str]) -> str:
    parts = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "?"
        var = _ENV.get(name, name)
        if name not in Settings.model_fields:
            parts.append(f"{name}: not a setting")
            continue
        given = environ.get(var, err.get("input"))
        accepts = _accepts(name)
        if err["type"] == "value_error":
            accepts = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{var}={given!s:.60}: {accepts}")
    return "invalid settings: " + "; ".join(parts)


def _build(values: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Settings:
    env = {} if environ is None else environ
    try:
        with _environment(env):
            return Settings(**values)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, env)) from None


def from_env(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build Settings from the environment (os.environ unless given); keyword overrides win.

    Raises SettingsError with one line naming every variable that is not acceptable.
    """
    env = os.environ if environ is None else environ
    return _build(overrides, env)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return from_env()


def exit_on_bad_settings(exc: SettingsError) -> NoReturn:
    """For entry points: print the one line on stderr and exit 2 (usage error), no traceback."""
    print(f"error: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(2)


def load_or_exit(environ: Mapping[str, str] | None = None) -> Settings:
    """from_env() for entry points (python app.py, python -m data ...): bad settings exit 2."""
    try:
        return from_env(environ)
    except SettingsError as exc:
        exit_on_bad_settings(exc)
