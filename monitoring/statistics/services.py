"""Issuing the yearly report (年度统计报告): staff or a regulator issue it for a year and a language;
the platform computes the text from the figures as they stand, signs it with its Ed25519 key,
renders the PDF, stores it write-once and records the issue on the audit chain. Anyone may download
an issued report; a report issued again (after a correction of the records) is a new report, and
the earlier one stays as it was signed."""
import hashlib
import io
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bidding.crypto.receipts import signed_document
from monitoring.events import actor_of, record
from monitoring.statistics.errors import StatisticsError, StatisticsErrorCode
from monitoring.statistics.models import YearlyReport
from monitoring.statistics.pdf import report_pdf
from monitoring.statistics.periods import FIRST_YEAR, current_year
from monitoring.statistics.report import LANGUAGES, report_text
from trading import clock, signing
from trading.models import Role
from trading.permissions import holds_role
from trading.storage import StorageError, get_storage

log = logging.getLogger(__name__)

REPORT_KIND = "yearly-report"
# Published information is kept untampered at least 10 years (招标公告和公示信息发布管理办法 Art 11).
RETENTION = timedelta(days=3653)
ISSUERS = (Role.STAFF, Role.REGULATOR)


def _key(*, year: int, language: str, at) -> str:
    """Unique even for two reports issued in the same microsecond (a key under retention can never
    be written again)."""
    return f"statistics/yearly-reports/{year}/{language}/{at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.pdf"


def yearly_report_issue(*, year: int, language: str, user) -> YearlyReport:
    """Issue the report of ``year`` (a past year, or this one to date) in ``language`` (``zh-hans``
    or ``en``). Refused (``not_allowed``) unless ``user`` is staff or a regulator; nothing is stored
    or recorded then, nor for a year or language the platform does not know."""
    if not holds_role(user, *ISSUERS):
        raise StatisticsError(StatisticsErrorCode.NOT_ALLOWED,
                              _("Only trading-centre staff and regulators issue the yearly report."), status=403)
    if language not in dict(LANGUAGES):
        raise StatisticsError(StatisticsErrorCode.BAD_LANGUAGE, _("The report is issued in Chinese or English."))
    now = clock.now()
    if not isinstance(year, int) or not FIRST_YEAR <= year <= current_year(now):
        raise StatisticsError(StatisticsErrorCode.BAD_YEAR,
                              _("A report covers a year from %(first)s to this one.") % {"first": FIRST_YEAR})
    text = report_text(year=year, language=language, now=now)
    actor = actor_of(user)
    body = {"platform": settings.PLATFORM_ID, "year": year, "language": language, "since": text.since.isoformat(),
            "until": text.until.isoformat(), "issued_at": now.isoformat(), "issued_by": str(user),
            "title": text.title, "subtitle": text.subtitle, "paragraphs": text.paragraphs, "notes": text.notes,
            "figures": text.figures}
    signed = signed_document(REPORT_KIND, body, signing.private_key())
    pdf = report_pdf(signed=signed, issued_at=now)
    digest = hashlib.sha256(pdf).hexdigest()
    key = _key(year=year, language=language, at=now)
    storage = get_storage()
    # Stored plainly first: a transaction that fails below must be able to remove it. Retained
    # (write-once) once the row is committed.
    storage.put(key, io.BytesIO(pdf), length=len(pdf), content_type="application/pdf")
    try:
        with transaction.atomic():
            report = YearlyReport.objects.create(
                year=year, language=language, issued_at=now, issued_by=actor, text=text.text, figures=signed,
                storage_key=key, sha256=digest, signature=signed["signature"])
            record(kind="statistics.report_issued", actor=actor, subject=f"yearly-report:{report.pk}",
                   data={"report": report.pk, "year": year, "language": language, "sha256": digest,
                         "size": len(pdf), "signature": signed["signature"]})
    except BaseException:
        storage.delete(key)
        raise
    try:
        storage.retain(key, until=now + RETENTION)
    except StorageError:
        log.exception("the yearly report %s is stored but not under retention", key)
    return report

