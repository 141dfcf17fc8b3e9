"""The production stack end to end, as the README's Production section sets it up (this test is
the section's executable form: it runs the section's own set-up commands, read from README.md,
with only the interpreter path, the environment file and `init --years 1` for `init --empty`
substituted): deploy/start with an environment file runs deploy/Procfile (gunicorn with 3 workers, the relay service, the
camera and feed simulators) on real PostgreSQL and Redis, behind Debian's nginx with the shipped
site file (only ports, upstreams and certificate paths substituted; TLS on a port other than 443).
A person signs in through nginx and every page renders; the cameras are read once each; an API
ingest makes a revision and a resend does not.
"""
from __future__ import annotations

import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from selenium.webdriver.common.by import By

from tests import nginx
from tests.browser.conftest import (
    console_errors,
    make_driver,
    requested_hosts,
    small_cameras_file,
    wait_for,
)
from tests.helpers import wait_for as wait_until
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/indicators", "/savings", "/reporting", "/cameras"]


@dataclass
class Stack:
    url: str  # nginx: https://127.0.0.1:<port>
    cert: Path  # nginx's self-signed certificate, to verify it by
    nginx_log: Path  # nginx's access log
    env: dict[str, str]
    relay_url: str
    sim_url: str
    admin_password: str
    log: Path


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, input=stdin, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout


def readme_commands(heading: str) -> list[str]:
    """The commands of the shell block after `heading` in the README's Production section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    block = section.split(heading, 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def run_readme_setup(env_file: Path, bare_env: dict[str, str], password: str) -> str:
    """The README's "Database and first administrator" block, line by line in one shell, with
    the environment file it sources as its only configuration."""
    commands = readme_commands("**Database and first administrator**")
    assert commands[0] == "set -a; . deploy/ops.env; set +a", commands
    assert [c.split(" -m ", 1)[-1].split()[:2] for c in commands[1:]] == [
        ["data", "migrate"], ["data", "init"], ["data", "user"]], commands
    script = "\n".join(["set -e", *commands]).replace("deploy/ops.env", shlex.quote(str(env_file)))
    # The demonstration install the README names ("init --years N instead of init --empty"):
    # pages and the ingest below need a little history.
    script = script.replace(".venv/bin/python", shlex.quote(sys.executable))
    script = script.replace("init --empty", "init --years 1")
    done = subprocess.run(["sh", "-c", script], env=bare_env, cwd=ROOT, input=password + "\n",
                          text=True, capture_output=True, timeout=600)
    assert done.returncode == 0, f"{script}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    return script


def _until(condition: Callable[[], Any], timeout: float, what: str, log: Path) -> Any:
    """tests.helpers.wait_for, with the stack's log in the failure: its processes' output says why."""
    try:
        return wait_until(condition, timeout, what, interval=0.25, ignore=(requests.RequestException,))
    except AssertionError as exc:
        tail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
        pytest.fail(f"{exc}\n--- stack log ---\n{tail}")


def _fresh_database(postgres_url: str, name: str) -> str:
    admin = sa.create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres",
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module")
def stack(postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Stack]:
    web_port, relay_port, sim_port, rtsp_port = free_port(), free_port(), free_port(), free_port()
    data_dir = tmp_path_factory.mktemp("stack-var")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPS_")}
    env.update({
        "OPS_DATABASE_URL": _fresh_database(postgres_url, "stack"),
        "OPS_CACHE_TYPE": "RedisCache",
        "OPS_REDIS_URL": redis_url.rsplit("/", 1)[0] + "/5",
        "OPS_SECRET_KEY": secrets.token_urlsafe(48),
        "OPS_RELAY_TOKEN": secrets.token_urlsafe(48),
        "OPS_RELAY_URL": f"http://127.0.0.1:{relay_port}",
        "OPS_DASHBOARD_URL": f"http://127.0.0.1:{web_port}",
        "OPS_TRUSTED_PROXIES": "1",
        "OPS_SECURE_COOKIES": "1",
        "OPS_DATA_DIR": str(data_dir),
        "OPS_BIND": f"127.0.0.1:{web_port}",
        "OPS_WEB_WORKERS": "3",
        "OPS_WEB_THREADS": "8",
        "OPS_RELAY_PORT": str(relay_port),
        "OPS_SIM_PORT": str(sim_port),
        "OPS_SIM_RTSP_PORT": str(rtsp_port),
        "OPS_CAMERAS_FILE": small_cameras_file(data_dir),
        "OPS_FEED_INTERVAL": "1",
    })
    # The environment file is all the stack's configuration, as deploy/ops.env is in production.
    env_file = data_dir / "ops.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items() if k.startswith("OPS_")))
    env.update(PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}", PYTHONUNBUFFERED="1")
    # The production set-up, as the README says: schema, data, the first admin, then the stack.
    password = secrets.token_urlsafe(16)
    bare = {k: v for k, v in env.items() if not k.startswith("OPS_")}
    run_readme_setup(env_file, bare, password)
    assert readme_commands("**Run the whole stack on one machine**")[0] == "deploy/start"
    log = data_dir / "stack.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(ROOT / "deploy" / "start"), "-e", str(env_file)],
                                cwd=ROOT, env=bare, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        with nginx.running(tmp_path_factory.mktemp("nginx"), f"127.0.0.1:{web_port}",
                           f"127.0.0.1:{relay_port}") as site:
            stack = Stack(site.url, site.cert, site.prefix / "access.log", env, f"http://127.0.0.1:{relay_port}",
                          f"http://127.0.0.1:{sim_port}", password, log)
            _until(lambda: requests.get(stack.url + "/healthz", verify=stack.cert,
                                        timeout=2).status_code == 200,
                   90, "web workers answering /healthz through nginx", log)
            yield stack
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _relay_status(stack: Stack) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {stack.env['OPS_RELAY_TOKEN']}"}
    response = requests.get(stack.relay_url + "/streams/status", headers=headers, timeout=3)
    response.raise_for_status()
    body = response.json()
    return body["cameras"] if isinstance(body, dict) else body


def _gunicorn_workers(stack: Stack) -> list[Any]:
    """The worker processes of the stack's gunicorn master (honcho starts it through a shell)."""
    import psutil

    ours = [p for p in psutil.process_iter(["cmdline", "environ"])
            if "app:server" in (p.info["cmdline"] or [])
            and not (p.info["cmdline"] or [""])[0].endswith("sh")
            and (p.info["environ"] or {}).get("OPS_BIND") == stack.env["OPS_BIND"]]
    pids = {p.pid for p in ours}
    masters = [p for p in ours if p.ppid() not in pids]
    assert len(masters) == 1, masters
    return masters[0].children()


