"""Production smoke: the README's production block, run as written, on a copy of the tree.

    .venv/bin/python .ci/production_smoke.py [--broker URL ...]

For each broker (Redis, then RabbitMQ, by default) it lays the tree out as a fresh clone
would be, runs the README's set-up lines in a virtual environment made from
`requirements.txt` alone (no test tools: they once hid a missing runtime dependency), on a
new PostgreSQL database with `DJANGO_DEBUG=false`, starts gunicorn, a worker and beat as
the README says, and checks what an operator relies on: `/healthz` and `/login/` over
gunicorn, the worker answering beat, and `send_campaign nps-quarterly` delivering real
email to a local SMTP server (aiosmtpd) within a bounded time, once per contact. On the
first broker it then tries the hostile cases of docs/security.md over HTTP
(.ci/hostile_http.py): a forged-header flood across the 4 gunicorn workers, password
guessing, and odd dashboard periods.

It runs with the development virtual environment's Python only for aiosmtpd; nothing of
that environment reaches the production processes. Any failed step prints why and exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import email
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.smtp import SMTPServer, free_port  # noqa: E402

sys.path.insert(0, str(ROOT / ".ci"))
from hostile_http import HostileFailed, check_hostile  # noqa: E402

README_MARKER = "<!-- .ci/production_smoke.py runs this block"
SITE_HOST = "crm.smoke.test"
DATABASE_SERVER = os.environ.get("SMOKE_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
DATABASE_NAME = "lifecycle_smoke"
DEFAULT_BROKERS = ["redis://127.0.0.1:6379/14", "amqp://guest:guest@127.0.0.1:5672//"]
CACHE_URL = "redis://127.0.0.1:6379/13"
# Variables of the machine that must not leak into the production processes.
SCRUBBED = re.compile(
    r"^(VIRTUAL_ENV|PYTHONPATH|PYTHONHOME|DJANGO_.*|DATABASE_URL|CELERY_.*|EMAIL_.*|CACHE_URL"
    r"|SITE_URL|TIME_ZONE|GUNICORN_CMD_ARGS|PORT|WEB_PORT)$"
)
CONTACTS = {
    "ana@smoke.test": "es",
    "boris@smoke.test": "ru",
    "carol@smoke.test": "en",
}


class SmokeFailed(Exception):
    """A step failed; the message says which and why."""


def say(text: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S')}] {text}", flush=True)


def readme_block() -> tuple[list[str], list[str]]:
    """The README's production lines: set-up commands, then the long-running services."""
    text = (ROOT / "README.md").read_text()
    if README_MARKER not in text:
        raise SmokeFailed(f"README.md has no line starting {README_MARKER!r}")
    after = text.split(README_MARKER, 1)[1]
    block = after.split("```sh\n", 1)[1].split("```", 1)[0]
    setup: list[str] = []
    services: list[str] = []
    target = setup
    for line in block.splitlines():
        if line.startswith("#"):
            target = services  # the comment line introduces the processes to keep running
        elif line.strip():
            target.append(line.strip())
    if not setup or len(services) != 3:
        raise SmokeFailed(f"README block not understood: setup={setup} services={services}")
    return setup, services


