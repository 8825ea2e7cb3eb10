"""A stand-in for object storage (S3, MinIO) as several hosts see it.

Each host builds its own storage instance from its own settings (its own
MEDIA_ROOT), and every instance reads and writes the same bucket, which is
on no host's disk. Like django-storages' S3Storage it has no local path:
`path()` is refused (NotImplementedError), and every attempt is recorded so
a test can assert that no code even tried."""

import os

from django.core.files.storage import InMemoryStorage
from django.core.files.storage.memory import InMemoryDirNode
from django.utils._os import safe_join

BACKEND = "tests.helpers.shared_storage.SharedBucketStorage"


class SharedBucketStorage(InMemoryStorage):
    bucket = InMemoryDirNode()
    path_calls: list[str] = []

    def __init__(self, **options):
        super().__init__(**options)
        self._root = SharedBucketStorage.bucket

    def _relative_path(self, name: str) -> str:
        # The bucket's keys: names relative to the storage's root, found
        # without path() (InMemoryStorage's own lookup goes through it).
        return os.path.relpath(safe_join(self.location, name), self.location)

    def path(self, name: str) -> str:
        SharedBucketStorage.path_calls.append(name)
        raise NotImplementedError("object storage has no local path")

    @classmethod
    def empty(cls) -> None:
        cls.bucket = InMemoryDirNode()
        cls.path_calls.clear()

    @classmethod
    def names(cls) -> list[str]:
        """Every file in the bucket."""
        found: list[str] = []

        def walk(node: InMemoryDirNode, prefix: str) -> None:
            for name, child in node._children.items():
                if isinstance(child, InMemoryDirNode):
                    walk(child, f"{prefix}{name}/")
                else:
                    found.append(prefix + name)

        walk(cls.bucket, "")
        return sorted(found)
