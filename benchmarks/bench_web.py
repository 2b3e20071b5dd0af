"""The web map under concurrent load, without and with planners writing, vs a naive peer.

Serves a copy of a project with ``heatplan serve``'s app (uvicorn in its own process, loopback)
and runs, in one run against the same server:

- **no writes**: N concurrent clients read map views — layers cut to random bboxes, ``/api/meta``,
  ``/api/search`` and ``/api/factsheet`` — as fast as answers come;
- **mixed**: the same readers while an editor logs in every few seconds and saves a measure
  through the workspace API (with the session's CSRF token) every few seconds;
- **naive peer**: whole layers made by geopandas per request (``to_crs(4326).to_json()``),
  against the same whole layers from heatplan: the p95 ratio.

It prints p50/p95, requests per second and errors (HTTP >= 400, time-outs) side by side. Every
loop is bounded in count and in time; only 127.0.0.1 is contacted.

    .venv/bin/python benchmarks/bench_web.py [--project DIR] [--clients 50] [--seconds 30]

Without ``--project`` it builds the Schutterwald demo in a temporary folder first (~1 min). The
project is copied to a temporary folder first (the benchmark adds a user and edits a measure).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response

from heatplan.web.app import create_app
from heatplan.web.auth import add_user
from heatplan.web.public_data import load_public

LAYERS = ("areas", "blocks", "grid_100m", "network_pipes")
EDITOR, PASSWORD = "bench-editor", "bench password 1"
TIMEOUT_S = 30.0  # a request slower than this counts as an error (time-out)
START_TIMEOUT_S = 300.0  # a server not answering with its first edition by then: give up
STATUSES = ("planned", "in_progress")


@dataclass
class Stats:
    """Latencies and errors of one case."""

    times_s: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0
    last_saved: str = ""  # the editor's last saved measure status

    def row(self) -> dict[str, float]:
        times = sorted(self.times_s) or [float("nan")]
        return {
            "requests": len(self.times_s) + self.errors,
            "per_s": (len(self.times_s) + self.errors) / max(self.elapsed_s, 1e-9),
            "p50_ms": _p(times, 50),
            "p95_ms": _p(times, 95),
            "errors": self.errors,
        }


def _p(times: list[float], q: int) -> float:
    if len(times) < 2:
        return times[0] * 1000
    return statistics.quantiles(times, n=100)[q - 1] * 1000


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
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/layers/areas", timeout=START_TIMEOUT_S).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
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


def map_paths(base: str) -> list[str]:
    """What map visitors ask for: mostly layer views, some meta, searches and fact sheets."""
    meta = httpx.get(f"{base}/api/meta", timeout=120).json()
    layers = [la for la in LAYERS if any(x["source"] == la for x in meta["layers"])]
    views = [f"/api/layers/{la}?bbox={v}&zoom=15" for v in _views(meta, 40) for la in layers]
    areas = httpx.get(f"{base}/api/areas", timeout=120).json()["areas"]
    names = [str(a.get("name") or a["area_id"]) for a in areas]
    searches = [f"/api/search?{urlencode({'q': name})}" for name in names[:10]]
    searches = searches or ["/api/search?q=a"]
    found = httpx.get(f"{base}{searches[0]}", timeout=120).json()["results"]
    sheets = [f"/api/factsheet?{urlencode({'key': r['key']})}" for r in found[:10]]
    rng = random.Random(2)
    extras = ["/api/meta"] * 20 + rng.choices(searches, k=20)
    extras += rng.choices(sheets or searches, k=20)
    return views + extras  # about 70 % layer views


class RawClient:
    """A minimal HTTP/1.1 keep-alive GET client on asyncio streams, one connection per reader.

    The load generator shares the machine with the server: it must cost far less CPU per
    request than the server it measures (httpx spends about a millisecond per request here).
    """

    def __init__(self, base: str) -> None:
        url = httpx.URL(base)
        self.host, self.port = str(url.host), int(url.port or 80)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        """GET ``path`` (gzip accepted); the status code. Raises OSError or TimeoutError."""
        try:
            return await asyncio.wait_for(self._get(path), timeout=TIMEOUT_S)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            raise OSError(f"GET {path} failed") from None

    async def _get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept-Encoding: gzip\r\n\r\n"
        self.writer.write(request.encode())
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        status = int(head[9:12])
        length = next((int(line[15:]) for line in head.split("\r\n")
                       if line.startswith("content-length:")), None)  # fmt: skip
        if length is not None:
            await self.reader.readexactly(length)
        elif "transfer-encoding: chunked" in head:
            await self._chunks()
        if "connection: close" in head:
            await self.close()
        return status

    async def _chunks(self) -> None:
        assert self.reader is not None
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await self.reader.readexactly(size + 2)
            if size == 0:
                return

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _readers(
    base: str, paths: list[str], clients: int, max_requests: int, seconds: float
) -> Stats:
    """``clients`` readers asking for random ``paths`` until ``seconds`` or ``max_requests``
    each."""
    stats = Stats()
    deadline = time.perf_counter() + seconds

    async def one(worker: int) -> None:
        rng = random.Random(worker)
        client = RawClient(base)
        for _ in range(max_requests):
            if time.perf_counter() > deadline:
                break
            start = time.perf_counter()
            try:
                status = await client.get(rng.choice(paths))
            except OSError:
                stats.errors += 1
                continue
            if status >= 400:
                stats.errors += 1
            else:
                stats.times_s.append(time.perf_counter() - start)
        await client.close()

    start = time.perf_counter()
    await asyncio.gather(*(one(w) for w in range(clients)))
    stats.elapsed_s = time.perf_counter() - start
    return stats


async def _timed(client: httpx.AsyncClient, method: str, path: str, stats: Stats,
                 **kwargs: Any) -> httpx.Response | None:  # fmt: skip
    start = time.perf_counter()
    try:
        response = await client.request(method, path, **kwargs)
    except httpx.HTTPError:
        stats.errors += 1
        return None
    if response.status_code >= 400:
        stats.errors += 1
        return response
    stats.times_s.append(time.perf_counter() - start)
    return response


async def _editor(base: str, stop: asyncio.Event, every_s: float, max_rounds: int) -> Stats:
    """Every ``every_s`` (by the clock): log in (a new session); half a period later save a
    measure with that session."""
    stats = Stats()
    start = time.perf_counter()
    for round_no in range(max_rounds):
        if await _pause(stop, start + round_no * every_s - time.perf_counter()):
            break
        async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_S) as client:
            login = await _timed(client, "POST", "/api/auth/login", stats,
                                 json={"username": EDITOR, "password": PASSWORD})  # fmt: skip
            save_at = start + (round_no + 0.5) * every_s
            if await _pause(stop, save_at - time.perf_counter()):
                break
            if login is not None and login.status_code == 200:
                csrf = login.json()["csrf_token"]
                await _save(client, csrf, STATUSES[round_no % 2], stats)
    stats.elapsed_s = time.perf_counter() - start
    return stats


async def _save(client: httpx.AsyncClient, csrf: str, status: str, stats: Stats) -> None:
    listed = await _timed(client, "GET", "/api/workspace/measures", stats)
    if listed is None or listed.status_code != 200:
        return
    measures = listed.json()["measures"]
    measure = next((m for m in measures if m["public"]), measures[0])
    body = {"expected_revision": measure["revision"], "changes": {"status": status}}
    saved = await _timed(client, "PATCH", f"/api/workspace/measures/{measure['measure_id']}",
                         stats, json=body, headers={"X-CSRF-Token": csrf})  # fmt: skip
    if saved is not None and saved.status_code == 200:
        stats.last_saved = status


async def _pause(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep ``seconds`` (at least none) or until ``stop``; True if stopped."""
    if stop.is_set():
        return True
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.0))
    except TimeoutError:
        return False
    return True


