"""Erase a person everywhere, by their address (docs/security.md): their answers stay
anonymised and the address only as a suppression hash."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifecycle.ops import personal_data


class Command(BaseCommand):
    help = (
        "Erase the person with EMAIL everywhere: contacts at every account, messages and "
        "their outbox copies, events, unsubscribes, admin history naming them. Their answers "
        "stay anonymised (the metrics do not change) and the address only as a suppression "
        "hash, so nothing emails it again. Asks first unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the person's address (any case)")
        parser.add_argument("--yes", action="store_true", help="erase without asking")

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["email"]
        found = personal_data.summary(address)
        if found is None:
            raise CommandError(f"Nothing is held about {address}.", returncode=1)
        self.stdout.write(
            f"{address}: {found.contacts} contacts at {found.accounts} accounts, "
            f"{found.messages} unsent messages, {found.outbox_copies} outbox copies, "
            f"{found.leads} leads, {found.admin_history} admin history entries; "
            f"{found.answers_kept} answers and {found.messages_kept} sent emails will be "
            "kept, anonymised."
        )
        if not options["yes"] and not self.confirmed():
            self.stdout.write("Nothing was erased.")
            return
        personal_data.erase(address)
        self.stdout.write(
            self.style.SUCCESS(
                "Erased. The address stays only as a hash on the suppression list: "
                "no import or campaign emails it again."
            )
        )

    def confirmed(self) -> bool:
        try:
            answer = input("Erase this person everywhere? This cannot be undone. Type 'yes': ")
        except EOFError:  # no terminal to ask: never erase by default
            return False
        return answer.strip().lower() == "yes"
