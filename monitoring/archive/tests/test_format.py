"""The archive format itself (bidding/crypto/archive.py, docs/archive.md), with a key of the test's
own: what the writer makes is a ZIP any tool reads; the checker accepts it and refuses every
single changed byte anywhere in the file, a member missing or added under a validly signed
manifest, another key, and members out of the manifest's order."""
import hashlib
import io
import os
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bidding.crypto.archive import (MANIFEST, SIGNATURE, ArchiveError, ArchiveWriter, archive_verify, central_header,
                                    end_records, local_header, path_valid)
from bidding.crypto.canonical import b64url_encode, canonical_json

KEY = Ed25519PrivateKey.generate()
BODY = {"platform": "cn-test", "lot": {"id": 7, "code": "JS2026-7-1"}, "outcome": "failed",
        "created_at": "2026-03-01T08:30:00.123456Z"}
MEMBERS = [("lot.json", b'{"lot": 7}'), ("documents/v1/招标文件.pdf", b"%PDF-1.7 " * 40),
           ("audit/extract.json", b"{}")]


def archive(members=MEMBERS, key=KEY) -> bytes:
    out = io.BytesIO()
    writer = ArchiveWriter(out)
    for path, data in members:
        writer.add(path, io.BytesIO(data))
    writer.finish(body=BODY, sign=key.sign)
    return out.getvalue()


def raw_archive(members: list[tuple[str, bytes]], listed: list[tuple[str, bytes]]) -> bytes:
    """An archive laid out as the format says whose manifest, validly signed, lists ``listed``
    while the file holds ``members``: what a forger who holds the key could not avoid either."""
    document = {"v": 1, "kind": "lot-archive", "body": {**BODY, "files": [
        {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()} for path, data in listed]}}
    manifest = canonical_json(document)
    everything = [*members, (MANIFEST, manifest), (SIGNATURE, b64url_encode(KEY.sign(manifest)).encode())]
    out, directory = bytearray(), bytearray()
    for path, data in everything:
        name = path.encode()
        directory += central_header(name, zlib.crc32(data), len(data), len(out))
        out += local_header(name, zlib.crc32(data), len(data)) + data
    offset = len(out)
    return bytes(out + directory + end_records(count=len(everything), directory_offset=offset,
                                               directory_size=len(directory)))


def refusal(data: bytes, key=KEY) -> str:
    with pytest.raises(ArchiveError) as caught:
        archive_verify(io.BytesIO(data), key.public_key())
    return str(caught.value)


def test_an_archive_is_a_zip_any_tool_reads_and_it_verifies():
    data = archive()
    checked = archive_verify(io.BytesIO(data), KEY.public_key())
    assert [item["path"] for item in checked.body["files"]] == [path for path, _data in MEMBERS]
    assert list(checked.entries) == [path for path, _data in MEMBERS] + [MANIFEST, SIGNATURE]
    assert checked.size == len(data) and checked.body["lot"] == BODY["lot"]
    with zipfile.ZipFile(io.BytesIO(data)) as unpacked:
        assert unpacked.testzip() is None
        assert {info.filename: unpacked.read(info) for info in unpacked.infolist()
                if info.filename not in (MANIFEST, SIGNATURE)} == dict(MEMBERS)
        assert {info.compress_type for info in unpacked.infolist()} == {zipfile.ZIP_STORED}
    # The layout is fixed byte for byte (and Ed25519 signatures are deterministic): what the format
    # describes, written independently, is the same file.
    assert raw_archive(MEMBERS, MEMBERS) == data


def test_every_single_changed_byte_anywhere_fails():
    data = archive()
    for position in range(len(data)):
        for flip in (0x01, 0x80):
            changed = bytearray(data)
            changed[position] ^= flip
            with pytest.raises(ArchiveError):
                archive_verify(io.BytesIO(bytes(changed)), KEY.public_key())


def test_bytes_added_or_cut_fail():
    data = archive()
    assert "end record" in refusal(data + b"\0")
    assert "end record" in refusal(data[:-1])
    assert "too short" in refusal(b"PK\x05\x06")


def test_a_missing_or_extra_member_fails_even_under_a_valid_signature():
    assert refusal(raw_archive(MEMBERS[:2], MEMBERS)) == "missing from the archive: audit/extract.json"
    assert refusal(raw_archive([*MEMBERS, ("extra.txt", b"x")], MEMBERS)) == "not in the manifest: extra.txt"
    assert refusal(raw_archive(MEMBERS[::-1], MEMBERS)) == "the members are not in the manifest's order"
    changed = [(path, data + b"!" if path == "lot.json" else data) for path, data in MEMBERS]
    assert refusal(raw_archive(changed, MEMBERS)).startswith("lot.json: altered")


def test_another_key_fails():
    assert "does not verify manifest.json under this key" in refusal(archive(), key=Ed25519PrivateKey.generate())


def test_the_writer_refuses_paths_that_would_unpack_elsewhere_and_files_that_are_not_what_was_recorded():
    for path in ("../etc/passwd", "/abs", "a//b", "a\\b", "", "a/./b", MANIFEST, "bad\nname"):
        assert not path_valid(path) or path == MANIFEST
        with pytest.raises(ArchiveError):
            ArchiveWriter(io.BytesIO()).add(path, b"x")
    writer = ArchiveWriter(io.BytesIO())
    writer.add("Report.pdf", b"x")
    with pytest.raises(ArchiveError):
        writer.add("report.pdf", b"y")  # one file on a case-insensitive disk
    with pytest.raises(ArchiveError, match="recorded"):
        writer.add("documents/a.pdf", b"abc", sha256="0" * 64)
    with pytest.raises(ArchiveError, match="3 bytes where 4 were recorded"):
        writer.add("documents/b.pdf", b"abc", size=4)


def test_the_command_line_says_what_is_wrong_and_exits_non_zero(tmp_path):
    root = Path(__file__).resolve().parents[3]
    key = tmp_path / "platform-key.pem"
    key.write_bytes(KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))

    def run(path) -> subprocess.CompletedProcess:
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(root)}
        return subprocess.run([sys.executable, "-m", "bidding.verify", "archive", str(path), "--key", str(key)],
                              cwd=root, env=environment, capture_output=True, text=True, timeout=60)

    text = tmp_path / "notes.txt"
    text.write_text("not an archive\n" * 20)
    done = run(text)
    assert (done.returncode, done.stdout) == (1, "") and done.stderr.startswith("bad: not a lot archive")
    # Well formed and signed, but its audit extract is not one.
    archived = tmp_path / "archive.zip"
    archived.write_bytes(archive())
    done = run(archived)
    assert done.returncode == 1 and done.stderr.startswith("bad: audit/extract.json: an extract has exactly")
    done = run(tmp_path / "missing.zip")
    assert done.returncode == 2 and done.stderr.startswith("error:")
