"""Pages of the audit chain: the platform's public key and the chain's status, verified on demand."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from monitoring.audit.services import audit_verify
from monitoring.selectors import audit_status
from trading.models import Role
from trading.permissions import role_required
from trading.signing import public_key_pem


def platform_key(request):
    return HttpResponse(public_key_pem(), content_type="application/x-pem-file")


@login_required
def audit_status_page(request):
    """Regulators (and staff) see the chain's head and last checkpoint, and may verify it all now."""
    role_required(request.user, Role.REGULATOR, Role.STAFF)
    result = audit_verify() if request.method == "POST" else None
    return render(request, "monitoring/audit_status.html", {"status": audit_status(), "result": result})
