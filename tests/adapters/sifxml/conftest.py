from sif_core.testing.plugin_fixtures import (  # noqa: F401 - fixtures pytest finds by name
    installed_sif_host,
    sif_cli,
    sif_host,
)
