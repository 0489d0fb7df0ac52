"""The lot archive, version 1 (``docs/archive.md``): one ZIP file of a single fixed layout, written
and checked here with nothing but the standard library and ``cryptography``.

Every member is stored (not compressed) under a ZIP64 header, in a layout where each byte is either
a constant of the format, a value the central directory repeats (name, CRC-32, size, offset), or a
member's own bytes. The checker rebuilds the headers it expects and compares them byte for byte,
and hashes every member: so one changed byte anywhere in the file fails the check, not only one in
a member. The members' list, with each size and SHA-256, is ``manifest.json``, the canonical JSON
of ``{"v": 1, "kind": "lot-archive", "body": {...}}``; ``manifest.sig`` is the platform's Ed25519
signature over those exact bytes, unpadded base64url (the rule of every signed document,
``docs/envelope.md``). Both stream: memory stays at one chunk and the central directory.
"""
import hashlib
import re
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .canonical import CanonicalError, b64url_decode, b64url_encode, canonical_json, canonical_parse, is_int

KIND = "lot-archive"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
AUDIT_EXTRACT = "audit/extract.json"
RESERVED = frozenset({MANIFEST, SIGNATURE})
OUTCOMES = frozenset({"contracted", "failed", "cancelled", "terminated"})
CHUNK = 1 << 20
MAX_MANIFEST = 64 << 20
MAX_MEMBERS = 1_000_000
MAX_PATH_BYTES = 1024

# The ZIP fields every archive holds alike (PKWARE APPNOTE.TXT 6.3.10, sections 4.3 and 4.5).
VERSION = 45  # needed to extract: ZIP64
MADE_BY = (3 << 8) | VERSION  # Unix, 4.5: the external attributes are a Unix mode
FLAGS = 0x0800  # bit 11: names are UTF-8
STORED = 0
DOS_TIME, DOS_DATE = 0, (1 << 5) | 1  # 1980-01-01 00:00, the earliest a ZIP can say: no clock in the bytes
EXTERNAL = 0o100644 << 16  # a regular file, rw-r--r--
MAX32, MAX16 = 0xFFFFFFFF, 0xFFFF  # "see the ZIP64 field"
LOCAL = struct.Struct("<IHHHHHIIIHH")
LOCAL_EXTRA = struct.Struct("<HHQQ")  # ZIP64: size, compressed size
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
CENTRAL_EXTRA = struct.Struct("<HHQQQ")  # ZIP64: size, compressed size, local header's offset
ZIP64_END = struct.Struct("<IQHHIIQQQQ")
ZIP64_LOCATOR = struct.Struct("<IIQI")
END = struct.Struct("<IHHHHIIH")
TAIL = ZIP64_END.size + ZIP64_LOCATOR.size + END.size
END_BYTES = END.pack(0x06054B50, 0, 0, MAX16, MAX16, MAX32, MAX32, 0)
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


class ArchiveError(ValueError):
    """A file that is not a well-formed lot archive signed by the key, or input the writer refuses."""


def path_valid(path: object) -> bool:
    """A member's path: printable UTF-8 text of at most 1024 bytes, ``/``-separated segments none of
    which is empty, ``.`` or ``..``, no backslash: it unpacks inside the folder it is unpacked in."""
    return (isinstance(path, str) and path.isprintable() and "\\" not in path
            and 0 < len(path.encode("utf-8", "surrogatepass")) <= MAX_PATH_BYTES
            and all(segment not in ("", ".", "..") for segment in path.split("/")))


def local_header(name: bytes, crc: int, size: int) -> bytes:
    return (LOCAL.pack(0x04034B50, VERSION, FLAGS, STORED, DOS_TIME, DOS_DATE, crc, MAX32, MAX32, len(name),
                       LOCAL_EXTRA.size)
            + name + LOCAL_EXTRA.pack(0x0001, LOCAL_EXTRA.size - 4, size, size))


def central_header(name: bytes, crc: int, size: int, offset: int) -> bytes:
    return (CENTRAL.pack(0x02014B50, MADE_BY, VERSION, FLAGS, STORED, DOS_TIME, DOS_DATE, crc, MAX32, MAX32,
                         len(name), CENTRAL_EXTRA.size, 0, 0, 0, EXTERNAL, MAX32)
            + name + CENTRAL_EXTRA.pack(0x0001, CENTRAL_EXTRA.size - 4, size, size, offset))


def end_records(*, count: int, directory_offset: int, directory_size: int) -> bytes:
    """The ZIP64 end of central directory record, its locator and the classic end record."""
    zip64_end_at = directory_offset + directory_size
    return (ZIP64_END.pack(0x06064B50, ZIP64_END.size - 12, MADE_BY, VERSION, 0, 0, count, count, directory_size,
                           directory_offset)
            + ZIP64_LOCATOR.pack(0x07064B50, 0, zip64_end_at, 1) + END_BYTES)


