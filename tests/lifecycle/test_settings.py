from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefghij",
    "DJANGO_ALLOWED_HOSTS": "crm.example.com",
    "SITE_URL": "https://crm.example.com",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_sqlite_connections_wait_for_locks_and_use_wal():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_deploy_check_passes_without_warnings_given_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_on_a_per_process_cache():
    env = {**PRODUCTION_ENV, "CACHE_URL": "locmemcache://"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "lifecycle.E001" in result.stderr and "Set CACHE_URL" in result.stderr


def test_it_refuses_a_trusted_proxy_count_out_of_range():
    result = manage("check", env={"DJANGO_TRUSTED_PROXY_COUNT": "-1"})
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXY_COUNT must be between 0 and 10" in result.stderr


@pytest.mark.parametrize(
    "limits", [{"LOGIN_ADDRESS_FAILURE_LIMIT": "4"}, {"LOGIN_FAILURE_LIMIT": "0"}]
)
def test_it_refuses_an_address_limit_below_the_username_limit(limits):
    # An address locked before a username would lock an office out for one typo.
    result = manage("check", env=limits)

    assert result.returncode != 0
    assert "LOGIN_ADDRESS_FAILURE_LIMIT must be at least LOGIN_FAILURE_LIMIT" in result.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_site_url_that_is_not_absolute():
    result = manage("check", env={"SITE_URL": "crm.example.com/path"})
    assert result.returncode != 0
    assert "SITE_URL must be an absolute" in result.stderr


def test_in_production_only_the_health_check_answers_plain_http(tmp_path):
    """A load balancer probes /healthz over HTTP; every other page redirects to HTTPS."""
    env = {
        **PRODUCTION_ENV,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    assert manage("migrate", "-v", "0", env=env).returncode == 0
    probe = (
        "from django.test import Client; client = Client(); "
        "print(client.get('/healthz').status_code, client.get('/login/').status_code)"
    )
    result = manage("shell", "--no-imports", "-c", probe, env=env)
    assert result.stdout.split() == ["200", "301"], result.stdout + result.stderr


def setting_values(env: dict[str, str], *names: str) -> list[str]:
    code = "from django.conf import settings; " + "; ".join(
        f"print(settings.{name})" for name in names
    )
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_a_bare_sender_address_gets_the_company_name():
    env = {"COMPANY_NAME": "Acme Analytics", "DEFAULT_FROM_EMAIL": "hello@acme.example"}
    assert setting_values(env, "DEFAULT_FROM_EMAIL") == ["Acme Analytics <hello@acme.example>"]
    assert setting_values({"COMPANY_NAME": "Acme"}, "DEFAULT_FROM_EMAIL") == [
        "Acme <noreply@localhost>"
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [("CURRENCY", "dollars"), ("COMPANY_LOGO_URL", "javascript:alert(1)")],
)
def test_a_malformed_currency_or_logo_refuses_to_start(name, value):
    result = manage("check", env={name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_the_currency_code_is_read_in_capitals():
    assert setting_values({"CURRENCY": " eur "}, "CURRENCY") == ["EUR"]
