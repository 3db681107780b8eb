"""The embedded Celery broker: kombu's filesystem transport, its options, and a fix to how it
writes files.

kombu writes a message (and a new exchange's binding file) straight under its final name, so
a worker polling the folder can take it empty or half written and die on the JSON (kombu
issue #1551; seen with two beats). Here each file is written under a name no reader looks
at, then renamed into place in one step. Importing this module, as settings.py does, makes
`filesystem://` mean this transport in every process that reads the settings.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.json import dumps

# Readers take only names ending in ".<queue>.msg" (or ".exchange"): this is never one.
PARTIAL_SUFFIX = ".part"


def _write_whole(path: str, content: str) -> str:
    """Write `content` next to `path` under a name no reader matches; return that name."""
    partial = f"{path}.{uuid.uuid4().hex}{PARTIAL_SUFFIX}"
    try:
        with open(partial, "wb") as file:
            file.write(content.encode())
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise
    return partial


class FilesystemChannel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        # kombu's name: readers sort by it, so the order is first written, first read.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        try:
            partial = _write_whole(path, dumps(payload))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc
        try:
            # The same folder, so the same filesystem: the rename is atomic.
            os.replace(partial, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(partial)
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc

    def _queue_bind(
        self, exchange: str, routing_key: str | None, pattern: str | None, queue: str | None
    ) -> None:
        file = self._exchange_file(exchange)
        if not file.exists():
            self.control_folder.mkdir(exist_ok=True)
            binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
            partial = _write_whole(str(file), dumps([binding]))
            try:
                os.link(partial, file)  # unlike a rename, fails if the file exists by now
                return
            except OSError:
                pass  # made by another binder meanwhile (or no hard links): kombu's own way
            finally:
                with contextlib.suppress(OSError):
                    os.remove(partial)
        super()._queue_bind(exchange, routing_key, pattern, queue)


class FilesystemTransport(filesystem.Transport):
    Channel = FilesystemChannel


TRANSPORT_ALIASES["filesystem"] = f"{__name__}:FilesystemTransport"


def filesystem_broker_options(folder: Path) -> dict[str, Any]:
    """Transport options of the filesystem broker in `folder`, whose subfolders it makes.

    Measured: the default 1 s polling gives ~2 tasks/s; 0.2 s keeps the worker responsive.
    """
    paths = {name: folder / name for name in ("queue", "processed", "control")}
    for path in paths.values():
        path.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(paths["queue"]),
        "data_folder_out": str(paths["queue"]),
        "processed_folder": str(paths["processed"]),
        "control_folder": str(paths["control"]),
        "store_processed": True,
        "polling_interval": 0.2,
    }
