"""The LRS connector: the provider of a zone's ``uln`` service, and an LRS simulator.

- :mod:`adapters.lrs.client`: ``LRSClient(LRSSettings(...))``, the LRS SOAP client on requests,
  with the organisation's client certificate, UKPRN, user and password.
- :mod:`adapters.lrs.connector`: ``serve_requests(zone_client, lrs_client)``: search by
  demographics, register on no match, answer each learner's outcome to the zone.
- :mod:`adapters.lrs.simulator`: ``LRSSimulator``, a small SOAP server that answers the LRS's
  response codes, for tests and ``sif demo``. It is not the LRS.

The plugin adds ``sif lrs serve`` (the connector) and ``sif lrs simulator``.
"""

from __future__ import annotations

import click

from sif_core.hookspecs import hookimpl

__all__ = ["sif_register_commands"]


@hookimpl
def sif_register_commands(cli: click.Group) -> None:
    """Add ``sif lrs`` (serve, simulator)."""
    from adapters.lrs.cli import lrs

    cli.add_command(lrs)
