"""Serializers that write a page of rows quickly, with exactly what DRF's would write.

DRF's ``Serializer.to_representation`` asks, for every field of every row, which fields are
readable, then walks each field's source through ``fields.get_attribute`` (a ``Mapping`` check
and a callable check per step) and its error handling: for a list of 50 risks that is 1,750
walks, a third of the time the serializer takes. ``ReadFast`` works the readable fields and
their sources out once per serializer (one per request: a list's rows share its child), and
reads each row with plain ``getattr``. Anything unusual about a row (an attribute missing, a
related object that is ``None`` half-way along a dotted source, an object that does not exist)
sends that row through DRF's own code, so the output and the errors are DRF's.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
from rest_framework import serializers
from rest_framework.fields import BuiltinSignatureError, SkipField, is_simple_callable
from rest_framework.relations import PKOnlyObject

_PLAIN_GET = serializers.Field.get_attribute
# DRF's answer for each method's function (``get_username``): it inspects the signature anew for
# every value, a tenth of a page's time; a method's signature does not change.
_SIMPLE: dict = {}


def _simple_callable(value) -> bool:
    """``rest_framework.fields.is_simple_callable``, remembered per method."""
    function = getattr(value, "__func__", None)
    if function is None:
        return is_simple_callable(value)
    simple = _SIMPLE.get(function)
    if simple is None:
        simple = _SIMPLE[function] = is_simple_callable(value)
    return simple


class ReadFast:
    """Mixin for a ``Serializer``: the same representation as DRF's, read with less overhead."""

    def _read_plan(self) -> list[tuple]:
        """``(name, source_attrs or None, get_attribute, to_representation)`` per readable field:
        a field with its own ``get_attribute`` (a related field) keeps it."""
        plan = self.__dict__.get("_read_fast_plan")
        if plan is None:
            plan = [
                (
                    field.field_name,
                    tuple(field.source_attrs) if type(field).get_attribute is _PLAIN_GET else None,
                    field.get_attribute,
                    field.to_representation,
                )
                for field in self._readable_fields
            ]
            self._read_fast_plan = plan
        return plan

    def to_representation(self, instance):
        if not isinstance(instance, Model):
            return super().to_representation(instance)
        ret = {}
        for name, attrs, get, represent in self._read_plan():
            if attrs is None:
                try:
                    value = get(instance)
                except SkipField:
                    continue
            else:
                value = instance
                try:
                    for attr in attrs:
                        value = getattr(value, attr)
                        if callable(value) and _simple_callable(value):
                            value = value()
                except (AttributeError, KeyError, ObjectDoesNotExist, BuiltinSignatureError):
                    # DRF decides: a default, null, a skipped field or its error message.
                    return super().to_representation(instance)
            check_for_none = value.pk if isinstance(value, PKOnlyObject) else value
            ret[name] = None if check_for_none is None else represent(value)
        return ret


class Serializer(ReadFast, serializers.Serializer):
    """DRF's ``Serializer``, reading rows as ``ReadFast`` does."""
