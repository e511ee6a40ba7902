from rest_framework import serializers

from buddying.tokens.models import TokenDetails
from buddying.tokens.services import MAX_DAYS


class TokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it: never the key, except once in the answer to making it."""

    prefix = serializers.CharField(source="token.token_key", read_only=True)
    created = serializers.DateTimeField(source="token.created", read_only=True)
    expiry = serializers.DateTimeField(source="token.expiry", read_only=True)

    class Meta:
        model = TokenDetails
        fields = ["id", "name", "prefix", "read_only", "created", "expiry", "last_used_at"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    days = serializers.IntegerField(
        min_value=1, max_value=MAX_DAYS, required=False, help_text="Days until it expires."
    )
    read_only = serializers.BooleanField(
        default=False, help_text="Always true for a regulator's token."
    )


class NewTokenSerializer(TokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text="Shown now and never again: only a hash is kept."
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields
