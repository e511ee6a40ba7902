"""The change log as the API shows it."""

from rest_framework import serializers

from buddying.common.api import ModelSerializer
from buddying.sync.models import Change


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class ChangeSerializer(ModelSerializer):
    """One change: ``who`` is null for the system (jobs, commands, cascades)."""

    type = serializers.CharField(source="object_type")
    partnership = serializers.UUIDField(source="partnership_id", allow_null=True)
    organisation = serializers.CharField(source="organisation_id", allow_null=True)
    who = PersonSerializer(source="user", allow_null=True)
    when = serializers.DateTimeField(source="updated_at")
    changes = serializers.DictField(
        child=serializers.DictField(),
        help_text='Each changed field\'s old and new value: {"title": {"old": "A", "new": "B"}}.',
    )

    class Meta:
        model = Change
        fields = [
            "id",
            "type",
            "object_id",
            "partnership",
            "organisation",
            "action",
            "who",
            "when",
            "changes",
            "updated_at",
        ]
        read_only_fields = fields


class DeletionSerializer(ModelSerializer):
    """A deleted object: a mirror drops ``type`` ``object_id``."""

    type = serializers.CharField(source="object_type")
    partnership = serializers.UUIDField(source="partnership_id", allow_null=True)
    deleted_at = serializers.DateTimeField(source="updated_at")
    deleted_by = PersonSerializer(source="user", allow_null=True)

    class Meta:
        model = Change
        fields = [
            "id",
            "type",
            "object_id",
            "partnership",
            "deleted_at",
            "deleted_by",
            "updated_at",
        ]
        read_only_fields = fields
