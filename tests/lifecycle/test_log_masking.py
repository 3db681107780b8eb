"""Signed links never reach the logs: the handlers of settings.LOGGING (and the Celery
worker's) write the token of every public signed path as [token] (lifecycle/lib/log_filters.py).
The tests read what the configured handlers themselves write."""

from __future__ import annotations

import io
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery import signals
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaigns.models import Message
from lifecycle.lib import links
from lifecycle.lib.log_filters import MaskSignedPaths
from lifecycle.lib.signed_paths import MASK, mask_signed_paths
from tests.factories import InvitationFactory, MessageFactory

TOKEN = links.sign(links.UNSUBSCRIBE, uuid.UUID(int=7))


@contextmanager
def written_by(logger_name: str) -> Iterator[io.StringIO]:
    """What the handlers that settings.LOGGING gave `logger_name` (its own if it has any,
    else the root's) write, while the block runs."""
    logger = logging.getLogger(logger_name)
    handlers = logger.handlers or logging.getLogger().handlers
    # Exactly StreamHandler: pytest's capturing handlers subclass it.
    handlers = [handler for handler in handlers if type(handler) is logging.StreamHandler]
    assert handlers, f"settings.LOGGING gives {logger_name} no stream handler"
    out = io.StringIO()
    streams = [handler.setStream(out) for handler in handlers]
    try:
        yield out
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            handler.setStream(stream)


def _public_token_routes() -> list[str]:
    """Every URL pattern of the site whose route takes a token or a referral code."""

    def walk(patterns: list, prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and re.search(r"<str:(token|code)>", route):
                yield route

    return list(walk(get_resolver().url_patterns, "/"))


# --- The rule -------------------------------------------------------------------------------


def test_every_public_signed_route_of_the_url_confs_is_masked() -> None:
    routes = _public_token_routes()

    assert len(routes) >= 6  # s/, s/<score>/, u/, preferences/, t/o/, t/c/, r/
    for route in routes:
        path = re.sub(r"<str:\w+>", TOKEN, route).replace("<int:score>", "9")
        masked = mask_signed_paths(f"Not Found: {path}")
        assert TOKEN not in masked, route
        assert MASK in masked, route


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f'"GET /u/{TOKEN}/ HTTP/1.1" 429 12', f'"GET /u/{MASK}/ HTTP/1.1" 429 12'),
        (f"https://crm.example/s/{TOKEN}/9/?x=1", f"https://crm.example/s/{MASK}/9/?x=1"),
        ("/r/Ab12Cd/?thanks=1", f"/r/{MASK}/?thanks=1"),
        ("Not Found: /surveys/responses/12/", "Not Found: /surveys/responses/12/"),
        ("Bad Request: /api/v1/accounts/", "Bad Request: /api/v1/accounts/"),
    ],
)
def test_only_the_token_segment_is_replaced(line: str, expected: str) -> None:
    assert mask_signed_paths(line) == expected


# --- Through the configured handlers -----------------------------------------------------


@pytest.mark.django_db
def test_a_404_on_a_survey_link_logs_no_token(client: Client) -> None:
    invitation = InvitationFactory()
    token = links.sign(links.SURVEY_ANSWER, invitation.public_id)
    invitation.delete()  # the link is genuine; its invitation is gone

    with written_by("django.request") as log:
        response = client.get(reverse("surveys:answer-form", args=[token]))

    assert response.status_code == 404
    assert f"Not Found: /s/{MASK}/" in log.getvalue()
    assert token not in log.getvalue()


@pytest.mark.django_db
def test_a_429_on_an_unsubscribe_link_logs_no_token(client: Client, settings) -> None:
    settings.RATE_LIMITS = {"unsubscribe": 1}
    message: Message = MessageFactory()
    token = links.sign(links.UNSUBSCRIBE, message.public_id)
    url = reverse("campaigns:unsubscribe", args=[token])

    with written_by("django.request") as log:
        first, second = client.get(url), client.get(url)

    assert (first.status_code, second.status_code) == (200, 429)
    assert f"Too Many Requests: /u/{MASK}/" in log.getvalue()
    assert token not in log.getvalue()


def test_runserver_access_lines_are_masked() -> None:
    with written_by("django.server") as log:
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /u/{TOKEN}/ HTTP/1.1", "200", "512", extra={"status_code": 200}
        )

    assert f"GET /u/{MASK}/ HTTP/1.1" in log.getvalue()
    assert TOKEN not in log.getvalue()


def test_gunicorn_access_and_error_lines_are_masked() -> None:
    atoms = {"r": f"GET /preferences/{TOKEN}/ HTTP/1.1", "s": "200"}

    with written_by("gunicorn.access") as access, written_by("gunicorn.error") as errors:
        logging.getLogger("gunicorn.access").info('"%(r)s" %(s)s', atoms)
        logging.getLogger("gunicorn.error").error("Error handling request %s", f"/t/c/{TOKEN}/")

    assert access.getvalue() == f'"GET /preferences/{MASK}/ HTTP/1.1" 200\n'
    assert f"Error handling request /t/c/{MASK}/" in errors.getvalue()
    assert TOKEN not in access.getvalue() + errors.getvalue()


def test_a_traceback_naming_a_signed_path_is_masked() -> None:
    with written_by("lifecycle") as log:
        try:
            raise ValueError(f"cannot render /s/{TOKEN}/")
        except ValueError:
            logging.getLogger("lifecycle").exception("Failed")

    assert f"ValueError: cannot render /s/{MASK}/" in log.getvalue()
    assert TOKEN not in log.getvalue()


def test_the_celery_workers_own_handlers_are_masked() -> None:
    # What the worker does at start: replace the root and task loggers' handlers, then tell.
    out = io.StringIO()
    worker_logger = logging.getLogger("test.celery.worker")
    worker_logger.propagate = False
    worker_logger.addHandler(logging.StreamHandler(out))
    try:
        signals.after_setup_task_logger.send(sender=None, logger=worker_logger)
        signals.after_setup_task_logger.send(sender=None, logger=worker_logger)  # twice: one mask
        worker_logger.warning("Retrying /u/%s/", TOKEN)
    finally:
        worker_logger.handlers.clear()

    assert out.getvalue() == f"Retrying /u/{MASK}/\n"


def test_the_filter_leaves_a_malformed_call_to_the_handler() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", ("one",), None)

    assert MaskSignedPaths().filter(record) is True
