"""Settings are validated at start: a bad OPS_* variable is one line naming it and what it accepts."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings import SettingsError, from_env

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("env", "expected"), [
    ({"OPS_PORT": "abc"}, "OPS_PORT=abc: expected a whole number from 1 to 65535"),
    ({"OPS_SIMULATE": "flase"}, "OPS_SIMULATE=flase: expected 1/0, true/false, yes/no or on/off"),
    ({"OPS_CACHE_TYPE": "Memcached"},
     "OPS_CACHE_TYPE=Memcached: expected one of SimpleCache, FileSystemCache, RedisCache, NullCache"),
    ({"OPS_REDIS_URL": "localhost:6379"}, "OPS_REDIS_URL=localhost:6379: expected a redis://"),
    ({"OPS_SEED_YEARS": "0"}, "OPS_SEED_YEARS=0: expected a whole number from 1 to 20"),
    ({"OPS_FEED_INTERVAL": "-1"}, "OPS_FEED_INTERVAL=-1: expected a number above 0"),
])
def test_bad_variable_is_one_line_naming_it(env: dict[str, str], expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        from_env(env)
    message = str(caught.value)
    assert expected in message and "\n" not in message


def test_every_bad_variable_is_named_on_the_same_line() -> None:
    with pytest.raises(SettingsError) as caught:
        from_env({"OPS_PORT": "x", "OPS_DEBUG": "maybe", "OPS_HOST": "0.0.0.0"})
    message = str(caught.value)
    assert "OPS_PORT=x" in message and "OPS_DEBUG=maybe" in message and "OPS_HOST" not in message
    assert "\n" not in message


def test_precedence_overrides_then_environment_then_defaults(tmp_path: Path) -> None:
    s = from_env({"OPS_PORT": "9000", "OPS_SIM_CAMERAS": "off", "OPS_CACHE_TTL": "3"}, cache_ttl=7)
    assert (s.port, s.sim_cameras, s.cache_ttl, s.simulate) == (9000, False, 7, True)
    assert from_env({"OPS_RELAY_URL": ""}).relay_url == ""  # empty counts as unset
    assert s.with_(port=9001).port == 9001 and s.port == 9000  # frozen; with_ copies
    with pytest.raises(SettingsError, match="OPS_PORT=x"):
        s.with_(port="x")
    with pytest.raises(Exception):  # noqa: B017 (pydantic's frozen-instance error)
        s.port = 1  # type: ignore[misc]


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OPS_")}
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**clean, "OPS_DATA_DIR": str(tmp_path), **env})


@pytest.mark.parametrize("args", [["app.py"], ["-m", "data", "token", "list"]])
def test_entry_points_print_one_line_and_exit_2(args: list[str], tmp_path: Path) -> None:
    done = _run(args, {"OPS_PORT": "abc", "OPS_SIMULATE": "flase"}, tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "OPS_PORT=abc" in lines[0] and "OPS_SIMULATE=flase" in lines[0]
    assert "Traceback" not in done.stderr and not list(tmp_path.iterdir())  # nothing was made


def test_gunicorn_master_refuses_bad_settings_once(tmp_path: Path) -> None:
    done = _run(["-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "app:server"],
                {"OPS_SIMULATE": "flase", "OPS_BIND": "127.0.0.1:0"}, tmp_path)
    assert done.returncode == 2
    out = done.stdout + done.stderr
    assert out.count("OPS_SIMULATE=flase: expected 1/0") == 1 and "Traceback" not in out
    assert "Booting worker" not in out  # refused before any worker was forked
