"""The hostile cases of docs/security.md tried over HTTP against the production processes
(gunicorn with 4 workers, the Redis cache), as part of the production smoke.

What an in-process test cannot show: that the limits count across every gunicorn worker,
and that a client behind the declared proxy cannot forge its way out of them.
"""

from __future__ import annotations

import http.client
import re
import subprocess
from pathlib import Path
from urllib.parse import urlencode

SURVEY_LIMIT = 120  # surveys/public_views.py, per minute and client address
LOGIN_LIMIT = 5  # LOGIN_FAILURE_LIMIT's default


class HostileFailed(Exception):
    """A hostile case got through; the message says which and what was seen."""


class Visitor:
    """A client reaching gunicorn through the one TLS proxy the smoke declares
    (DJANGO_TRUSTED_PROXY_COUNT=1): the proxy appends the client's address to whatever
    X-Forwarded-For the client wrote. Keeps its cookies."""

    def __init__(self, port: int, host: str, address: str) -> None:
        self.port, self.host, self.address = port, host, address
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, form: dict | None = None, forged: str = ""
    ) -> tuple[int, str]:
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": ", ".join(filter(None, [forged, self.address])),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{self.host}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            connection.close()

    def sign_in(self, username: str, password: str) -> int:
        status, page = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise HostileFailed(f"/login/ answered {status} without a form")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
        return self.request("POST", "/login/", form=form)[0]


def create_admins(python: str, tree: Path, env: dict, *names: str) -> str:
    password = "a-long-smoke-password-9f3k"
    for name in names:
        subprocess.run(
            f"{python} createsuperuser --noinput --username {name} --email {name}@smoke.test",
            shell=True,
            cwd=tree,
            env={**env, "DJANGO_SUPERUSER_PASSWORD": password},
            check=True,
            capture_output=True,
            timeout=120,
        )
    return password


def forged_header_flood(port: int, host: str, survey_path: str) -> str:
    """A new forged X-Forwarded-For on every request, spread over the 4 workers."""
    attacker = Visitor(port, host, "198.51.100.66")
    answers = [
        attacker.request("GET", survey_path, forged=f"192.0.2.{n % 250}")[0] for n in range(300)
    ]
    served, refused = answers.count(200), answers.count(429)
    # One shared counter allows 120 a minute (240 if the flood straddles a minute); per
    # process counting would allow 4 times 120, and trusting the header all 300.
    if not (SURVEY_LIMIT <= served <= 2 * SURVEY_LIMIT) or served + refused != len(answers):
        raise HostileFailed(f"forged-header flood: {served} served, {refused} refused of 300")
    bystander = Visitor(port, host, "198.51.100.67")
    if bystander.request("GET", survey_path, forged="198.51.100.66")[0] != 200:
        raise HostileFailed("another client was refused: the attacker spent its budget")
    return f"forged-header flood: {served} of 300 served, {refused} answered 429"


def password_guessing(port: int, host: str, username: str, password: str) -> str:
    guesser = Visitor(port, host, "198.51.100.70")
    answers = [guesser.sign_in(username, f"guess-{n}") for n in range(LOGIN_LIMIT + 2)]
    right = Visitor(port, host, "198.51.100.71").sign_in(username, password)
    expected = [200] * (LOGIN_LIMIT - 1) + [429] * 3  # the 5th failure locks
    if answers != expected:
        raise HostileFailed(f"password guessing: answers {answers}")
    if right != 429:
        raise HostileFailed(f"the right password after the lockout answered {right}, not 429")
    return f"password guessing: locked after {LOGIN_LIMIT} failures, the right password refused"


ODD_PERIODS = [
    "/?start=2012-12-01&end=2026-01-01",
    "/?start=2026-01-01&end=9999-12-31",
    "/dashboard/churn/?start=2012-12-01&end=2026-01-01",
    "/dashboard/series.csv?start=2012-12-01&end=2026-01-01",
    "/dashboard/cohorts.csv?start=0001-01-01&end=0001-02-01",
    "/api/v1/metrics/?start=0001-01-01&end=0001-01-02",
]


def odd_periods(port: int, host: str, username: str, password: str) -> str:
    staff = Visitor(port, host, "198.51.100.80")
    if staff.sign_in(username, password) != 302:
        raise HostileFailed("the second admin could not sign in")
    answers = {path: staff.request("GET", path)[0] for path in ODD_PERIODS}
    if any(status >= 500 for status in answers.values()):
        raise HostileFailed(f"odd periods: {answers}")
    return f"odd periods: {len(answers)} URLs, none 5xx ({sorted(set(answers.values()))})"


def check_hostile(port: int, host: str, survey_url: str, python: str, tree: Path, env: dict):
    password = create_admins(python, tree, env, "smoke-locked", "smoke-staff")
    survey_path = survey_url.split(host, 1)[1]
    yield forged_header_flood(port, host, survey_path)
    yield password_guessing(port, host, "smoke-locked", password)
    yield odd_periods(port, host, "smoke-staff", password)
