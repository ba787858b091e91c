"""Opening a zone's store through the storage-backend hook, and serving the zone with uvicorn."""

from __future__ import annotations

import logging
import sys

from sif_core.plugins import get_plugin_host
from zone_server.config import ZoneFile
from zone_server.errors import StorageError
from zone_server.store import Store

__all__ = ["configure_logging", "open_store", "serve"]


def open_store(zone_file: ZoneFile) -> Store:
    """Open the store the zone file names, with the backend registered for its URL scheme."""
    url = zone_file.storage_url()
    scheme = url.partition(":")[0]
    backends = get_plugin_host().storage_backends()
    backend = backends.get(scheme)
    if backend is None:
        known = ", ".join(sorted(backends)) or "none"
        raise StorageError(
            f"no storage backend for {scheme!r} (installed: {known}); install the plugin that "
            "provides it or change [server] storage"
        )
    store: Store = backend.open(url)
    return store


def configure_logging(level: int = logging.INFO) -> None:
    """One plain line per record on stderr, for the zone's and uvicorn's loggers alike."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def serve(zone_file: ZoneFile, *, host: str, port: int) -> None:
    """Serve the zone until interrupted (SIGINT or SIGTERM stop it cleanly)."""
    import uvicorn

    from zone_server.app import create_app

    configure_logging()
    store = open_store(zone_file)
    logging.getLogger("zone_server").info(
        "zone server: %d zone(s), %d parties, store %s, on http://%s:%d",
        len(zone_file.zones),
        len(zone_file.parties),
        store.url,
        host,
        port,
    )
    uvicorn.run(
        create_app(zone_file, store),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
