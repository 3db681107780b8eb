from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def unfinished(catalog: Path) -> tuple[str, str]:
    """The untranslated and the fuzzy entries of a catalog, as msgattrib prints them."""

    def entries(flag: str) -> str:
        command = ["msgattrib", flag, "--no-obsolete", str(catalog)]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    return entries("--untranslated"), entries("--only-fuzzy")


@pytest.mark.parametrize("language", ["es", "ru"])
def test_every_ui_string_is_translated(language):
    if not shutil.which("msgattrib"):
        pytest.skip("GNU gettext is not installed")
    untranslated, fuzzy = unfinished(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert untranslated == "", f"untranslated in {language}:\n{untranslated[:2000]}"
    assert fuzzy == "", f"fuzzy in {language}:\n{fuzzy[:2000]}"


@pytest.mark.parametrize(
    ("language", "accounts", "sign_in"),
    [("es", "Cuentas", "Iniciar sesión"), ("ru", "Аккаунты", "Войти")],
)
def test_the_compiled_catalogs_are_used(language, accounts, sign_in):
    with translation.override(language):
        assert translation.gettext("Accounts") == accounts
        assert translation.gettext("Sign in") == sign_in


@pytest.mark.django_db
def test_the_sign_in_page_speaks_the_browsers_language(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="ru")
    assert 'lang="ru"' in response.content.decode()
    assert "Войти" in response.content.decode()


ROOT = LOCALE.parent
NOT_SOURCE = (".git", ".venv", "node_modules", "staticfiles", "var", "tests", "__pycache__")


@pytest.fixture(scope="module")
def catalogs_from_the_source(tmp_path_factory) -> Path:
    """The catalogs `make messages` would write from today's source, in a copy of the tree
    (the real catalogs stay untouched)."""
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_SOURCE, "*.mo"))
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "es",
            "-l",
            "ru",
            "--no-obsolete",
            "--ignore=staticfiles",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return copy / "locale"


@pytest.mark.parametrize("language", ["es", "ru"])
def test_no_string_of_the_source_is_left_untranslated(catalogs_from_the_source, language):
    """Fails when a new string in the code or the templates has no translation yet: run
    `make messages` and translate what it adds (docs/architecture.md, "Languages")."""
    untranslated, fuzzy = unfinished(
        catalogs_from_the_source / language / "LC_MESSAGES" / "django.po"
    )
    assert untranslated == "", f"makemessages adds untranslated {language}:\n{untranslated[:3000]}"
    assert fuzzy == "", f"makemessages leaves fuzzy {language}:\n{fuzzy[:3000]}"
