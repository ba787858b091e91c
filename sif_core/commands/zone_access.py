"""What the workflow commands (``sif transfer``, ``sif lost-pupils``, ``sif census``, ``sif uln``,
``sif dual-reg``) share: how they reach the zone as a party, and how a zone's refusal
is shown."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from sif_core.agent import AgentConfig, load_agent_config
from sif_core.client import ZoneClient
from sif_core.errors import SIFError

__all__ = ["connected", "zone_options"]

F = TypeVar("F", bound=Callable[..., Any])


def zone_options(function: F) -> F:
    """Add ``--zone``, ``--token`` and ``--config`` (an agent configuration file)."""
    options = [
        click.option(
            "--zone",
            "zone_url",
            envvar="SIF_ZONE_URL",
            metavar="URL",
            help="The zone: http(s)://HOST/api/zones/ID [env SIF_ZONE_URL].",
        ),
        click.option(
            "--token",
            envvar="SIF_AGENT_TOKEN",
            metavar="TOKEN",
            help="This party's token [env SIF_AGENT_TOKEN].",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="An agent configuration file (TOML) naming the zone and the token.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@contextlib.contextmanager
def connected(
    zone_url: str | None, token: str | None, config_path: Path | None
) -> Iterator[ZoneClient]:
    """A client of the zone; any :class:`SIFError` inside becomes a one-line click error."""
    try:
        config = load_agent_config(config_path) if config_path is not None else AgentConfig()
        url = zone_url or (config.zone.url if config.zone else None)
        if not url:
            raise click.UsageError("give the zone with --zone URL (or SIF_ZONE_URL, or --config)")
        client = ZoneClient(url, config.token(token))
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    except SIFError as error:
        raise click.ClickException(str(error)) from None
    try:
        yield client
    except SIFError as error:
        raise click.ClickException(str(error)) from None
    finally:
        client.close()
