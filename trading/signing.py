"""The platform's Ed25519 key: it signs receipts and audit checkpoints.

The private key is read from ``settings.PLATFORM_SIGNING_KEY_FILE`` (PKCS#8 PEM). In the embedded
mode the file is created on first use; in services mode mount a kept key there.
"""
import functools
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


@functools.cache
def _private_key(path) -> Ed25519PrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # O_EXCL: two processes starting together must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def private_key() -> Ed25519PrivateKey:
    return _private_key(settings.PLATFORM_SIGNING_KEY_FILE)


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> bytes:
    return public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(message: bytes) -> bytes:
    return private_key().sign(message)
