"""The workflow routes: transfers, lost pupils, dual registration, ULN, census, funding.

Every route answers JSON; errors are the zone's usual ``{"error": {...}}`` with 400 (malformed),
403 (not this party's to do, naming why), 404, 409 (clashes with the current state) or 422
(well formed but impossible, e.g. a destination that is not in the zone).
"""

from __future__ import annotations

from starlette.routing import Route

from zone_server import api_census, api_registrations, api_transfers

__all__ = ["workflow_routes"]


def workflow_routes(zone: str) -> list[Route]:
    """The workflow routes under the zone prefix ``zone`` (``/api/zones/{zone}``)."""
    return [
        Route(f"{zone}/transfers", api_transfers.start, methods=["POST"]),
        Route(f"{zone}/transfers", api_transfers.list_transfers),
        Route(f"{zone}/transfers/{{transfer_id}}", api_transfers.show),
        Route(f"{zone}/lost-pupils", api_transfers.search_lost),
        Route(f"{zone}/lost-pupils/claims", api_transfers.claim_lost, methods=["POST"]),
        Route(f"{zone}/dual-registrations", api_registrations.list_links),
        Route(f"{zone}/dual-registrations/conflicts", api_registrations.list_conflicts),
        Route(
            f"{zone}/dual-registrations/conflicts/{{conflict_id}}/resolve",
            api_registrations.resolve_conflict,
            methods=["POST"],
        ),
        Route(f"{zone}/uln-requests", api_registrations.request_ulns, methods=["POST"]),
        Route(f"{zone}/uln-reviews", api_registrations.list_uln_reviews),
        Route(f"{zone}/census-returns", api_census.submit, methods=["POST"]),
        Route(f"{zone}/census-returns", api_census.list_returns),
        Route(f"{zone}/census-returns/{{return_id}}", api_census.show),
        Route(f"{zone}/census-returns/{{return_id}}/objects", api_census.objects),
        Route(f"{zone}/census-returns/{{return_id}}/approve", api_census.approve, methods=["POST"]),
        Route(f"{zone}/funding-summary", api_census.funding),
    ]
