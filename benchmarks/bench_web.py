"""p95 response time of the web map's layer API under concurrent load, vs a naive peer.

Serves a project with ``heatplan serve``'s app (uvicorn in a thread, loopback) and, beside it,
a naive peer that answers the same public layer as full GeoJSON made by geopandas per request
(``to_crs(4326).to_json()``). N concurrent clients (httpx, asyncio) ask for map views; the
benchmark prints p50/p95 per server and the ratio.

    .venv/bin/python benchmarks/bench_web.py [--project DIR] [--clients 20] [--requests 30]

Without ``--project`` it builds the Schutterwald demo in a temporary folder first (~1 min).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response

from heatplan.steps.web_public import load_public
from heatplan.web.app import create_app

LAYERS = ("areas", "blocks", "grid_100m", "network_pipes")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(kind: str, project: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start a server in its own process (the load generator must not share its GIL)."""
    port = _free_port()
    command = [sys.executable, __file__, "--serve", kind, "--project", str(project),
               "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            httpx.get(f"{url}/api/layers/areas", timeout=120)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{kind} server did not start")


def _run_server(kind: str, project: Path, port: int) -> None:
    app = create_app(project) if kind == "heatplan" else naive_app(project)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")


def naive_app(project: Path) -> FastAPI:
    """The peer: the same public layers, but GeoJSON via geopandas per request, no bbox."""
    tables = load_public(project).tables
    app = FastAPI()

    @app.get("/api/layers/{layer}")
    def layer(layer: str) -> Response:
        return Response(tables[layer].to_crs("EPSG:4326").to_json(), media_type="application/json")

    return app


def _views(meta: dict[str, Any], count: int, seed: int = 1) -> list[str]:
    """Map views: bboxes of a quarter of the extent at random places (zoom 15)."""
    minx, miny, maxx, maxy = meta["bbox"]
    width, height = (maxx - minx) / 2, (maxy - miny) / 2
    rng = random.Random(seed)
    views = []
    for _ in range(count):
        x, y = minx + rng.random() * width, miny + rng.random() * height
        views.append(f"{x:.5f},{y:.5f},{x + width:.5f},{y + height:.5f}")
    return views


async def _load(base: str, paths: list[str], clients: int, per_client: int) -> list[float]:
    times: list[float] = []
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:

        async def one(worker: int) -> None:
            for i in range(per_client):
                path = paths[(worker * per_client + i) % len(paths)]
                start = time.perf_counter()
                response = await client.get(path)
                times.append(time.perf_counter() - start)
                response.raise_for_status()

        await asyncio.gather(*(one(w) for w in range(clients)))
    return times


def _p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100)[int(q) - 1] * 1000


def run(project: Path, clients: int, per_client: int) -> dict[str, Any]:
    ours, ours_url = _serve("heatplan", project)
    peer, peer_url = _serve("naive", project)
    meta = httpx.get(f"{ours_url}/api/meta", timeout=120).json()
    layers = [la for la in LAYERS if any(x["source"] == la for x in meta["layers"])]
    views = _views(meta, 40)
    scenarios = {
        "heatplan (bbox, zoom 15, random views)": (ours_url, [
            f"/api/layers/{la}?bbox={v}&zoom=15" for v in views for la in layers]),
        "heatplan (whole layer, zoom 17)": (ours_url, [
            f"/api/layers/{la}?zoom=17" for la in layers]),
        "naive peer (whole layer, geopandas per request)": (peer_url, [
            f"/api/layers/{la}" for la in layers]),
    }  # fmt: skip
    results: dict[str, Any] = {}
    for name, (base, paths) in scenarios.items():
        asyncio.run(_load(base, paths[:8], 4, 2))  # warm up
        times = asyncio.run(_load(base, paths, clients, per_client))
        results[name] = {"p50_ms": _p(times, 50), "p95_ms": _p(times, 95), "requests": len(times)}
    for process in (ours, peer):
        process.terminate()
        process.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="project directory (default: build demo)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="requests per client")
    parser.add_argument("--serve", choices=("heatplan", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _run_server(args.serve, args.project, args.port)
        return
    project = args.project
    if project is None:
        from heatplan.demo.run import run_demo

        project = Path(tempfile.mkdtemp(prefix="bench-web-")) / "schutterwald"
        print(f"building the Schutterwald demo in {project} ...")
        run_demo(project)
    results = run(project, args.clients, args.requests)
    print(f"{args.clients} concurrent clients x {args.requests} requests, loopback")
    for name, row in results.items():
        print(f"  {name:52s} p50 {row['p50_ms']:8.1f} ms   p95 {row['p95_ms']:8.1f} ms")
    names = list(results)
    naive = results[names[-1]]["p95_ms"]
    for name in names[:-1]:
        print(f"  p95 ratio naive / {name}: {naive / results[name]['p95_ms']:.1f}x")


if __name__ == "__main__":
    main()
