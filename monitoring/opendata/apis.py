"""Open data in OCDS 1.1.5 (``monitoring.opendata.ocds``): public, no sign-in. A lot that is not public yet
(draft, pending review) is 404 like one that does not exist."""
from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.opendata.ocds import (lot_id_of, lot_list_export, record_of, record_package, release_package,
                                      releases_of, releases_since)
from trading.errors import PlatformError
from trading.selectors_ocds import lot_get_ocds
from trading.serializers import ErrorSerializer

TAG = "open data (OCDS)"
OCID = OpenApiParameter("ocid", OpenApiTypes.STR, OpenApiParameter.PATH,
                        description="The lot's Open Contracting ID, `{prefix}-{lot id}`.")


def _lot_releases(ocid: str) -> list[dict]:
    lot_id = lot_id_of(ocid)
    lot = lot_get_ocds(lot_id=lot_id) if lot_id is not None else None
    releases = releases_of([lot])[lot.pk] if lot else []
    if not releases:
        raise PlatformError("not_found", _("No public lot has the ocid %(ocid)s.") % {"ocid": ocid}, status=404)
    return releases


class ReleasePackageApi(APIView):
    """Every release of one lot, as a release package."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(tags=[TAG], operation_id="ocds_lot_releases", parameters=[OCID],
                   responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer})
    def get(self, request, ocid: str):
        return Response(release_package(_lot_releases(ocid), uri=request.build_absolute_uri()))


class RecordPackageApi(APIView):
    """One lot's record (its releases and the compiled release), as a record package."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(tags=[TAG], operation_id="ocds_lot_record", parameters=[OCID],
                   responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer})
    def get(self, request, ocid: str):
        return Response(record_package([record_of(_lot_releases(ocid))], uri=request.build_absolute_uri()))


class LotPages(PageNumberPagination):
    page_size = 50


def _since(value: str | None) -> datetime | None:
    """An ISO date (midnight in the platform's time zone) or date-time; naive ones are local."""
    if not value:
        return None
    try:
        at = parse_datetime(value) or (datetime.combine(day, time()) if (day := parse_date(value)) else None)
    except ValueError:
        at = None
    if at is None:
        raise PlatformError("invalid_since", _("Give “since” as an ISO date or date and time, e.g. 2026-05-01."))
    return at if timezone.is_aware(at) else timezone.make_aware(at)


def _page(view, request, since: datetime | None) -> tuple[LotPages, list]:
    pages = LotPages()
    return pages, pages.paginate_queryset(lot_list_export(since=since), request, view=view)


def _paged(package: dict, pages: LotPages) -> Response:
    response = Response(package)
    links = [f'<{url}>; rel="{rel}"' for rel, url in (("next", pages.get_next_link()),
                                                      ("prev", pages.get_previous_link())) if url]
    if links:
        response["Link"] = ", ".join(links)
    return response


def _nothing():
    return PlatformError("no_releases", _("There are no releases to show here."), status=404)


PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, required=False),
    OpenApiParameter("since", OpenApiTypes.STR, required=False,
                     description="ISO 8601 date or date-time, e.g. `2026-05-01` or `2026-05-01T08:00:00+08:00`."),
]


class ReleaseListApi(APIView):
    """The releases of many lots, a page of lots at a time (oldest lots first), as a release package;
    with ``since``, only the releases dated at or after it, of the lots that have one. The next and
    previous pages are in the ``Link`` header. A page with no release is 404: an OCDS package holds
    at least one."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(tags=[TAG], operation_id="ocds_releases", parameters=PAGE_PARAMETERS,
                   responses={200: OpenApiTypes.OBJECT, 400: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request):
        since = _since(request.query_params.get("since"))
        pages, lots = _page(self, request, since)
        releases = releases_since(lots, since)
        if not releases:
            raise _nothing()
        return _paged(release_package(releases, uri=request.build_absolute_uri()), pages)


class RecordListApi(APIView):
    """The records of many lots, a page of lots at a time (oldest lots first), as a record package;
    with ``since``, of the lots with a release dated at or after it (each record whole). Pages as
    for the releases."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(tags=[TAG], operation_id="ocds_records", parameters=PAGE_PARAMETERS,
                   responses={200: OpenApiTypes.OBJECT, 400: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request):
        pages, lots = _page(self, request, _since(request.query_params.get("since")))
        records = [record_of(releases) for releases in releases_of(lots).values() if releases]
        if not records:
            raise _nothing()
        return _paged(record_package(records, uri=request.build_absolute_uri()), pages)
