"""`manage.py add_staff USERNAME --role moderator|administrator`: a staff account with a TOTP
device. Prints the device's otpauth:// address once, for the person's authenticator app; the
admin stays closed to the account until it signs in with a code from that app."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry import actions
from registry.roles import ADMINISTRATORS, MODERATORS

ROLES = {"moderator": MODERATORS, "administrator": ADMINISTRATORS}


class Command(BaseCommand):
    help = "Create a staff account in a role, with a TOTP device for its second factor."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, email, **options):
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} exists already.")
        # STAFF_PASSWORD lets automation set it without a prompt (never on the command line).
        password = os.environ.get("STAFF_PASSWORD") or getpass.getpass("Password: ")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        _, device = actions.create_staff(username, email, password, ROLES[role])
        self.stdout.write(f"Staff account {username!r} created as {role}.")
        self.stdout.write("Add this to the person's authenticator app (shown only now):")
        self.stdout.write(device.config_url)
