"""Signed links are keys: whoever reads one in a log can answer a survey or unsubscribe as the
customer. This filter writes the token of every public signed path as [token]
(lifecycle/lib/signed_paths.py) before a line is written, whatever logged it: Django's
"Not Found: /s/…", runserver's and gunicorn's access lines, Celery.

settings.LOGGING puts it on each handler; Celery's worker installs handlers of its own, so the
filter is added to those when Celery has set them up (the signals below).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import signals

from lifecycle.lib.signed_paths import mask_signed_paths


class MaskSignedPaths(logging.Filter):
    """Masks tokens in the message and in the traceback a record carries. The record is
    changed in place, so every handler after this one writes the masked text too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: the handler reports it, as without this filter
            return True
        masked = mask_signed_paths(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_signed_paths(record.exc_text)
        return True


def _mask_handlers_of(logger: logging.Logger | None = None, **_: Any) -> None:
    for handler in logger.handlers if logger else []:
        if not any(isinstance(existing, MaskSignedPaths) for existing in handler.filters):
            handler.addFilter(MaskSignedPaths())


# The worker replaces the root logger's handlers with its own (worker_hijack_root_logger) and
# gives the task logger one: mask those too. Django configures logging, importing this module,
# before the worker sets up its logging.
signals.after_setup_logger.connect(_mask_handlers_of, weak=False, dispatch_uid="mask-root")
signals.after_setup_task_logger.connect(_mask_handlers_of, weak=False, dispatch_uid="mask-task")
