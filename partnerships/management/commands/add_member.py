"""Give a person a role in an organisation, creating their account if needed."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerships import services
from partnerships.choices import Role
from partnerships.models import Membership, Organisation

from .add_organisation import _messages


class Command(BaseCommand):
    help = "Add a membership (viewer, programme_manager, executive or regulator); creates the user."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="ODS code of the organisation")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(Role.values)}")
        parser.add_argument(
            "--password", help="Sets the password (a new user without one cannot sign in)"
        )
        parser.add_argument("--email", default=None)

    @transaction.atomic
    def handle(self, *args, username: str, org: str, role: str, password, email, **options):
        role = role.strip().lower()
        if role not in Role.values:
            raise CommandError(f"“{role}” is not a role. Use one of: {', '.join(Role.values)}.")
        try:
            organisation = Organisation.objects.get(ods_code=org.strip().upper())
        except Organisation.DoesNotExist:
            raise CommandError(f"There is no organisation with the ODS code {org}.") from None

        User = get_user_model()
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username, email=email or "")
        elif email is not None:
            user.email = email
        try:
            user.full_clean(exclude=["password"])
            if password:
                # The same password rules as everywhere else (AUTH_PASSWORD_VALIDATORS), checked
                # against the account's username and email.
                validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()

        membership = Membership(user=user, organisation=organisation, role=role)
        try:
            services.membership_save(membership=membership, by=None)
        except ValidationError as exc:
            # Nothing is kept: the transaction also undoes a user created above.
            raise CommandError(_messages(exc)) from None
        self.stdout.write(
            f"{'Created user' if created else 'User'} {user.username}: "
            f"{membership.get_role_display().lower()} at {organisation.display_name} ({organisation.ods_code})."
        )