@dataclass(frozen=True)
class Member:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class _Written:
    name: bytes
    crc: int
    size: int
    offset: int


def _chunks(source: bytes | BinaryIO | Iterable[bytes]) -> Iterable[bytes]:
    if isinstance(source, bytes | bytearray):
        yield bytes(source)
    elif hasattr(source, "read"):
        while chunk := source.read(CHUNK):
            yield chunk
    else:
        yield from source


class ArchiveWriter:
    """Writes an archive into ``out``, a seekable binary file at its start (a temporary file): each
    member streams through in chunks, then its header is patched with its CRC-32 and size."""

    def __init__(self, out: BinaryIO):
        self._out = out
        self._written: list[_Written] = []
        self._members: list[Member] = []
        self._folded: set[str] = set()
        self._finished = False

    @property
    def members(self) -> list[Member]:
        return list(self._members)

    def path_taken(self, path: str) -> bool:
        """Whether ``path`` (or one differing only in case, which some file systems merge) is used."""
        return path.casefold() in self._folded

    def add(self, path: str, source: bytes | BinaryIO | Iterable[bytes], *, size: int | None = None,
            sha256: str | None = None) -> Member:
        """Add a member; with ``size``/``sha256`` its bytes must come to exactly that (a stored file
        checked against its record on the way in), else ``ArchiveError`` and the archive is spoilt."""
        if self._finished:
            raise ArchiveError("the archive is finished")
        if not path_valid(path) or path in RESERVED:
            raise ArchiveError(f"{path!r} is not a member path an archive may hold")
        if self.path_taken(path):
            raise ArchiveError(f"{path}: the archive already holds this path")
        member = self._write(path, source)
        if size is not None and member.size != size:
            raise ArchiveError(f"{path}: {member.size} bytes where {size} were recorded")
        if sha256 is not None and member.sha256 != sha256:
            raise ArchiveError(f"{path}: its SHA-256 is {member.sha256}, recorded {sha256}")
        self._folded.add(path.casefold())
        self._members.append(member)
        return member

    def finish(self, *, body: dict, sign: Callable[[bytes], bytes]) -> dict:
        """Write the manifest (``body`` with the members' list as ``files``), its signature by
        ``sign`` and the central directory. Returns the manifest document."""
        if self._finished:
            raise ArchiveError("the archive is finished")
        if "files" in body:
            raise ArchiveError("the writer lists the files itself")
        files = [{"path": m.path, "size": m.size, "sha256": m.sha256} for m in self._members]
        document = {"v": 1, "kind": KIND, "body": {**body, "files": files}}
        manifest = canonical_json(document)
        self._write(MANIFEST, manifest)
        self._write(SIGNATURE, b64url_encode(sign(manifest)).encode("ascii"))
        directory_offset = self._out.tell()
        for item in self._written:
            self._out.write(central_header(item.name, item.crc, item.size, item.offset))
        directory_size = self._out.tell() - directory_offset
        self._out.write(end_records(count=len(self._written), directory_offset=directory_offset,
                                    directory_size=directory_size))
        self._out.flush()
        self._finished = True
        return document

    def _write(self, path: str, source) -> Member:
        name = path.encode("utf-8")
        offset = self._out.tell()
        self._out.write(local_header(name, 0, 0))
        crc, size, digest = 0, 0, hashlib.sha256()
        for chunk in _chunks(source):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            digest.update(chunk)
            self._out.write(chunk)
        end = self._out.tell()
        self._out.seek(offset)
        self._out.write(local_header(name, crc, size))
        self._out.seek(end)
        self._written.append(_Written(name=name, crc=crc, size=size, offset=offset))
        return Member(path=path, size=size, sha256=digest.hexdigest())


@dataclass(frozen=True)
class Entry:
    """A member as the central directory places it."""
    path: str
    name: bytes
    crc: int
    size: int
    offset: int

    @property
    def data_offset(self) -> int:
        return self.offset + LOCAL.size + len(self.name) + LOCAL_EXTRA.size


@dataclass(frozen=True)
class Verified:
    """A checked archive: its manifest's body, its own size and SHA-256, and its members."""
    body: dict
    size: int
    sha256: str
    entries: dict[str, Entry]
    file: BinaryIO

    def read(self, path: str, *, limit: int = MAX_MANIFEST) -> bytes:
        """A (small) member's bytes, already checked against the manifest."""
        entry = self.entries.get(path)
        if entry is None:
            raise ArchiveError(f"the archive holds no {path}")
        if entry.size > limit:
            raise ArchiveError(f"{path}: larger than {limit} bytes")
        self.file.seek(entry.data_offset)
        return self.file.read(entry.size)