def test_three_workers_serve_every_page_without_console_errors(stack: Stack) -> None:
    workers = _gunicorn_workers(stack)
    assert len(workers) == 3
    # Workers are stateless: no simulator, relay or capture threads in them.
    assert all(w.num_threads() <= 8 + 4 for w in workers), [w.num_threads() for w in workers]
    driver = make_driver(self_signed_tls=True)
    try:
        driver.get(f"{stack.url}/login?next=/")
        driver.find_element(By.ID, "username").send_keys("admin")
        driver.find_element(By.ID, "password").send_keys(stack.admin_password)
        driver.find_element(By.ID, "login-submit").click()
        wait_for(driver, lambda d: "/login" not in d.current_url, timeout=15)
        driver.get_log("browser")
        for page in PAGES:
            driver.get(stack.url + page)
            wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#_pages_content > *"),
                     timeout=20)
            wait_for(driver, lambda d: d.execute_script(
                "return !document.querySelector('._dash-loading')"), timeout=20)
            assert console_errors(driver) == [], page
        assert requested_hosts(driver) <= {"127.0.0.1"}
    finally:
        driver.quit()
    # Chromium went through nginx over HTTP/2, and nginx passed its callbacks (same origin,
    # port included) to the workers: none refused, none failed (499: the browser left the page
    # before the answer, as Dash cancels a page's callbacks when it navigates).
    statuses = re.findall(r'"POST /_dash-update-component\S* HTTP/2.0" (\d+) ',
                          stack.nginx_log.read_text())
    assert statuses.count("200") >= len(PAGES), statuses
    assert set(statuses) <= {"200", "204", "499"}, statuses


def test_each_camera_stream_is_read_once_by_the_relay_service(stack: Stack) -> None:
    from streams.config import load_cameras

    cameras = _until(lambda: (s := _relay_status(stack)) and all(c["state"] == "LIVE" for c in s)
                     and s, 120, "all cameras LIVE at the relay", stack.log)
    assert len(cameras) == 32
    # The simulator counts its open connections per camera: one per stream (RTSP main + sub, or
    # one MJPEG), whatever the three web workers and their viewers do.
    streams = {c.id: len(c.stream_list())
               for c in load_cameras(stack.env["OPS_CAMERAS_FILE"]).cameras}
    stats = requests.get(stack.sim_url + "/stats", timeout=3).json()
    assert {cam: row["connections"] for cam, row in stats.items()} == streams


def test_api_ingest_makes_a_revision_and_a_resend_changes_nothing(stack: Stack) -> None:
    out = _cli(stack.env, "-m", "data", "token", "create", "--agency", "BTC")
    token = re.findall(r"\S{30,}", out)[-1]
    engine = sa.create_engine(stack.env["OPS_DATABASE_URL"])
    with engine.connect() as conn:
        code = conn.execute(sa.text(
            "SELECT code FROM indicator WHERE agency_code = 'BTC' AND frequency = 'monthly' "
            "ORDER BY code LIMIT 1")).scalar()
    assert code, "BTC owns a monthly indicator"
    period = "2026-01"
    with engine.connect() as conn:
        before = conn.execute(sa.text(
            "SELECT max(revision) FROM observation WHERE indicator_code = :c AND region_code = 'VN'"
            " AND period = :p"), {"c": code, "p": period}).scalar() or 0
    body = f"indicator,region,period,value\n{code},VN,{period},{secrets.randbelow(900) + 100}.5\n"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    first = requests.post(stack.url + "/api/v1/submissions", data=body.encode(), headers=headers,
                          verify=stack.cert, timeout=10)
    assert first.status_code == 200, first.text
    again = requests.post(stack.url + "/api/v1/submissions", data=body.encode(), headers=headers,
                          verify=stack.cert, timeout=10)
    assert again.status_code == 200, again.text
    with engine.connect() as conn:
        revisions = conn.execute(sa.text(
            "SELECT revision FROM observation WHERE indicator_code = :c AND region_code = 'VN'"
            " AND period = :p ORDER BY revision"), {"c": code, "p": period}).scalars().all()
    engine.dispose()
    # The first send made exactly one new revision; the resend of the same value made none.
    assert revisions[-1] == before + 1, (before, revisions)
    assert len(revisions) == len(set(revisions))
