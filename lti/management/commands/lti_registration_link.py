"""Prints the address an LMS administrator pastes into Moodle's or Canvas's dynamic registration."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from lti.services import registration_link_token, tool_keys


class Command(BaseCommand):
    help = "Prints a signed LTI dynamic-registration address (valid LTI_REGISTRATION_LINK_MAX_AGE seconds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("base_url", help="the platform's public address, e.g. https://learn.example.org")

    def handle(self, *args, base_url: str, **options) -> None:
        tool_keys()  # the LMS reads the key set right after registering
        path = reverse("lti_register", args=[registration_link_token()])
        days = settings.LTI_REGISTRATION_LINK_MAX_AGE / 86400
        self.stdout.write(base_url.rstrip("/") + path)
        self.stderr.write(
            f"valid for {days:g} days; the JWKS is at {base_url.rstrip('/')}{reverse('lti_jwks')}"
        )
