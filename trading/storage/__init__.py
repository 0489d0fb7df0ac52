"""The platform's object store: ``get_storage()`` is the one way in.

S3 (with object lock) when ``settings.S3_ENDPOINT_URL`` is set, otherwise files under
``settings.PLATFORM_STORAGE_DIR``. See ``base.Storage`` for the operations and their guarantees.
"""
import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from trading.storage.base import ObjectInfo, ObjectReader, Storage, StorageError, StorageErrorCode
from trading.storage.local import LocalStorage
from trading.storage.s3 import S3Storage

__all__ = [
    "LocalStorage", "ObjectInfo", "ObjectReader", "S3Storage", "Storage", "StorageError", "StorageErrorCode",
    "get_storage", "reset_storage",
]


@functools.cache
def get_storage() -> Storage:
    if settings.S3_ENDPOINT_URL:
        return S3Storage.from_settings()
    return LocalStorage.from_settings()


def reset_storage() -> None:
    """Forget the configured backend, so the next ``get_storage()`` reads the settings again."""
    get_storage.cache_clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs) -> None:
    # Tests switch backends with override_settings or pytest-django's ``settings`` fixture.
    if setting.startswith("S3_") or setting == "PLATFORM_STORAGE_DIR":
        reset_storage()
