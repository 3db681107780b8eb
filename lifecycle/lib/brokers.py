from __future__ import annotations

from pathlib import Path
from typing import Any


def filesystem_broker_options(folder: Path) -> dict[str, Any]:
    """Transport options of kombu's filesystem broker in `folder`, whose subfolders it makes.

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
