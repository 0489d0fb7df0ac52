"""Document metadata of opened bid files: who wrote a file, with which software, and when.

The integrity rules (docs/integrity.md) compare it across bidders: the same author, software and
creation time in two bidders' files says one hand prepared both (招标投标法实施条例 Art 40 (1)).

Read at the opening from the plaintext the envelope streams out (``MetaBuffer`` is the
``files_out`` sink), within bounds: a file larger than ``FILE_MAX`` bytes, or past ``ENVELOPE_MAX``
bytes buffered for one envelope, is only hashed (its trailer, where a PDF's information dictionary
and a zip's directory live, is at the end, so a truncated head would not do). Formats read:

- PDF (``%PDF-``): the information dictionary's /Author, /Creator (else /Producer), /CreationDate,
  with pypdf (read straight where the trailer points when it can, else by parsing the file);
- OOXML (a zip holding ``docProps/core.xml``: .docx, .xlsx, .pptx): dc:creator and
  dcterms:created from core.xml, Application and AppVersion from docProps/app.xml, with zipfile.

Everything else, and anything that does not parse, has no metadata (an empty dict). Django-free.
"""
import io
import logging
import re
import zipfile
from xml.etree import ElementTree

FILE_MAX = 8 * 1024 * 1024
ENVELOPE_MAX = 32 * 1024 * 1024
# The parts read from an OOXML zip are small; a larger one (or one that inflates beyond this) is
# not a document property file and is not read.
PART_MAX = 256 * 1024
PDF_MAGIC = b"%PDF-"
# Where the last trailer (or cross-reference stream) names the information dictionary.
PDF_TAIL = 64 * 1024
PDF_INFO_REF = re.compile(rb"/Info\s+(\d+)\s+(\d+)\s+R")
PDF_WHITESPACE = b" \t\r\n\x00\x0c"
PDF_REFERENCE = re.compile(rb"\d+\s+\d+\s+R(?![A-Za-z0-9])")
ZIP_MAGIC = b"PK\x03\x04"
CORE = "docProps/core.xml"
APP = "docProps/app.xml"
NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "app": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
}
TEXT_MAX = 200  # each value is cut to this many characters

log = logging.getLogger(__name__)


class MetaBuffer:
    """Keeps a file's plaintext while it may be a PDF or an OOXML zip of at most ``FILE_MAX``
    bytes; from the first bytes on that say otherwise it keeps nothing."""

    def __init__(self):
        self._parts: list[bytes] = []
        self._size = 0
        self._wanted = True

    def write(self, data: bytes | memoryview) -> None:
        """``data`` may be a view of the opener's buffer: it is copied only while it is kept."""
        if not self._wanted:
            return
        if self._size < len(PDF_MAGIC):
            head = (b"".join(self._parts) + bytes(data[:len(PDF_MAGIC)]))[:len(PDF_MAGIC)]
            if not (PDF_MAGIC.startswith(head[:5]) or ZIP_MAGIC.startswith(head[:4])):
                self._drop()
                return
        self._parts.append(bytes(data))
        self._size += len(data)

    def _drop(self) -> None:
        self._parts, self._wanted = [], False

    def meta(self) -> dict:
        """The metadata of what was written (after the whole file went through)."""
        if not self._wanted:
            return {}
        data = b"".join(self._parts)
        self._drop()
        return document_meta(data)


class EnvelopeFiles:
    """``files_out`` for ``open_envelope``: a ``MetaBuffer`` for each file small enough, while the
    envelope's budget lasts. ``metas()`` is read only after ``open_envelope`` returned (before that
    the plaintext is not yet authenticated)."""

    def __init__(self, *, file_max: int = FILE_MAX, envelope_max: int = ENVELOPE_MAX):
        self._buffers: dict[int, MetaBuffer] = {}
        self._file_max, self._budget = file_max, envelope_max

    def __call__(self, index: int, entry) -> MetaBuffer | None:
        if entry.size < len(PDF_MAGIC) or entry.size > self._file_max or entry.size > self._budget:
            return None
        self._budget -= entry.size
        buffer = self._buffers[index] = MetaBuffer()
        return buffer

    def metas(self, count: int) -> list[dict]:
        return [self._buffers[i].meta() if i in self._buffers else {} for i in range(count)]


