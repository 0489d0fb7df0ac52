"""The objections of a lot that await an answer, of every kind, for the centre (staff answer them,
regulators read them): to the opening record (``OpeningResponse``), to the published candidates
(``CandidateObjection``) and to the tender documents (trading's ``DocumentObjection``)."""
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from bidding.models import CandidateObjection, OpeningResponse
from trading import clock
from trading.models import Lot
from trading.selectors_objections import objection_list_open

OPENING, CANDIDATES, DOCUMENTS = "opening", "candidates", "documents"
KINDS = {
    OPENING: _("Objection to the opening record"),
    CANDIDATES: _("Objection to the candidates"),
    DOCUMENTS: _("Objection to the tender documents"),
}


@dataclass(frozen=True)
class OpenObjection:
    kind: str  # a key of KINDS
    id: int  # of its own model: OpeningResponse, CandidateObjection or DocumentObjection
    lot_id: int
    organisation: str
    organisation_uscc: str
    text: str
    filed_at: datetime
    reply_due_at: datetime | None  # None at the opening: answered in the session (实施条例 Art 44)
    overdue: bool

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def objections_open(*, lot: Lot, at: datetime | None = None) -> list[OpenObjection]:
    """Every unanswered objection to ``lot``, oldest first, with who filed it (three queries)."""
    now = at or clock.now()
    found = [OpenObjection(kind=OPENING, id=r.pk, lot_id=lot.pk, organisation=r.organisation.name,
                           organisation_uscc=r.organisation.uscc, text=r.text, filed_at=r.at, reply_due_at=None,
                           overdue=False)
             for r in OpeningResponse.objects.filter(session__lot=lot, kind=OpeningResponse.Kind.OBJECTION,
                                                     answered_at__isnull=True).select_related("organisation")]
    for kind, objections in ((CANDIDATES, CandidateObjection.objects.filter(lot=lot, replied_at__isnull=True)
                              .select_related("organisation")),
                             (DOCUMENTS, objection_list_open(lot=lot))):
        found += [OpenObjection(kind=kind, id=o.pk, lot_id=lot.pk, organisation=o.organisation.name,
                                organisation_uscc=o.organisation.uscc, text=o.text, filed_at=o.filed_at,
                                reply_due_at=o.reply_due_at, overdue=o.reply_due_at <= now)
                  for o in objections]
    return sorted(found, key=lambda objection: (objection.filed_at, objection.kind, objection.id))
