from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("language", ["es", "ru"])
def test_every_ui_string_is_translated(language):
    if not shutil.which("msgattrib"):
        pytest.skip("GNU gettext is not installed")
    catalog = LOCALE / language / "LC_MESSAGES" / "django.po"
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(catalog)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(catalog)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
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
