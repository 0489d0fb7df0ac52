"""The registry's stored documents: a unit's recommendation letter, the signed agreement and a
sanction's evidence (uploaded PDFs, kept in the object store under their SHA-256), and the
certificate the platform issues (rendered with ``trading.pdf``)."""
import hashlib
import io
import os
from typing import BinaryIO, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervisors.registry.errors import RegistryError
from supervisors.registry.errors import RegistryErrorCode as Code
from supervisors.registry.models import Supervisor
from supervisors.registry.rules import UPLOAD_MAX_BYTES
from trading.pdf import OfficialDocument
from trading.storage import get_storage


class Upload(NamedTuple):
    """A file as the page or the API received it."""

    stream: BinaryIO
    name: str
    length: int | None


def upload_of(file) -> Upload | None:
    """A Django uploaded file (or None) as an ``Upload``."""
    return Upload(stream=file, name=file.name, length=file.size) if file else None


def pdf_store(upload: Upload | None, *, folder: str, what, required: bool = True) -> tuple[str, str]:
    """Check that ``upload`` is a PDF of at most 10 MB and store it under ``folder``/<sha256>.pdf;
    returns (key, sha256), or ("", "") for a missing optional file. Checked before anything is
    stored; an object nobody references harms nobody."""
    if upload is None or upload.stream is None:
        if not required:
            return "", ""
        raise RegistryError(Code.FILE_MISSING, _("Attach %(what)s as a PDF file.") % {"what": what})
    too_large = RegistryError(Code.FILE_TOO_LARGE, _("%(what)s is larger than %(mb)d MB.")
                              % {"what": what, "mb": UPLOAD_MAX_BYTES >> 20})
    if upload.length is not None and upload.length > UPLOAD_MAX_BYTES:
        raise too_large
    data = upload.stream.read(UPLOAD_MAX_BYTES + 1)
    if len(data) > UPLOAD_MAX_BYTES:
        raise too_large
    if not data.startswith(b"%PDF-"):
        raise RegistryError(Code.FILE_NOT_PDF, _("%(what)s must be a PDF file.") % {"what": what})
    sha256 = hashlib.sha256(data).hexdigest()
    key = f"{folder}/{sha256}.pdf"
    get_storage().put(key, io.BytesIO(data), length=len(data), content_type="application/pdf")
    return key, sha256


def download_name(key: str) -> str:
    return os.path.basename(key)


def certificate_store(supervisor: Supervisor) -> str:
    """Render the supervisor's certificate (聘书) and store it; returns its key. Caller has set the
    certificate number and the pledge's time."""
    user = supervisor.user
    document = OfficialDocument(title=_("Social Supervisor Certificate"), issued_at=supervisor.pledge_accepted_at,
                                number=supervisor.certificate_number, author=_("Public-resource trading platform"))
    document.add_rows([
        (_("Name"), user.display_name or user.username),
        (_("Certificate number"), supervisor.certificate_number),
        (_("Recommending unit"), supervisor.unit_name or _("Self-nominated")),
        (_("Markets watched"), ", ".join(str(m) for m in supervisor.markets.all()) or _("All markets")),
        (_("Term"), f"{supervisor.term_start:%Y-%m-%d} – {supervisor.term_end:%Y-%m-%d}"),
        (_("Duties and integrity pledge accepted"),
         f"{timezone.localtime(supervisor.pledge_accepted_at):%Y-%m-%d %H:%M}"),
    ])
    document.add_paragraph(_("The holder is appointed a social supervisor of the public-resource trading centre "
                             "for the term above, drawn at random to watch its sessions."))
    document.add_footer_line(_("Issued by the public-resource trading platform."))
    data = document.render()
    key = f"supervisors/{supervisor.pk}/certificate/{supervisor.certificate_number}.pdf"
    get_storage().put(key, io.BytesIO(data), length=len(data), content_type="application/pdf")
    return key
