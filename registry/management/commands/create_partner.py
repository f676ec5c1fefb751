"""`manage.py create_partner NAME`: a partner and its API key, which is printed once."""

from django.core.management.base import BaseCommand, CommandError

from registry import actions
from registry.models import Partner


class Command(BaseCommand):
    help = "Create a partner and print its API key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--scope",
            action="append",
            choices=Partner.Scope.values,
            help="Repeat for several; default: feed:read",
        )

    def handle(self, *args, name, scope, **options):
        if Partner.objects.filter(name=name).exists():
            raise CommandError(f"A partner named {name!r} exists already.")
        partner, key = actions.create_partner(name, scope or [Partner.Scope.FEED_READ])
        self.stdout.write(f"Partner {partner.name!r} created with scopes {partner.scopes}.")
        self.stdout.write("API key (store it now; it cannot be shown again):")
        self.stdout.write(key)
