"""What the companies API reads and answers. Status and kind are plain strings (their values are in
the help texts) so the schema keeps one enum per model field elsewhere."""
from django.urls import reverse
from rest_framework import serializers

from trading.accounts.selectors import (company_history, company_pending, company_people, company_refusal,
                                                  person_roles)
from trading.models import Organisation, OrganisationChange, User

STATUSES = "pending, approved or refused"


class CompanySignUpSerializer(serializers.Serializer):
    uscc = serializers.CharField(max_length=40, help_text="Unified social credit code (GB 32100-2015)")
    name = serializers.CharField(max_length=200)
    legal_representative = serializers.CharField(max_length=100)
    licence = serializers.FileField(required=False, allow_null=True, help_text="Business licence: PDF, JPEG or PNG, "
                                                                                "at most 10 MB")
    contact_username = serializers.CharField(max_length=150)
    contact_display_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    contact_resident_id = serializers.CharField(max_length=18, help_text="Resident ID number (GB 11643-1999)")
    contact_email = serializers.CharField(max_length=254)
    password = serializers.CharField(style={"input_type": "password"})


class EmailTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The token of the link in the address-check mail")


class CompanyParticularsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    legal_representative = serializers.CharField(max_length=100, required=False)
    licence = serializers.FileField(required=False, allow_null=True, help_text="PDF, JPEG or PNG, at most 10 MB")


class CompanyUserAddSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    resident_id = serializers.CharField(max_length=18)
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(style={"input_type": "password"})
    company_admin = serializers.BooleanField(default=False, help_text="Also a company administrator")


class CompanyUserRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CompanyDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                   help_text="Required when refusing; the company reads it")


class CompanyChangeSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="sign_up or change")
    status = serializers.CharField(help_text=STATUSES)
    organisation_name = serializers.CharField(source="organisation.name")
    uscc = serializers.CharField(source="organisation.uscc")
    submitted_by = serializers.CharField(source="submitted_by.username")
    contact_email_verified = serializers.SerializerMethodField()
    licence_url = serializers.SerializerMethodField()
    previous = serializers.DictField(help_text="The particulars before (empty for a first sign-up)")

    class Meta:
        model = OrganisationChange
        fields = ["id", "organisation", "organisation_name", "uscc", "kind", "status", "name", "legal_representative",
                  "licence_name", "licence_sha256", "licence_url", "previous", "submitted_by", "submitted_at",
                  "contact_email_verified", "reviewed_at", "reason"]

    def get_contact_email_verified(self, change) -> bool:
        return change.submitted_by.email_verified_at is not None

    def get_licence_url(self, change) -> str:
        return reverse("company-licence", args=[change.pk])


class CompanyPersonSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    email_verified = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "email_verified", "is_active", "roles"]

    def get_roles(self, person) -> list[str]:
        return person_roles(person)

    def get_email_verified(self, person) -> bool:
        return person.email_verified_at is not None


class CompanySerializer(serializers.Serializer):
    """A company as its people see it (``company_detail`` builds the dict)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()
    status = serializers.CharField(help_text=STATUSES)
    legal_representative = serializers.CharField()
    licence_name = serializers.CharField()
    licence_sha256 = serializers.CharField()
    pending = CompanyChangeSerializer(allow_null=True, help_text="The request awaiting review, if any")
    refusal = CompanyChangeSerializer(allow_null=True, help_text="The refused sign-up, with its reason, while refused")
    history = CompanyChangeSerializer(many=True, help_text="Approved sign-up and changes, newest first")
    people = CompanyPersonSerializer(many=True)


def company_detail(organisation: Organisation) -> dict:
    plain = ("id", "name", "uscc", "status", "legal_representative", "licence_name", "licence_sha256")
    return {**{field: getattr(organisation, field) for field in plain},
            "pending": company_pending(organisation), "refusal": company_refusal(organisation),
            "history": company_history(organisation), "people": company_people(organisation)}
