"""Everything held about a person, by their address, as one JSON document (docs/security.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from lifecycle.ops import personal_data


class Command(BaseCommand):
    help = (
        "Export everything held about the person with EMAIL (every contact with it, at any "
        "account, and what hangs off them) as one JSON document."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the person's address (any case)")
        parser.add_argument("--output", help="write the document to this file, not stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        document = personal_data.export(options["email"])
        if document is None:
            raise CommandError(f"Nothing is held about {options['email']}.", returncode=1)
        text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        if options["output"]:
            path = Path(options["output"])
            try:
                path.write_text(text + "\n", encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror or exc}", returncode=1) from exc
            self.stderr.write(f"Written to {path}.")
            return
        self.stdout.write(text)