async def _mixed(base: str, paths: list[str], args: argparse.Namespace) -> tuple[Stats, Stats]:
    stop = asyncio.Event()
    editor = asyncio.create_task(_editor(base, stop, args.write_every, max_rounds=1000))
    readers = await _readers(base, paths, args.clients, args.requests, args.seconds)
    stop.set()
    return readers, await editor


def _edition_follows(base: str, status: str, bound_s: float = 60.0) -> float | None:
    """Seconds until the public measures show the editor's last save (None: not within
    ``bound_s``)."""
    start = time.perf_counter()
    while time.perf_counter() - start < bound_s:
        measures = httpx.get(f"{base}/api/measures", timeout=TIMEOUT_S).json()["measures"]
        if measures and measures[0]["status"] == status:
            return time.perf_counter() - start
        time.sleep(0.2)
    return None


def _prepare(project: Path) -> Path:
    """A copy of ``project`` with the benchmark's editor account."""
    copy = Path(tempfile.mkdtemp(prefix="bench-web-")) / project.name
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".heatplan-cache", "*.lock"))
    add_user(copy, EDITOR, PASSWORD, "editor")
    return copy


def run(project: Path, args: argparse.Namespace) -> tuple[dict[str, Any], float | None]:
    project = _prepare(project)
    ours, ours_url = _serve("heatplan", project)
    peer, peer_url = _serve("naive", project)
    try:
        paths = map_paths(ours_url)
        asyncio.run(_readers(ours_url, paths, 4, 20, 30.0))  # warm up
        quiet = asyncio.run(_readers(ours_url, paths, args.clients, args.requests, args.seconds))
        results: dict[str, Any] = {"no writes": quiet.row()}
        readers, editor = asyncio.run(_mixed(ours_url, paths, args))
        follow_s = _edition_follows(ours_url, editor.last_saved) if editor.last_saved else None
        results[f"writes (login + save every {args.write_every:g} s)"] = readers.row()
        results["editor's own requests"] = editor.row()
        whole = {"heatplan (whole layer, zoom 17)": (ours_url, "?zoom=17"),
                 "naive peer (whole layer, geopandas per request)": (peer_url, "")}  # fmt: skip
        for name, (base, query) in whole.items():
            layer_paths = [f"/api/layers/{la}{query}" for la in LAYERS[:3]]
            stats = asyncio.run(_readers(base, layer_paths, args.clients, args.naive_requests,
                                         args.seconds))  # fmt: skip
            results[name] = stats.row()
    finally:
        for process in (ours, peer):
            process.terminate()
            process.wait(timeout=30)
    return results, follow_s


