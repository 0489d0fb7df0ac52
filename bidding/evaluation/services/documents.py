"""The documents of an evaluation and an award as PDFs, each drawn from its signed document only,
with the document's SHA-256 and signature in the footer, so a printed copy can be checked against the
platform's key (``python -m bidding.verify``). Written in the platform's official language."""
import hashlib
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bidding.crypto.canonical import canonical_json
from bidding.evaluation.models import Evaluation, Notice
from trading.pdf import OfficialDocument

TENDER_PROCEDURES = ("open_tender", "invited_tender")


def _signed_footer(document: OfficialDocument, signed: dict) -> None:
    digest = hashlib.sha256(canonical_json(signed["document"])).hexdigest()
    document.add_footer_line(f"SHA-256 {digest}")
    document.add_footer_line(_("Signature (Ed25519): %(signature)s") % {"signature": signed["signature"]})


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def evaluation_report_pdf(evaluation: Evaluation) -> bytes:
    """The evaluation report (评标报告): method, panel, every bid's finding and scores, the candidates."""
    body = evaluation.report["document"]["body"]
    with translation.override(settings.LANGUAGE_CODE):
        document = OfficialDocument(title=_("Evaluation report"), number=f"{body['lot_code']}-PB",
                                    issued_at=evaluation.reported_at,
                                    author=_("Public Resource Trading Platform"))
        document.add_rows([
            (_("Lot"), f"{body['lot_code']} {body['lot_title']}"),
            (_("Method"), str(Evaluation.Method(body["method"]).label)),
            (_("Panel"), "、".join(member["name"] for member in body["panel"])),
            (_("Reported at"), _local(evaluation.reported_at)),
        ])
        for row in body["bids"]:
            rows = [(_("Bidder"), f"{row['bidder']} ({row['bidder_uscc']})"),
                    (_("Price (yuan)"), f"{Decimal(row['price']):,.2f}"),
                    (_("Finding"), _("valid") if row["valid"] else
                     _("invalid: %(reasons)s") % {"reasons": "；".join(row["reasons"])})]
            if row.get("rank"):
                if row.get("total") is not None:
                    rows += [(_("Technical score"), row["technical"]),
                             (_("Price score"), row["price_score"]),
                             (_("Total"), row["total"])]
                rows.append((_("Rank"), str(row["rank"])))
            document.add_rows(rows)
        if body["failed"]:
            document.add_paragraph(_("Too few valid bids: the lot fails and may be tendered again."))
        else:
            document.add_paragraph(_("The candidates, in rank order, are the first %(n)s ranked bids above.")
                                   % {"n": len(body["candidates"])})
        _signed_footer(document, evaluation.report)
        return document.render()


def notice_pdf(notice: Notice) -> bytes:
    """An award or result notice as a PDF, drawn from its signed document only (footer: digest and
    signature, checkable with ``python -m bidding.verify``)."""
    body = notice.document["document"]["body"]
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Award notice") if notice.kind == Notice.Kind.AWARD else _("Result notice")
        if notice.kind == Notice.Kind.AWARD and body["procedure"] not in TENDER_PROCEDURES:
            # 政府采购法: a tender's winner gets 中标通知书; negotiation, inquiry and single source 成交通知书.
            title = _("Deal notice")
        document = OfficialDocument(title=title, number=f"{body['lot_code']}-{'ZB' if notice.kind == Notice.Kind.AWARD else 'JG'}-{notice.pk}",
                                    issued_at=notice.issued_at, author=_("Public Resource Trading Platform"))
        document.add_paragraph(f"{body['to']}：")
        rows = [(_("Lot"), f"{body['lot_code']} {body['lot_title']}"),
                (_("Tenderee"), body["tenderee"]),
                (_("Winner"), body["winner"]),
                (_("Unified social credit code"), body["winner_uscc"]),
                (_("Price (yuan)"), f"{Decimal(body['price']):,.2f}"),
                (_("Price in capitals"), body["price_in_capitals"]),
                (_("Issued at"), _local(notice.issued_at))]
        if notice.kind == Notice.Kind.AWARD:
            rows.append((_("Contract due by"),
                         timezone.localtime(notice.proposal.contract.due_at).strftime("%Y-%m-%d %H:%M")))
            text = _("Your bid has won this lot. Sign the contract with the tenderee by the day above, on the "
                               "terms of the tender documents and your bid.")
        else:
            text = _("The lot above has been awarded to the winner named. Thank you for your bid; your "
                               "deposit is refunded within the period the rules set after the contract.")
        document.add_rows(rows)
        document.add_paragraph(text)
        _signed_footer(document, notice.document)
        return document.render()
