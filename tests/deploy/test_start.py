"""The operator's files: the environment example names every variable the Procfile, gunicorn's
settings and the systemd units read; deploy/start refuses to start without a filled-in
environment file; the systemd units pass `systemd-analyze verify`."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _read_by(text: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, text))


def test_the_environment_example_lists_every_variable_read() -> None:
    read = _read_by((DEPLOY / "Procfile").read_text(), r"\$\{?(OPS_[A-Z_]+)")
    read |= _read_by((DEPLOY / "gunicorn.conf.py").read_text(),
                     r"environ\.get\(\s*\"(OPS_[A-Z_]+)\"")
    for unit in (DEPLOY / "systemd").iterdir():
        read |= _read_by(unit.read_text(), r"\$\{?(OPS_[A-Z_]+)")
    listed = _read_by((DEPLOY / "ops.env.example").read_text(), r"(?m)^(OPS_[A-Z_]+)=")
    assert {"OPS_RELAY_PORT", "OPS_SIM_PORT", "OPS_SIM_RTSP_PORT", "OPS_CAMERAS_FILE",
            "OPS_BIND", "OPS_WEB_WORKERS"} <= read  # the reading side is really read
    assert read - listed == set()


def _start(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DEPLOY / "start"), *args], capture_output=True, text=True,
                          timeout=30, cwd="/")


def test_the_stack_does_not_start_without_its_environment_file(tmp_path: Path) -> None:
    missing = _start("-e", str(tmp_path / "ops.env"))
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.startswith("error: ") and "not found" in missing.stderr
    assert missing.stderr.count("\n") == 1
    unfilled = tmp_path / "unfilled.env"
    shutil.copy(DEPLOY / "ops.env.example", unfilled)
    refused = _start("-e", str(unfilled))
    assert refused.returncode == 1 and "CHANGE-ME" in refused.stderr
    assert refused.stderr.count("\n") == 1


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze not found: apt-get install systemd (tools/test-deps)")
    # Installed as the README says, in /opt/ops-centre with its .venv: here, this checkout and
    # the running interpreter's environment (verify checks that every command is executable).
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text().replace("/opt/ops-centre/.venv/bin/",
                                        f"{Path(sys.executable).parent}/")
        (tmp_path / unit.name).write_text(text.replace("/opt/ops-centre", str(ROOT)))
        units.append(str(tmp_path / unit.name))
    done = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, timeout=60)
    # verify exits 0 on values it ignores (a misspelt Type=): what it says counts too.
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr
