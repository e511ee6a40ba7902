"""API shapes of agreements and disputes. Related objects are brief; writes go to the services."""

from rest_framework import serializers

from buddying.common.api import ModelSerializer
from partnerships.api.serializers import OrganisationBriefSerializer
from partnerships.models import Organisation, Partnership
from risks.agreements.choices import DisputeStatus
from risks.agreements.models import Agreement, AgreementLine, Dispute, Signature
from risks.api.serializers import RiskBriefSerializer
from risks.models import Risk


class _Brief(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class AgreementBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    status = serializers.CharField()


class ShareSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation_id")
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)


class LineSerializer(ModelSerializer):
    risk = RiskBriefSerializer(read_only=True)
    lead_organisation = OrganisationBriefSerializer(read_only=True)
    shares = ShareSerializer(many=True, read_only=True)

    class Meta:
        model = AgreementLine
        fields = [
            "id",
            "risk",
            "lead_organisation",
            "shares",
            "liability_cap_gbp",
            "responsibilities",
        ]
        read_only_fields = fields


class SignatureSerializer(ModelSerializer):
    organisation = OrganisationBriefSerializer(read_only=True)
    signed_by = serializers.CharField(source="signed_by.get_username", read_only=True)

    class Meta:
        model = Signature
        fields = [
            "organisation",
            "signed_by",
            "signer_name",
            "signed_at",
            "content_hash",
            "sponsor_name",
            "sponsor_job_title",
            "sponsor_since",
            "deputy_name",
            "deputy_job_title",
        ]
        read_only_fields = fields


class AgreementSerializer(ModelSerializer):
    """An agreement as a list row: counts rather than its lines."""

    partnership = _Brief(read_only=True)
    mediator_organisation = OrganisationBriefSerializer(read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    signature_count = serializers.IntegerField(read_only=True)
    open_dispute_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "partnership",
            "number",
            "status",
            "shared_intent",
            "scope",
            "effective_from",
            "review_date",
            "mediator_organisation",
            "dispute_process",
            "exit_terms",
            "submitted_at",
            "in_force_at",
            "ended_at",
            "termination_reason",
            "line_count",
            "signature_count",
            "open_dispute_count",
            "created_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class AgreementDetailSerializer(AgreementSerializer):
    lines = LineSerializer(many=True, read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    previous = serializers.UUIDField(source="previous_id", read_only=True, allow_null=True)

    class Meta(AgreementSerializer.Meta):
        fields = [
            name
            for name in AgreementSerializer.Meta.fields
            if name not in {"line_count", "signature_count", "open_dispute_count"}
        ]
        fields = [*fields[:-3], "previous", "lines", "signatures", *fields[-3:]]
        read_only_fields = fields


class LineWriteSerializer(serializers.Serializer):
    risk = serializers.PrimaryKeyRelatedField(queryset=Risk.objects.none())
    lead_organisation = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all()
    )
    shares = serializers.DictField(
        child=serializers.CharField(),
        help_text='Each party\'s share in per cent by ODS code, e.g. {"RAL": "60", "RDD": "40"}.',
    )
    liability_cap_gbp = serializers.DecimalField(max_digits=14, decimal_places=2)
    responsibilities = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, risks=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["risk"]
        field.queryset = risks if risks is not None else Risk.objects.none()
        field.error_messages["does_not_exist"] = "There is no risk with this id."
        field.error_messages["incorrect_type"] = "Enter a risk id."


class AgreementWriteSerializer(serializers.Serializer):
    """Input for a draft (``partnership`` by id on POST). ``lines``, when sent, replace every
    line of the draft."""

    partnership = serializers.PrimaryKeyRelatedField(queryset=Partnership.objects.none())
    shared_intent = serializers.CharField(required=False, allow_blank=True)
    scope = serializers.CharField(required=False, allow_blank=True)
    effective_from = serializers.DateField(required=False, allow_null=True)
    review_date = serializers.DateField(required=False, allow_null=True)
    mediator_organisation = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    dispute_process = serializers.CharField(required=False, allow_blank=True)
    exit_terms = serializers.CharField(required=False, allow_blank=True)
    lines = serializers.ListField(child=serializers.DictField(), required=False, max_length=200)

    def __init__(self, *args, partnerships=None, risks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._risks = risks
        if partnerships is None:
            self.fields.pop("partnership")
        else:
            field = self.fields["partnership"]
            field.queryset = partnerships
            field.error_messages["does_not_exist"] = "There is no partnership with this id."
            field.error_messages["incorrect_type"] = "Enter a partnership id."

    def validate_lines(self, value):
        parsed, errors = [], {}
        for index, item in enumerate(value):
            line = LineWriteSerializer(data=item, risks=self._risks)
            if line.is_valid():
                parsed.append(dict(line.validated_data))
            else:
                errors[str(index)] = line.errors
        if errors:
            raise serializers.ValidationError(errors)
        return parsed


class SignSerializer(serializers.Serializer):
    organisation = serializers.SlugRelatedField(
        slug_field="ods_code",
        queryset=Organisation.objects.all(),
        required=False,
        help_text="ODS code of the organisation signing; needed only if you are an executive "
        "of more than one party.",
    )
    content_hash = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$",
        required=False,
        help_text="The SHA-256 you read (from verify/): the signature is refused if the "
        "content has changed since.",
    )


class SignatureCheckSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="signature.organisation_id")
    signer_name = serializers.CharField(source="signature.signer_name")
    signed_at = serializers.DateTimeField(source="signature.signed_at")
    content_hash = serializers.CharField(source="signature.content_hash")
    matches = serializers.BooleanField()