def copy_tree(destination: Path) -> None:
    """The files a fresh clone of this tree would have (tracked and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            target = destination / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def run(command: str, *, cwd: Path, env: dict[str, str], timeout: float) -> str:
    started = time.monotonic()
    try:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        raise SmokeFailed(f"`{command}` did not finish within {timeout:.0f} s") from error
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise SmokeFailed(f"`{command}` exited {done.returncode}:\n{tail(output)}")
    say(f"ok ({time.monotonic() - started:.1f} s): {command}")
    return output


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Service:
    command: str
    log: Path
    process: subprocess.Popen | None = None

    def start(self, *, cwd: Path, env: dict[str, str]) -> None:
        handle = self.log.open("w")
        self.process = subprocess.Popen(
            ["bash", "-c", f"exec {self.command}"],
            cwd=cwd,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own group, so that stop() reaches its children
        )

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            code = self.process.returncode
            raise SmokeFailed(f"`{self.command}` exited {code}:\n{self.output()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def output(self) -> str:
        return tail(self.log.read_text(errors="replace"))


@dataclass
class Web:
    port: int
    services: list[Service] = field(default_factory=list)

    def get(self, path: str, *, proxied: bool = True) -> tuple[int, str]:
        return self.request("GET", path, proxied=proxied)

    def request(
        self, method: str, path: str, *, proxied: bool = True, data: bytes | None = None
    ) -> tuple[int, str]:
        """As the TLS proxy in front of gunicorn passes it on (or a bare health probe)."""
        headers = {"Host": SITE_HOST, "X-Forwarded-Proto": "https"} if proxied else {}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers, method=method
        )
        opener = urllib.request.build_opener(NoRedirects)
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer to check, not follow
        return None


def wait_until(what: str, check, *, timeout: float, services: list[Service]) -> object:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        for service in services:
            service.check_alive()
        try:
            last = check()
        except OSError as error:  # not listening yet
            last = error
        else:
            if last:
                say(f"ok: {what}")
                return last
        time.sleep(0.5)
    raise SmokeFailed(f"{what}: not within {timeout:.0f} s (last seen: {last!r})")


def production_environment(broker: str, smtp_port: int, web_port: int) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not SCRUBBED.match(name)}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=f"{SITE_HOST},127.0.0.1",
        SITE_URL=f"https://{SITE_HOST}",
        DJANGO_BEHIND_TLS_PROXY="true",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DATABASE_URL=f"{DATABASE_SERVER}/{DATABASE_NAME}",
        CELERY_BROKER_URL=broker,
        CACHE_URL=CACHE_URL,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="10",
        DEFAULT_FROM_EMAIL="Smoke CRM <crm@smoke.test>",
        GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{web_port}",
    )
    return env


def fresh_database() -> None:
    server = DATABASE_SERVER.removeprefix("postgres://")
    user, host_port = server.split("@", 1)
    host, port = host_port.split(":", 1)
    options = ["-h", host, "-p", port, "-U", user]
    subprocess.run(["dropdb", *options, "--if-exists", "--force", DATABASE_NAME], check=True)
    subprocess.run(["createdb", *options, DATABASE_NAME], check=True)


def purge(broker: str) -> None:
    """Drop tasks an earlier run left queued: they name rows of a database now gone."""
    from kombu import Connection

    # RabbitMQ has no such queue on its first run.
    with (
        Connection(broker, connect_timeout=5) as connection,
        contextlib.suppress(*connection.channel_errors),
    ):
        connection.default_channel.queue_purge("celery")


def write_customers(folder: Path) -> list[str]:
    """A small CRM export: one customer account, its contacts in three languages."""
    started = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    files = {
        "accounts.csv": "external_id,name,industry,employees,country\n"
        "acc-1,Smoke Industries,Software,40,DE\n",
        "contacts.csv": "external_id,account_external_id,first_name,last_name,email,language\n"
        + "".join(
            f"c-{n},acc-1,Name{n},Smoke,{address},{language}\n"
            for n, (address, language) in enumerate(CONTACTS.items())
        ),
        "subscriptions.csv": "external_id,account_external_id,plan,mrr,started_on\n"
        f"s-1,acc-1,Pro,900.00,{started}\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return [f"--{name.removesuffix('.csv')} {folder / name}" for name in files]


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def check_survey_email(message: EmailMessage) -> str:
    """The contract of every survey email; returns its one-click unsubscribe URL."""
    if message.get_content_type() != "multipart/alternative":
        raise SmokeFailed(f"not multipart text + HTML: {message.get_content_type()}")
    unsubscribe = str(message["List-Unsubscribe"] or "")
    if message["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
        raise SmokeFailed(f"no RFC 8058 one-click header on the email to {message['To']}")
    links = re.findall(r"<(https://[^>]+)>", unsubscribe)
    if not links or not links[0].startswith(f"https://{SITE_HOST}/"):
        raise SmokeFailed(f"List-Unsubscribe not under SITE_URL: {unsubscribe!r}")
    return links[0]


def smoke(broker: str, tree: Path, setup: list[str], services: list[str], *, hostile: bool) -> None:
    say(f"broker {broker.split('@')[-1]}: fresh database {DATABASE_NAME}")
    fresh_database()
    redis.Redis.from_url(CACHE_URL).flushdb()  # no rate-limit counts from an earlier run
    with SMTPServer() as smtp:
        web = Web(port=free_port())
        env = production_environment(broker, smtp.port, web.port)
        for line in setup:
            run(line, cwd=tree, env=env, timeout=900)
        run(".venv/bin/pip check", cwd=tree, env=env, timeout=60)  # declared needs all met
        python = ".venv/bin/python manage.py"
        purge(broker)
        web.services = [
            Service(command, tree / f"service-{n}.log") for n, command in enumerate(services)
        ]
        try:
            for service in web.services:
                service.start(cwd=tree, env=env)
            check_services(web, smtp, tree, env, python, hostile=hostile)
        except SmokeFailed:
            for service in web.services:
                print(f"--- last lines of `{service.command}`:\n{service.output()}")
            raise
        finally:
            for service in web.services:
                service.stop()
        for service in web.services:
            if "Traceback" in service.log.read_text(errors="replace"):
                raise SmokeFailed(f"`{service.command}` logged a traceback:\n{service.output()}")


def check_services(
    web: Web, smtp: SMTPServer, tree: Path, env: dict, python: str, *, hostile: bool
) -> None:
    running = web.services
    health = wait_until(
        "gunicorn answers /healthz",
        lambda: web.get("/healthz")[0] == 200 and json.loads(web.get("/healthz")[1]),
        timeout=60,
        services=running,
    )
    if health.get("database") != "ok":
        raise SmokeFailed(f"/healthz: {health}")
    status, _ = web.get("/healthz", proxied=False)
    if status != 200:
        raise SmokeFailed(f"/healthz over plain HTTP (a load balancer's probe): {status}")
    status, page = web.get("/login/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    if status != 200 or 'name="password"' not in page or not stylesheet:
        raise SmokeFailed(f"/login/ answered {status}:\n{tail(page)}")
    if web.get(stylesheet.group(1))[0] != 200:
        raise SmokeFailed(f"{stylesheet.group(1)} (whitenoise) is not served")
    say("ok: /login/ and its stylesheet")
    arguments = " ".join(write_customers(tree))
    run(f"{python} import_crm {arguments}", cwd=tree, env=env, timeout=120)
    wait_until(
        "the worker runs the heartbeat beat sends",
        lambda: json.loads(web.get("/healthz")[1]).get("worker_last_seen"),
        timeout=120,
        services=running,
    )
    run(f"{python} send_campaign nps-quarterly", cwd=tree, env=env, timeout=120)
    wait_until(
        f"{len(CONTACTS)} survey emails reach the SMTP server",
        lambda: smtp.count >= len(CONTACTS),
        timeout=120,
        services=running,
    )
    again = run(f"{python} send_campaign nps-quarterly", cwd=tree, env=env, timeout=120)
    if not again.startswith("nps-quarterly: 0 new messages queued"):
        raise SmokeFailed(f"a second send_campaign queued more: {again}")
    time.sleep(3)  # time for a duplicate, were one on its way
    messages = [email.message_from_bytes(raw, policy=default_policy) for raw in smtp.handler.raw]
    recipients = sorted(str(message["To"]) for message in messages)
    if recipients != sorted(CONTACTS):
        raise SmokeFailed(f"expected one email to each of {sorted(CONTACTS)}, got {recipients}")
    unsubscribe = check_survey_email(messages[0])
    status, _ = web.request("POST", unsubscribe.split(SITE_HOST, 1)[1], data=b"")
    if status != 200:
        raise SmokeFailed(f"one-click unsubscribe (a bare POST) answered {status}")
    say(f"ok: one email each to {', '.join(recipients)}; one-click unsubscribe works")
    survey = re.search(
        rf'href="(https://{re.escape(SITE_HOST)}/s/[^"/]+/9/)"', html_of(messages[1])
    )
    if not survey:
        raise SmokeFailed("no survey answer link (score 9) in the HTML of the survey email")
    if not hostile:
        return
    try:
        for finding in check_hostile(web.port, SITE_HOST, survey[1], python, tree, env):
            say(f"ok: {finding}")
    except HostileFailed as failure:
        raise SmokeFailed(str(failure)) from failure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--broker", action="append", help="a CELERY_BROKER_URL (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the laid-out tree")
    options = parser.parse_args()
    started = time.monotonic()
    tree = Path(tempfile.mkdtemp(prefix="lifecycle-smoke-"))
    try:
        setup, services = readme_block()
        copy_tree(tree)
        say(f"the tree as a clone has it, in {tree}")
        for n, broker in enumerate(options.broker or DEFAULT_BROKERS):
            # The hostile cases test the web processes and the cache, not the broker: once.
            smoke(broker, tree, setup, services, hostile=n == 0)
    except SmokeFailed as failure:
        print(f"PRODUCTION SMOKE FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    finally:
        if not options.keep:
            shutil.rmtree(tree, ignore_errors=True)
    say(f"production smoke passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
