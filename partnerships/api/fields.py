"""API fields that answer through the access policy."""

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnerships import access
from partnerships.models import Partnership, Party

NOT_A_MEMBER = "Enter the username of a member of one of the partnership's organisations."


@extend_schema_field(OpenApiTypes.STR)
class PartnershipMemberField(serializers.Field):
    """A person named by username, who must belong to an organisation that is a party to a
    partnership the requester may see. "No such user" and "not a member" get the same message,
    so the API cannot be used to find out which usernames exist. (The service then checks the
    person against the partnership in question.)"""

    default_error_messages = {"invalid": NOT_A_MEMBER}

    def to_representation(self, value):
        return value.get_username()

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip() or len(data) > 150:
            self.fail("invalid")
        request = self.context.get("request")
        user = getattr(request, "user", None)
        parties = Party.objects.filter(partnership__in=access.visible(Partnership, user))
        person = (
            get_user_model()
            .objects.filter(
                username=data.strip(),
                memberships__organisation__in=parties.values("organisation"),
            )
            .first()
        )
        if person is None:
            self.fail("invalid")
        return person
