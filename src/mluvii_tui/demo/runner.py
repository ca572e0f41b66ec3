"""Run the simulator: in a background thread (``Simulator``) or in the foreground (CLI)."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn

from ..config.paths import cache_dir
from ..serving import run_in_thread, wait_started
from .generator import iter_sessions
from .roster import SIM_ORIGIN
from .server import CREDENTIALS, create_app
from .source import SessionSource
from .spill import SpillCache
from .timefmt import to_epoch

#: Up to this many generated sessions, ``start`` waits until all are made (as the demo's 5,000);
#: above it the simulator answers at once and a page past what is made waits for it.
MADE_BEFORE_START = 10_000
#: From this many generated sessions with a fixed ``now``, the data set is kept on disk.
CACHED_FROM = 50_000


class DataFileError(ValueError):
    """A recorded data set that cannot be read; ``str(exc)`` is one line."""


def load_data_file(path: Path) -> list[dict]:
    """A JSON array of SessionModel objects (ids kept). Items without an id are skipped."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise DataFileError(f"{path}: expected a JSON array of sessions")
    sessions = [s for s in data if isinstance(s, dict) and isinstance(s.get("id"), int | str)]
    for s in sessions:
        try:
            s["id"] = int(s["id"])
        except ValueError:
            raise DataFileError(f"{path}: session id {s['id']!r} is not a number") from None
    return sessions


def _closer_for(server: uvicorn.Server) -> Any:
    """Abort the TCP connection a request came in on (for faults with status 0)."""

    def close(scope: dict) -> bool:
        client = scope.get("client")
        if not client:
            return False
        for protocol in list(server.server_state.connections):
            if getattr(protocol, "client", None) == tuple(client):
                transport = getattr(protocol, "transport", None)
                if transport is not None:
                    transport.abort()
                    return True
        return False

    return close


class Simulator:
    """The simulator on ``host`` (loopback) in a daemon thread; ``port=0`` picks a free port."""

    def __init__(
        self,
        *,
        sessions: int = 5000,
        seed: int = 7,
        data_file: Path | None = None,
        now: datetime | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        token_ttl: int = 3600,
        traffic: float = 0.0,
        cache: Path | None = None,
    ) -> None:
        """``cache``: the directory of kept data sets (default: the user cache directory);
        used from ``CACHED_FROM`` generated sessions when ``now`` is fixed."""
        self.host = host
        self.port = port
        self._count = sessions
        self._seed = seed
        self._data_file = Path(data_file) if data_file else None
        self._now = now
        self._token_ttl = token_ttl
        self._traffic = traffic
        self._cache = cache
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.app: Any = None
        self.base_url = ""

    def _build_app(self) -> Any:
        if self._data_file is not None:
            source = SessionSource(load_data_file(self._data_file), seed=self._seed, now=self._now)
        else:  # made in a thread into the source's spill file: memory stays small at any count
            data = iter_sessions(self._count, self._seed, self._now)
            source = SessionSource(
                data, seed=self._seed, now=self._now, background=True, cache=self._spill_cache()
            )
            if self._count <= MADE_BEFORE_START:
                source.wait_done()
        return create_app(
            source, seed=self._seed, now=self._now, token_ttl=self._token_ttl, traffic=self._traffic
        )

    def _spill_cache(self) -> SpillCache | None:
        if self._now is None or self._count < CACHED_FROM:
            return None
        key = SpillCache.key_for(
            seed=self._seed, count=self._count, now=to_epoch(self._now), base=SIM_ORIGIN
        )
        return SpillCache(self._cache or cache_dir() / "simulator", key)

    def start(self) -> str:
        """Build the data, start serving, and return the base URL once it accepts connections."""
        if self._server is not None:
            return self.base_url
        self.app = self._build_app()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(128)
        sock.setblocking(False)
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.app.state.sim.closer = _closer_for(server)
        self._server = server
        failure: list[BaseException] = []
        self._thread = run_in_thread(
            lambda: server.serve(sockets=[sock]), "mluvii-simulator", failure
        )
        wait_started(
            lambda: server.started,
            self._thread,
            failure,
            "simulator",
            on_failure=self._cleanup,
            on_timeout=self.stop,
        )
        self.base_url = f"http://{self.host}:{self.port}"
        # Build the filter index while the client authenticates and fetches its first page.
        threading.Thread(target=self.app.state.source.warm, name="sim-warm", daemon=True).start()
        return self.base_url

    def stop(self) -> None:
        """Shut down (within about 2 s) and release the port."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.should_exit = True
        if thread is not None:
            thread.join(timeout=1.5)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=0.5)
        self._cleanup()

    def _cleanup(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._socket = None
        self._server = None
        self._thread = None

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_foreground(
    host: str = "127.0.0.1",
    port: int = 0,
    sessions: int = 5000,
    seed: int = 7,
    data_file: Path | None = None,
    traffic: float = 0.0,
    now: datetime | None = None,
) -> int:
    """``mluvii-tui simulator``: serve until Ctrl+C. Returns the exit code."""
    sim = Simulator(
        sessions=sessions,
        seed=seed,
        data_file=data_file,
        host=host,
        port=port,
        traffic=traffic,
        now=now,
    )
    try:
        url = sim.start()
    except DataFileError as exc:
        print(f"mluvii-tui: {exc}")
        return 2
    except (OSError, RuntimeError) as exc:
        print(f"mluvii-tui: could not start the simulator: {exc}")
        return 1
    print(f"Simulator: {url}", flush=True)
    source = sim.app.state.source
    print(f"Sessions: {len(source) if source.done else f'{sessions} (being made)'}")
    print(f"Traffic: {traffic:g} new sessions per minute" if traffic else "Traffic: off")
    for client_id, (secret, _) in CREDENTIALS.items():
        print(f"Credentials: client_id={client_id} client_secret={secret}")
    print("Press Ctrl+C to stop.", flush=True)
    started = time.perf_counter()
    source.when_done(
        lambda: print(
            f"Ready: {len(source)} sessions made in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    )
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping the simulator.")
    finally:
        sim.stop()
    return 0
