from rest_framework import serializers

from trading.models import Organisation, User


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "uscc", "kind", "sector"]


class OrganisationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices)
    sector = serializers.ChoiceField(choices=Organisation.Sector.choices, required=False)


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    organisation = OrganisationSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "roles", "organisation"]

    def get_roles(self, user) -> list[str]:
        return sorted(user.role_set)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    otp = serializers.CharField(
        required=False, allow_blank=True, max_length=32,
        help_text="Second factor, required for staff, custodians, regulators, security administrators and "
                  "superusers: the code their authenticator shows now, or an unused recovery code (consumed). "
                  "Without it they get 401 `second_factor_required`; a wrong one, 401 `second_factor_invalid`.")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


