"""Serializers of the registry's API: what it answers, and the bodies it reads."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from supervisors.models import Assignment
from supervisors.registry import rules
from supervisors.registry.models import (Recusal, Sanction, SessionKind, Supervisor, SupervisorDraw,
                                         SupervisorEvaluation, SupervisorRelation, SupervisorStatusChange)


class SupervisorSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)
    markets = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True,
                                           help_text="Market codes; empty: every market.")

    class Meta:
        model = Supervisor
        fields = ["id", "user", "username", "name", "status", "self_nominated", "unit_name", "unit_uscc",
                  "letter_sha256", "employer_name", "employer", "markets", "recommended_at", "recommended_by",
                  "vetted_at", "vetted_by", "vetting_notes", "agreement_signed_on", "agreement_sha256", "term_start",
                  "term_end", "pledge_accepted_at", "certificate_number", "term_notice_at"]


class SupervisorStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisorStatusChange
        fields = ["from_status", "to_status", "reason", "by", "at"]


class SupervisorSanctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sanction
        fields = ["id", "kind", "reason", "evidence_sha256", "by", "at"]


class SupervisorEvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisorEvaluation
        fields = ["id", "year", "figures", "grade", "comment", "by", "at"]


class SupervisorDetailSerializer(SupervisorSerializer):
    status_changes = SupervisorStatusChangeSerializer(many=True, read_only=True)
    sanctions = SupervisorSanctionSerializer(many=True, read_only=True)
    evaluations = SupervisorEvaluationSerializer(many=True, read_only=True)

    class Meta(SupervisorSerializer.Meta):
        fields = SupervisorSerializer.Meta.fields + ["status_changes", "sanctions", "evaluations"]


class _Watching(serializers.Serializer):
    employer_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    employer = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        help_text="The id of the employer where it is an organisation on the platform.")
    markets = serializers.ListField(child=serializers.SlugField(), required=False, default=list,
                                    help_text="Codes of the markets watched; none: every market.")


class SupervisorRecommendSerializer(_Watching):
    unit_name = serializers.CharField(max_length=200)
    unit_uscc = serializers.CharField(max_length=40)
    letter = serializers.FileField(help_text="The unit's recommendation letter, a PDF of at most 10 MB.")
    user = serializers.IntegerField(required=False, allow_null=True, default=None,
                                    help_text="An existing account's id; or give the new account's particulars.")
    username = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    display_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    resident_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=18)
    password = serializers.CharField(required=False, allow_blank=True, default="", write_only=True)


class SupervisorNominateSerializer(_Watching):
    pass


class SupervisorVetSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SupervisorReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SupervisorAppointSerializer(serializers.Serializer):
    agreement_signed_on = serializers.DateField()
    agreement = serializers.FileField(help_text="The signed agreement, a PDF of at most 10 MB.")
    term_start = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")
    term_end = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text="Default: the term the rule table sets (SUPERVISOR_TERM).")


class SupervisorSanctionCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Sanction.Kind.choices)
    reason = serializers.CharField(max_length=2000)
    evidence = serializers.FileField(required=False, allow_null=True, default=None,
                                     help_text="Optional evidence, a PDF of at most 10 MB.")


class SupervisorEvaluationCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    grade = serializers.ChoiceField(choices=SupervisorEvaluation.Grade.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SupervisorRecusalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recusal
        fields = ["id", "assignment", "reason", "status", "applied_at", "decided_by", "decided_at", "decision_reason",
                  "redraw"]


class SupervisorSeatSerializer(serializers.ModelSerializer):
    lot_code = serializers.CharField(source="lot.code", read_only=True)
    username = serializers.CharField(source="supervisor.username", read_only=True)
    recusal = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "lot", "lot_code", "session_kind", "draw", "supervisor", "username", "assigned_at",
                  "accepted_at", "revoked_at", "revoked_by", "recusal"]

    @extend_schema_field(SupervisorRecusalSerializer(allow_null=True))
    def get_recusal(self, seat) -> dict | None:
        recusal = getattr(seat, "recusal", None)
        return SupervisorRecusalSerializer(recusal).data if recusal is not None else None


class SupervisorExclusionSerializer(serializers.Serializer):
    supervisor = serializers.IntegerField(help_text="Registry id.")
    grounds = serializers.ListField(child=serializers.CharField())


class SupervisorDrawSerializer(serializers.ModelSerializer):
    """A draw; ``excluded`` shows a conflict with a party only as ``conflict`` to everyone but staff
    (``full_grounds`` in the context)."""

    excluded = serializers.SerializerMethodField()
    redone = serializers.SerializerMethodField(help_text="Whether redoing the draw from its seed and pool gives "
                                                         "the same order and the same people.")

    class Meta:
        model = SupervisorDraw
        fields = ["id", "lot", "session_kind", "size", "seed", "pool", "drawn", "excluded", "replaces", "drawn_by",
                  "drawn_at", "redone"]

    @extend_schema_field(SupervisorExclusionSerializer(many=True))
    def get_excluded(self, draw) -> list:
        if self.context.get("full_grounds"):
            return draw.excluded
        return [{"supervisor": item["supervisor"], "grounds": rules.public_grounds(item["grounds"])}
                for item in draw.excluded]

    def get_redone(self, draw) -> bool:
        order = rules.draw_redo(seed=draw.seed, session_kind=draw.session_kind, pool=draw.pool)
        return order == draw.pool and order[:draw.size] == draw.drawn


class SupervisorDrawCreateSerializer(serializers.Serializer):
    session_kind = serializers.ChoiceField(choices=SessionKind.choices)


class SupervisorRecusalApplySerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class SupervisorRecusalDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SupervisorWorkbenchSerializer(serializers.Serializer):
    supervisor = SupervisorSerializer(allow_null=True)
    to_answer = SupervisorSeatSerializer(many=True, help_text="Drawn seats awaiting acceptance or a recusal decision.")
    accepted = SupervisorSeatSerializer(many=True)
    reports_due = SupervisorSeatSerializer(many=True, help_text="Accepted seats whose observation report is not filed.")


class SupervisorRelationSerializer(serializers.ModelSerializer):
    organisation_uscc = serializers.CharField(source="organisation.uscc", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = SupervisorRelation
        fields = ["id", "organisation_uscc", "organisation_name", "kind", "note", "declared_by", "declared_at"]


class SupervisorRelationDeclareSerializer(serializers.Serializer):
    organisation_uscc = serializers.CharField(max_length=18)
    kind = serializers.ChoiceField(choices=SupervisorRelation.Kind.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
