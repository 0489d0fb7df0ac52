"""The yearly report as a PDF (``trading.pdf.OfficialDocument``, the platform's embedded font):
drawn from its signed document only, with the document's SHA-256 and the platform's Ed25519
signature in the footer of every page, as the award notices are (bidding.evaluation)."""
import hashlib
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from bidding.crypto.canonical import canonical_json
from monitoring.statistics.report import say
from trading.pdf import OfficialDocument


def report_pdf(*, signed: dict, issued_at: datetime) -> bytes:
    """The PDF of a signed yearly report (``yearly_report_issue`` signs it); the same signed
    document renders to the same bytes."""
    body = signed["document"]["body"]
    language = body["language"]
    document = OfficialDocument(title=body["title"], issued_at=issued_at, number=body["subtitle"],
                                author=say("platform", language, platform=settings.PLATFORM_ID))
    for paragraph in body["paragraphs"]:
        document.add_paragraph(paragraph)
    document.add_paragraph(body["notes"])
    at = timezone.localtime(issued_at).strftime("%Y-%m-%d %H:%M")
    digest = hashlib.sha256(canonical_json(signed["document"])).hexdigest()
    document.add_footer_line(say("issued", language, at=at, by=body["issued_by"]))
    document.add_footer_line(say("digest", language, digest=digest))
    document.add_footer_line(say("signature", language, signature=signed["signature"]))
    document.add_footer_line(say("platform", language, platform=settings.PLATFORM_ID))
    return document.render()