class VerificationSerializer(serializers.Serializer):
    agreement = serializers.UUIDField()
    current_hash = serializers.CharField()
    all_match = serializers.BooleanField()
    signatures = SignatureCheckSerializer(many=True, source="checks")
    canonical_content = serializers.CharField()


class AgreementTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=["awaiting_signatures", "draft", "terminated"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DisputeSerializer(ModelSerializer):
    agreement = AgreementBriefSerializer(read_only=True)
    partnership = serializers.SerializerMethodField()
    risk = RiskBriefSerializer(read_only=True, allow_null=True)
    raised_by_organisation = OrganisationBriefSerializer(read_only=True)
    mediator_organisation = OrganisationBriefSerializer(read_only=True, allow_null=True)
    raised_by = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = [
            "id",
            "partnership",
            "agreement",
            "risk",
            "raised_by_organisation",
            "raised_by",
            "title",
            "description",
            "mediator_organisation",
            "status",
            "raised_on",
            "mediation_started_on",
            "resolved_on",
            "resolution",
            "created_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    def get_partnership(self, dispute) -> dict:
        partnership = dispute.agreement.partnership
        return {"id": str(partnership.pk), "reference": partnership.reference}

    def get_raised_by(self, dispute) -> str | None:
        return dispute.raised_by.get_username() if dispute.raised_by else None


class DisputeWriteSerializer(serializers.Serializer):
    agreement = serializers.PrimaryKeyRelatedField(queryset=Agreement.objects.none())
    raised_by_organisation = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all()
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    risk = serializers.PrimaryKeyRelatedField(
        queryset=Risk.objects.none(), required=False, allow_null=True
    )
    mediator_organisation = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all(), required=False, allow_null=True
    )

    def __init__(self, *args, agreements=None, risks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = risks if risks is not None else Risk.objects.none()
        if agreements is None:
            self.fields.pop("agreement")
            self.fields.pop("raised_by_organisation")
        else:
            field = self.fields["agreement"]
            field.queryset = agreements
            field.error_messages["does_not_exist"] = "There is no agreement with this id."


class DisputeTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=[DisputeStatus.IN_MEDIATION, DisputeStatus.RESOLVED])
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    mediator_organisation = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
