"""REST endpoints of the monitoring app: public, checkable extracts of the audit chain."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.audit.services import audit_extract
from trading.serializers import ErrorSerializer


class AuditExtractApi(APIView):
    """A lot's run of the audit chain, sealed by a signed checkpoint, as a file anyone can check with
    ``python -m bidding.verify audit FILE --key platform-key.pem``; other subjects' data and salts
    withheld. A lot that is not public yet (draft, pending review) is 404 like a missing one."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("subject", str, required=True,
                                     description="`lot:<id>` (of a public lot) or `auction:<id>`")],
        responses={200: OpenApiTypes.OBJECT, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request):
        subject = request.query_params.get("subject", "")
        response = Response(audit_extract(subject=subject))
        # The subject passed PUBLIC_SUBJECT, so it is safe inside the quoted file name.
        response["Content-Disposition"] = f'attachment; filename="audit-{subject.replace(":", "-")}.json"'
        return response
