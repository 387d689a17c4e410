"""`manage.py create_staff USERNAME --role reviewer|senior|ml_lead|ops`: a staff account in its role's group, with
an API token printed for `Authorization: Token …`. Re-running is safe: the account is updated, the token kept."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from reviews.roles import GROUP_PERMISSIONS, ROLES


class Command(BaseCommand):
    help = "Create (or update) a staff account with a review role and print its API token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", default=None, help="set a password for the admin login (else unusable)")

    @transaction.atomic
    def handle(self, username, role, email, password, **options):
        username = username.strip()
        if not username:
            raise CommandError("USERNAME must not be empty.")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        user.is_staff = True
        if email:
            user.email = email
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()
        group, _ = Group.objects.get_or_create(name=role)
        for perm in GROUP_PERMISSIONS[role]:  # keep the group's admin permissions in sync with the code
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found:
                group.permissions.add(found)
        user.groups.add(group)
        token, _ = Token.objects.get_or_create(user=user)
        self.stderr.write(f"{'Created' if created else 'Updated'} staff account {username!r} with role {role}.")
        self.stdout.write(token.key)
