"""A connection to a Dask cluster, and the worker plugin that builds each worker's Coder once.

``connect("tcp://host:8786")`` joins a running scheduler; ``connect("local:4")`` starts a cluster
of four worker processes (one thread each) on this machine and stops it on close. Every worker
builds its :class:`~tieline.pipeline.Coder` from the same :class:`~tieline.workers.CoderSpec`
once, through :class:`CoderPlugin` (also on workers that join or are restarted later), and keeps
it while the cluster runs. Importing this module imports ``distributed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import socket
import threading
import uuid
from pathlib import Path
from typing import Any

from tieline.errors import ClusterError
from tieline.workers import CoderSpec

try:
    import distributed
    from distributed import WorkerPlugin
except ImportError as exc:  # raised when --dask is used without the extra
    raise ClusterError("--dask needs Dask: pip install 'tieline[dask]'") from exc

log = logging.getLogger("tieline.distributed")
LOCAL = re.compile(r"^local:(\d+)$")
SCHEDULER = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://\S+$|^[\w.-]+:\d+$")
CONNECT_SECONDS = 30.0
WORKER_WAIT_SECONDS = 120.0


class CoderPlugin(WorkerPlugin):
    """Builds the worker's Coder from ``spec`` as the worker starts (in a thread, so the worker
    keeps answering its scheduler meanwhile). Tasks code under ``lock``: a worker with several
    threads shares one Coder, and spaCy is not made to be called from two threads at once."""

    idempotent = True  # registered again by a later run with the same spec: the loaded model is kept

    def __init__(self, spec: CoderSpec) -> None:
        self.spec = spec
        self.name = plugin_name(spec)
        self.coder: Any = None
        self.lock: threading.Lock | None = None

    async def setup(self, worker: Any) -> None:
        self.lock = threading.Lock()
        self.coder = await asyncio.to_thread(self.spec.build)

    def __getstate__(self) -> dict[str, Any]:
        return {"spec": self.spec, "name": self.name}  # never the model or the lock

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.spec, self.name = state["spec"], state["name"]
        self.coder, self.lock = None, None


def plugin_name(spec: CoderSpec) -> str:
    return "tieline-coder-" + hashlib.sha1(repr(spec).encode()).hexdigest()[:12]


def worker_plugin(name: str) -> CoderPlugin:
    """The plugin (with its Coder) of the worker running this task.

    Raises:
        ClusterError: the worker has no such plugin (it was unregistered).
    """
    plugin = distributed.get_worker().plugins.get(name)
    if not isinstance(plugin, CoderPlugin) or plugin.coder is None or plugin.lock is None:
        raise ClusterError(f"this worker has no coder {name}; was the plugin unregistered?")
    return plugin


def _stamps(paths: list[str]) -> dict[str, str | None]:
    from tieline.distributed.partitions import stamp

    return {path: stamp(path) for path in paths}


def _read_probe(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return None


class Cluster:
    """An open Dask client (and the local cluster it started, if any); close it, or use it as a
    context manager."""

    def __init__(self, client: Any, address: str, local: Any = None) -> None:
        self.client = client
        self.address = address
        self.local = local

    @property
    def dashboard(self) -> str | None:
        """The address of the Dask dashboard."""
        link: str | None = self.client.dashboard_link
        return link

    def workers(self) -> int:
        """Threads of the workers now connected (one per worker process, as tieline starts them)."""
        return sum(self.client.nthreads().values())

    def register(self, spec: CoderSpec) -> str:
        """Have every worker (and every worker that joins later) build a Coder from ``spec``;
        returns the name tasks find it by.

        Raises:
            ClusterError: no worker joined in time, or a worker could not build the Coder.
        """
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except (TimeoutError, OSError) as exc:
            raise ClusterError(f"no Dask worker joined the scheduler at {self.address} within "
                               f"{WORKER_WAIT_SECONDS:.0f} s") from exc
        plugin = CoderPlugin(spec)
        self.client.register_plugin(plugin, name=plugin.name)
        return plugin.name

    def visible(self, paths: list[str]) -> set[str]:
        """The local files every worker sees as this process does (same size and modification
        time at the same path: a shared file system, or workers on this machine)."""
        if not paths:
            return set()
        here = _stamps(paths)
        there = self.client.run(_stamps, paths)
        if not there:
            return set()
        return {p for p in paths if here[p] is not None and all(seen.get(p) == here[p] for seen in there.values())}

    def sees_folder(self, folder: str) -> bool:
        """Whether every worker can write shards into ``folder`` itself: an fsspec URL, or a
        local folder the workers see (a probe file written here is read there)."""
        from tieline.distributed.partitions import fsspec_url

        if fsspec_url(folder):
            return True
        Path(folder).mkdir(parents=True, exist_ok=True)
        probe = Path(folder, f".tieline-probe-{uuid.uuid4().hex}")
        token = uuid.uuid4().hex
        probe.write_text(token, encoding="utf-8")
        try:
            read = self.client.run(_read_probe, str(probe.resolve()))
        finally:
            probe.unlink()
        return bool(read) and all(value == token for value in read.values())

    def close(self) -> None:
        with contextlib.suppress(OSError, TimeoutError):  # a scheduler already gone has nothing to close
            self.client.close()
        if self.local is not None:
            self.local.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("", port))
        except OSError:
            return False
    return True


def connect(address: str, *, dashboard_address: str = ":8787", timeout: float = CONNECT_SECONDS) -> Cluster:
    """Join the scheduler at ``address`` (``tcp://host:8786``, or the scheduler file that ``dask
    scheduler --scheduler-file`` wrote), or start ``local:N``, a cluster of N worker processes on
    this machine with one thread each. ``timeout``: seconds to reach
    the scheduler; ``dashboard_address``: where a local cluster serves its dashboard (":0": any
    free port).

    Raises:
        ClusterError: the address is neither, or the scheduler cannot be reached.
    """
    local = LOCAL.match(address.strip())
    if local:
        workers = int(local.group(1))
        if workers < 1:
            raise ClusterError(f"{address}: a local cluster has 1 worker or more")
        port = dashboard_address.rpartition(":")[2]
        if port.isdigit() and int(port) and not _free(int(port)):  # Dask would warn, and take another port
            dashboard_address = ":0"
        try:  # a script that starts one must guard its main code with `if __name__ == "__main__":`
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                               dashboard_address=dashboard_address, silence_logs=logging.ERROR)
        except (OSError, RuntimeError, TimeoutError) as exc:
            raise ClusterError(f"{address}: the local cluster did not start: {exc}") from exc
        try:
            client = distributed.Client(cluster, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            cluster.close()
            raise ClusterError(f"{address}: the local cluster did not start: {exc}") from exc
        return Cluster(client, address, cluster)
    scheduler_file = address.strip().endswith(".json") and Path(address.strip()).is_file()
    if not scheduler_file and not SCHEDULER.match(address.strip()):
        raise ClusterError(f"--dask takes a scheduler address (tcp://HOST:8786), a scheduler file (scheduler.json) "
                           f"or local:N, not {address!r}")
    try:
        client = (distributed.Client(scheduler_file=address.strip(), timeout=timeout, set_as_default=False)
                  if scheduler_file else distributed.Client(address.strip(), timeout=timeout, set_as_default=False))
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} (is `dask scheduler` running "
                           f"there?): {exc}") from exc
    return Cluster(client, address)