def archive_verify(file: BinaryIO, public_key: Ed25519PublicKey) -> Verified:
    """Check an archive (a seekable binary file) as ``docs/archive.md`` "Checking an archive" lays
    out; raise ``ArchiveError`` naming the first thing found wrong."""
    length, entries = _directory(file)
    names = list(entries)
    if names[-2:] != [MANIFEST, SIGNATURE]:
        raise ArchiveError(f"the last two members are not {MANIFEST} and {SIGNATURE}")
    manifest_entry, signature_entry = entries[MANIFEST], entries[SIGNATURE]
    if manifest_entry.size > MAX_MANIFEST:
        raise ArchiveError(f"{MANIFEST} is larger than {MAX_MANIFEST} bytes")
    manifest = _read(file, manifest_entry)
    signature_text = _read(file, signature_entry) if signature_entry.size <= 128 else b""
    try:
        signature = b64url_decode(signature_text.decode("ascii"))
    except (UnicodeDecodeError, CanonicalError):
        signature = b""
    if len(signature) != 64:
        raise ArchiveError(f"{SIGNATURE} is not an Ed25519 signature in unpadded base64url")
    try:
        public_key.verify(signature, manifest)
    except InvalidSignature:
        raise ArchiveError(f"{SIGNATURE} does not verify {MANIFEST} under this key: the manifest or its "
                           "signature was changed, or another key signed it") from None
    try:
        document = canonical_parse(manifest)
    except CanonicalError as error:
        raise ArchiveError(f"{MANIFEST}: {error}") from None
    body = _manifest_check(document)
    listed = [item["path"] for item in body["files"]]
    held = names[:-2]
    if listed != held:
        missing = [path for path in listed if path not in entries]
        extra = [path for path in held if path not in set(listed)]
        if missing:
            raise ArchiveError(f"missing from the archive: {', '.join(missing[:5])}")
        if extra:
            raise ArchiveError(f"not in the manifest: {', '.join(extra[:5])}")
        raise ArchiveError("the members are not in the manifest's order")
    expected = {item["path"]: item for item in body["files"]}
    whole = _members_check(file, length, entries, expected)
    return Verified(body=body, size=length, sha256=whole, entries=entries, file=file)


def _read(file: BinaryIO, entry: Entry) -> bytes:
    file.seek(entry.data_offset)
    data = file.read(entry.size)
    if len(data) != entry.size or zlib.crc32(data) != entry.crc:
        raise ArchiveError(f"{entry.path}: altered (its CRC-32 does not match its header)")
    return data


def _directory(file: BinaryIO) -> tuple[int, dict[str, Entry]]:
    """The members, from the end records and central directory, every fixed field checked."""
    length = file.seek(0, 2)
    if length < TAIL:
        raise ArchiveError("not a lot archive: too short for the ZIP64 end records")
    file.seek(length - TAIL)
    tail = file.read(TAIL)
    zip64_end_at = length - TAIL
    if tail[-END.size:] != END_BYTES:
        raise ArchiveError("not a lot archive: the file does not end with the end record the format fixes "
                           "(a changed byte, a comment or bytes after it)")
    locator = ZIP64_LOCATOR.unpack_from(tail, ZIP64_END.size)
    if locator != (0x07064B50, 0, zip64_end_at, 1):
        raise ArchiveError("not a lot archive: the ZIP64 end locator is not the one the format fixes")
    (signature, record_size, made_by, needed, disk, directory_disk, count_here, count, directory_size,
     directory_offset) = ZIP64_END.unpack_from(tail)
    if ((signature, record_size, made_by, needed, disk, directory_disk) != (0x06064B50, ZIP64_END.size - 12, MADE_BY,
                                                                           VERSION, 0, 0)
            or count_here != count or not 2 <= count <= MAX_MEMBERS
            or directory_offset + directory_size != zip64_end_at):
        raise ArchiveError("not a lot archive: the ZIP64 end record is not the one the format fixes")
    file.seek(directory_offset)
    directory = file.read(directory_size)
    position, offset, entries, folded = 0, 0, {}, set()
    for index in range(count):
        if position + CENTRAL.size > directory_size:
            raise ArchiveError("the central directory ends inside an entry")
        fields = CENTRAL.unpack_from(directory, position)
        name_length = fields[10]
        name = directory[position + CENTRAL.size:position + CENTRAL.size + name_length]
        extra_at = position + CENTRAL.size + name_length
        if extra_at + CENTRAL_EXTRA.size > directory_size:
            raise ArchiveError("the central directory ends inside an entry")
        _tag, _extra_size, size, _stored_size, member_offset = CENTRAL_EXTRA.unpack_from(directory, extra_at)
        expected = central_header(name, fields[7], size, offset)
        if directory[position:extra_at + CENTRAL_EXTRA.size] != expected:
            raise ArchiveError(f"member {index + 1}: its central directory entry is not the one the format fixes "
                               f"(a changed byte, or the members do not follow each other)")
        try:
            path = name.decode("utf-8")
        except UnicodeDecodeError:
            path = None
        if not path_valid(path):
            raise ArchiveError(f"member {index + 1}: {name!r} is not a path an archive may hold")
        if path.casefold() in folded:
            raise ArchiveError(f"{path}: held twice")
        folded.add(path.casefold())
        entries[path] = Entry(path=path, name=name, crc=fields[7], size=size, offset=member_offset)
        offset = member_offset + LOCAL.size + name_length + LOCAL_EXTRA.size + size
        position = extra_at + CENTRAL_EXTRA.size
    if position != directory_size:
        raise ArchiveError("the central directory holds more than its entries")
    if offset != directory_offset:
        raise ArchiveError("the members do not fill the file up to the central directory")
    return length, entries


