"""Reads of the audit chain for rooms and pages."""
from dataclasses import dataclass

from django.db.models import QuerySet

from monitoring.models import AuditEntry, AuditHead, Checkpoint


def audit_entries_for_subject(subject: str, after_seq: int = 0) -> QuerySet[AuditEntry]:
    """A subject's events after ``after_seq`` in order: what a reconnecting client missed."""
    return AuditEntry.objects.filter(subject=subject, subject_seq__gt=after_seq).order_by("subject_seq")


@dataclass(frozen=True)
class AuditStatus:
    entries: int
    head_id: int
    head_hash: str
    last_checkpoint: Checkpoint | None

    @property
    def unsealed(self) -> bool:
        return self.head_id != (self.last_checkpoint.entry if self.last_checkpoint else 0)


def audit_status() -> AuditStatus:
    head = AuditHead.objects.filter(pk=AuditHead.ROW).first() or AuditHead()
    return AuditStatus(entries=head.count, head_id=head.last_id, head_hash=head.last_hash,
                       last_checkpoint=Checkpoint.objects.order_by("-entry").first())


def subject_head(subject: str) -> int:
    """The last ``seq`` of a subject's events (0 when it has none)."""
    return (AuditEntry.objects.filter(subject=subject).order_by("-subject_seq")
            .values_list("subject_seq", flat=True).first()) or 0
