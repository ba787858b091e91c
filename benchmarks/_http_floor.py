"""The HTTP floor: a no-op Starlette endpoint served by uvicorn exactly as the zone is served.

Run: ``python -m benchmarks._http_floor PORT``. ``POST /noop`` reads the body and answers a small
JSON document; ``GET /healthz`` answers once the server is up. One process, the same uvicorn
settings as :func:`zone_server.serving.serve`, so the gap to the zone is the zone's own work.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def _noop(request: Request) -> Response:
    body = await request.body()
    return Response(b'{"received":%d}' % len(body), media_type="application/json")


async def _health(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[Route("/noop", _noop, methods=["POST"]), Route("/healthz", _health)])


def main(port: int) -> None:
    """Serve the no-op application on 127.0.0.1:``port`` until interrupted."""
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on")


if __name__ == "__main__":
    main(int(sys.argv[1]))
