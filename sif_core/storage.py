"""What a zone storage backend plugin registers (the zone server defines the store interface)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["StorageBackendSpec"]


@dataclass(frozen=True)
class StorageBackendSpec:
    """A zone storage backend: ``open(url)`` returns a store for the zone server.

    ``name`` is the URL scheme it answers (``sqlite``, ``postgresql``); ``open`` receives the whole
    storage URL from the zone file and returns an object implementing the zone server's ``Store``
    interface (``zone_server.store.Store``).
    """

    name: str
    description: str
    open: Callable[[str], Any]