def _print(results: dict[str, Any], follow_s: float | None, args: argparse.Namespace) -> None:
    print(f"{args.clients} concurrent map clients, up to {args.seconds:g} s per case, loopback")
    print(f"  {'case':50s} {'requests':>8s} {'req/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s} errors")
    for name, row in results.items():
        print(f"  {name:50s} {row['requests']:8d} {row['per_s']:7.1f} {row['p50_ms']:8.1f} "
              f"{row['p95_ms']:8.1f} {row['errors']:6d}")  # fmt: skip
    names = list(results)
    ratio = results[names[-1]]["p95_ms"] / results[names[-2]]["p95_ms"]
    print(f"  p95 ratio naive / heatplan (whole layers): {ratio:.1f}x")
    shown = "not within 60 s" if follow_s is None else f"{follow_s:.1f} s after the case ended"
    print(f"  the public map showed the editor's last save: {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="project directory (default: build demo)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="time bound per case [s]")
    parser.add_argument("--requests", type=int, default=2000, help="bound per client and case")
    parser.add_argument("--naive-requests", type=int, default=4, help="per client, whole layers")
    parser.add_argument("--write-every", type=float, default=5.0, help="editor's period [s]")
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
    results, follow_s = run(project, args)
    _print(results, follow_s, args)


if __name__ == "__main__":
    main()