def document_meta(data: bytes) -> dict:
    """``{"format", "author", "software", "created"}`` of a PDF or OOXML file (values that are
    missing are empty strings), or ``{}`` when it is neither or does not parse."""
    try:
        if data.startswith(PDF_MAGIC):
            return _pdf_meta(data)
        if data.startswith(ZIP_MAGIC):
            return _ooxml_meta(data)
    except Exception as error:  # noqa: BLE001 - a bidder's file may be broken in any way the parsers know
        log.info("no document metadata read: %s: %s", type(error).__name__, error)
    return {}


def _clean(value) -> str:
    return " ".join(str(value).split())[:TEXT_MAX] if value is not None else ""


def _meta(format_: str, author, software, created) -> dict:
    meta = {"format": format_, "author": _clean(author), "software": _clean(software), "created": _clean(created)}
    return meta if meta["author"] or meta["software"] or meta["created"] else {}


def _pdf_meta(data: bytes) -> dict:
    info = _pdf_info_direct(data) or _pdf_info_parsed(data)
    if info is None:
        return {}
    try:
        created = info.creation_date
        created = created.isoformat() if created is not None else ""
    except ValueError:  # a date pypdf cannot read: kept as written
        created = info.creation_date_raw or ""
    return _meta("pdf", info.author, info.creator or info.producer, created)


def _pdf_info_direct(data: bytes):
    """The information dictionary read where the last trailer points, without parsing the file's
    cross-reference table (a third of the time on a 200-page file): the usual case, a plain
    dictionary of direct values in an uncompressed object. None for anything else (an encrypted
    file, the dictionary in an object stream, an indirect value), which the full parse reads."""
    from pypdf import DocumentInformation
    from pypdf.errors import PdfReadError
    from pypdf.generic import DictionaryObject, IndirectObject, read_object

    tail = data[-PDF_TAIL:]
    refs = PDF_INFO_REF.findall(tail)
    if not refs or b"/Encrypt" in tail:
        return None
    number, generation = refs[-1]
    header = number + b" " + generation + b" obj"
    at = data.rfind(header)
    while at > 0 and data[at - 1] not in PDF_WHITESPACE:  # "1204 0 obj" is not object 204
        at = data.rfind(header, 0, at)
    if at < 0:
        return None
    start, end = at + len(header), data.find(b"endobj", at)
    body = data[start:end].strip(PDF_WHITESPACE) if end > 0 else b""
    # A reference inside needs the cross-reference table to resolve (pypdf cannot read one here).
    if not body.startswith(b"<<") or PDF_REFERENCE.search(body):
        return None
    try:
        found = read_object(io.BytesIO(body), None)
    except (PdfReadError, ValueError, KeyError):
        return None
    if not isinstance(found, DictionaryObject) or any(isinstance(value, IndirectObject) for value in found.values()):
        return None
    info = DocumentInformation()
    info.update(found)
    return info


def _pdf_info_parsed(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data)).metadata


def _part(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > PART_MAX:
        return None
    with archive.open(info) as part:
        raw = part.read(PART_MAX + 1)
    # Document properties never need a DTD: one would only be there to expand entities.
    if len(raw) > PART_MAX or b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        return None
    return ElementTree.fromstring(raw)


def _text(root: ElementTree.Element | None, path: str) -> str:
    if root is None:
        return ""
    node = root.find(path, NS)
    return node.text or "" if node is not None else ""


def _ooxml_meta(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        core = _part(archive, CORE)
        if core is None:
            return {}
        app = _part(archive, APP)
    application, version = _text(app, "app:Application").strip(), _text(app, "app:AppVersion").strip()
    software = f"{application} {version}".strip()
    return _meta("ooxml", _text(core, "dc:creator"), software, _text(core, "dcterms:created"))
