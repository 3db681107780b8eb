"""`python manage.py import_crm`: the CSV import of docs/import.md, all files or nothing."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.importer import HISTORY_KINDS, ImportResult, import_crm, kinds


def _help(kind: str) -> str:
    history = HISTORY_KINDS.get(kind)
    return f"CSV file of {kind}" + (f": {history.help_text}" if history else "")


def _plain(text: str) -> str:
    # Errors are printed exactly as FILE:LINE: column: reason, never coloured.
    return text


class Command(BaseCommand):
    help = (
        "Import accounts, contacts, subscriptions and survey responses from CSV files, "
        "upserting by external_id. Any invalid row in any file imports nothing and exits "
        "with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        for kind in kinds():
            parser.add_argument(f"--{kind}", metavar="FILE", help=_help(kind))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only check the files and say what would be created or updated.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = {kind: options[kind] for kind in kinds() if options.get(kind)}
        if not paths:
            options_list = ", ".join(f"--{kind}" for kind in kinds())
            raise CommandError(f"Give at least one of {options_list}.")
        with ExitStack() as stack:
            sources = {kind: (path, _open(stack, path)) for kind, path in paths.items()}
            result = import_crm(sources=sources, dry_run=options["dry_run"])
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error), style_func=_plain)
            raise CommandError(
                f"{len(result.errors)} error(s); nothing was imported.", returncode=1
            )
        self._summarise(result, verbosity=options["verbosity"])

    def _summarise(self, result: ImportResult, verbosity: int) -> None:
        if verbosity < 1:
            return
        created, updated = ("to create", "to update") if result.dry_run else ("created", "updated")
        for kind, count in result.created.items():
            self.stdout.write(f"{kind}: {count} {created}, {result.updated[kind]} {updated}")
        if result.dry_run:
            self.stdout.write("Dry run: nothing was written.")


def _open(stack: ExitStack, path: str) -> BinaryIO:
    try:
        return stack.enter_context(open(path, "rb"))
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}", returncode=1) from exc