def _members_check(file: BinaryIO, length: int, entries: dict[str, Entry], expected: dict[str, dict]) -> str:
    """One pass over the file: every local header byte for byte, every member's CRC-32, size and
    SHA-256 against its header and the manifest. Returns the SHA-256 of the whole file."""
    whole = hashlib.sha256()
    file.seek(0)
    for entry in entries.values():
        header = local_header(entry.name, entry.crc, entry.size)
        found = file.read(len(header))
        whole.update(found)
        if found != header:
            raise ArchiveError(f"{entry.path}: its local header is not the one the format fixes (a changed byte)")
        crc, digest, left = 0, hashlib.sha256(), entry.size
        while left:
            chunk = file.read(min(CHUNK, left))
            if not chunk:
                raise ArchiveError(f"{entry.path}: the file ends inside it")
            left -= len(chunk)
            crc = zlib.crc32(chunk, crc)
            digest.update(chunk)
            whole.update(chunk)
        item = expected.get(entry.path)
        if item is not None and (entry.size != item["size"] or digest.hexdigest() != item["sha256"]):
            raise ArchiveError(f"{entry.path}: altered: {entry.size} bytes with SHA-256 {digest.hexdigest()}, the "
                               f"manifest says {item['size']} bytes with SHA-256 {item['sha256']}")
        if crc != entry.crc:
            raise ArchiveError(f"{entry.path}: altered (its CRC-32 does not match its header)")
    while chunk := file.read(CHUNK):
        whole.update(chunk)
    if file.tell() != length:
        raise ArchiveError("the file changed while it was read")
    return whole.hexdigest()


def _manifest_check(document: object) -> dict:
    if not isinstance(document, dict) or document.keys() != {"v", "kind", "body"}:
        raise ArchiveError(f"{MANIFEST}: a document has exactly the keys v, kind and body")
    if document["v"] != 1 or document["kind"] != KIND or not isinstance(document["body"], dict):
        raise ArchiveError(f"{MANIFEST}: not a version 1 {KIND} document")
    body = document["body"]
    if not {"platform", "lot", "outcome", "created_at", "files"} <= body.keys():
        raise ArchiveError(f"{MANIFEST}: the body has at least platform, lot, outcome, created_at and files")
    lot = body["lot"]
    if not isinstance(body["platform"], str) or not isinstance(lot, dict) or not is_int(lot.get("id"), low=1) \
            or not isinstance(lot.get("code"), str):
        raise ArchiveError(f"{MANIFEST}: platform is a string, lot an object with an integer id and a code")
    if body["outcome"] not in OUTCOMES:
        raise ArchiveError(f"{MANIFEST}: outcome is one of {', '.join(sorted(OUTCOMES))}")
    if not isinstance(body["created_at"], str) or not _TIME.fullmatch(body["created_at"]):
        raise ArchiveError(f"{MANIFEST}: created_at is YYYY-MM-DDTHH:MM:SS.ffffffZ")
    files = body["files"]
    if not isinstance(files, list):
        raise ArchiveError(f"{MANIFEST}: files is a list")
    for item in files:
        if (not isinstance(item, dict) or item.keys() != {"path", "size", "sha256"} or not path_valid(item["path"])
                or item["path"] in RESERVED or not is_int(item["size"], low=0) or not isinstance(item["sha256"], str)
                or not _SHA256_HEX.fullmatch(item["sha256"])):
            raise ArchiveError(f"{MANIFEST}: each file is {{path, size, sha256}} with a member path, a size in bytes "
                               "and 64 lowercase hex digits")
    return body
