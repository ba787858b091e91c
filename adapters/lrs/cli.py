"""``sif lrs``: run the LRS connector for a zone, or the LRS simulator."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from adapters.lrs.client import LRSClient, LRSSettings
from adapters.lrs.connector import serve_requests
from adapters.lrs.simulator import LRSSimulator, load_known
from sif_core.client import ZoneClient
from sif_core.errors import ZoneError

__all__ = ["lrs"]


@click.group("lrs")
def lrs() -> None:
    """The LRS connector (ULN service) and an LRS simulator."""


@lrs.command("serve")
@click.option("--zone", "zone_url", required=True, metavar="URL", help="The zone's API address.")
@click.option(
    "--token",
    required=True,
    envvar="SIF_AGENT_TOKEN",
    metavar="TOKEN",
    help="The connector party's token [env SIF_AGENT_TOKEN].",
)
@click.option("--lrs-url", required=True, metavar="URL", help="The LRS LearnerService address.")
@click.option("--ukprn", required=True, help="The organisation's 8-digit UKPRN.")
@click.option("--user", "user_name", required=True, help="The LRS user name.")
@click.option(
    "--password",
    envvar="SIF_LRS_PASSWORD",
    default="",
    show_envvar=True,
    help="The organisation's LRS password (give it through the environment).",
)
@click.option("--cert", type=click.Path(dir_okay=False, path_type=Path), help="Client cert (PEM).")
@click.option("--key", type=click.Path(dir_okay=False, path_type=Path), help="Its key (PEM).")
@click.option(
    "--ca", type=click.Path(dir_okay=False, path_type=Path), help="CA bundle for the LRS."
)
@click.option("--follow", is_flag=True, help="Keep answering until interrupted.")
@click.option("--wait", type=click.FloatRange(0, 300), default=25.0, show_default=True)
def serve(
    zone_url: str,
    token: str,
    lrs_url: str,
    ukprn: str,
    user_name: str,
    password: str,
    cert: Path | None,
    key: Path | None,
    ca: Path | None,
    follow: bool,
    wait: float,
) -> None:
    """Answer the zone's ULN requests from the LRS: once through the queue, or --follow."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = LRSSettings(lrs_url, ukprn, user_name, password, cert, key, ca)
        zone = ZoneClient(zone_url, token)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    try:
        with LRSClient(settings) as client:
            report = serve_requests(zone, client, follow=follow, wait_seconds=wait)
    except ZoneError as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        return
    finally:
        zone.close()
    outcomes = ", ".join(f"{n} {outcome}" for outcome, n in sorted(report.outcomes.items()))
    click.echo(f"answered {report.requests} ULN request(s): {outcomes or 'no learners'}")
    if report.postponed:
        click.echo(f"{report.postponed} request(s) left queued: the LRS could not be reached")
        sys.exit(1)


@lrs.command("simulator")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, type=click.IntRange(0, 65535), help="0: a free port.")
@click.option(
    "--known",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="JSON list of learners it knows: uln, givenName, familyName, dateOfBirth, sex.",
)
@click.option("--tls-cert", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--tls-key", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--client-ca",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Require client certificates signed by this CA (as the LRS does).",
)
def simulator(
    host: str,
    port: int,
    known: Path | None,
    tls_cert: Path | None,
    tls_key: Path | None,
    client_ca: Path | None,
) -> None:
    """Run an LRS simulator (not the LRS) for tests and demonstrations."""
    try:
        learners = load_known(known) if known is not None else []
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--known") from None
    if (tls_cert is None) != (tls_key is None):
        raise click.UsageError("give --tls-cert and --tls-key together")
    tls = (tls_cert, tls_key) if tls_cert is not None and tls_key is not None else None
    server = LRSSimulator(learners, host=host, port=port, tls=tls, client_ca=client_ca)
    click.echo(f"LRS simulator (not the real LRS) at {server.url}", nl=True)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
