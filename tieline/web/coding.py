"""Coding pasted text for the web app, in worker processes bounded in number, queue and time.

The spaCy model lives in a worker process, not in the server (issue 9): spaCy holds the GIL for
much of its work, which starved every other request, and a thread cannot be stopped, while a
process can be killed at its deadline. A worker starts, and loads the model, on the first story
pasted; a worker killed at its deadline is started again on the next story. At most
``workers + queue_size`` requests are admitted at once; the others are refused at once with 503 and
Retry-After, and an admitted request waits at most ``timeout`` seconds for a worker.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from fastapi import HTTPException

from tieline.errors import TielineError
from tieline.types import Document, Problem

log = logging.getLogger("tieline.web")

CODE_WORKERS = 1  # worker processes; each holds its own spaCy model
CODE_QUEUE = 4  # requests that may wait for a busy worker; more are refused with 503
CODE_TIMEOUT_S = 30.0  # the longest a request waits for a worker, and the longest one story may take to code
MODEL_LOAD_TIMEOUT_S = 120.0  # the longest a worker may take to start and load the model
STOP_GRACE_S = 2.0  # after SIGTERM, how long a worker has before SIGKILL
PASTED_ID = "pasted"


@dataclass(frozen=True)
class CodingResult:
    """What one pasted story gave: its event records, and the problems met coding it."""

    records: list[dict[str, Any]]
    problems: list[dict[str, Any]]


def load_coder() -> Any:
    """The default coder of a worker process: the default model, the built-in tables."""
    from tieline.parse import load_nlp
    from tieline.pipeline import Coder

    return Coder(load_nlp())


class CodingPool:
    """Codes pasted stories in worker processes; ``code`` answers or raises HTTPException (503, 504).

    Args:
        workers: worker processes at most (each started on first need).
        queue_size: requests that may wait for a worker beyond those being coded.
        timeout: seconds a request may wait for a worker, and seconds a story may take to code.
        load_timeout: seconds a new worker may take to load its model.
        make_coder: builds the coder in the worker process (a picklable module-level callable);
            the coder's ``code_documents(documents)`` yields CodedDocument or Problem.
    """

    def __init__(self, *, workers: int = CODE_WORKERS, queue_size: int = CODE_QUEUE,
                 timeout: float = CODE_TIMEOUT_S, load_timeout: float = MODEL_LOAD_TIMEOUT_S,
                 make_coder: Callable[[], Any] = load_coder) -> None:
        if workers < 1 or queue_size < 0 or timeout <= 0 or load_timeout <= 0:
            raise ValueError("a pool needs workers >= 1, queue_size >= 0 and positive timeouts")
        self.timeout, self.load_timeout = timeout, load_timeout
        self._admitted = threading.BoundedSemaphore(workers + queue_size)
        self._workers = [_Worker(make_coder) for _ in range(workers)]
        # last in, first out: the worker whose model is loaded is taken again before a cold one
        self._idle: queue.LifoQueue[_Worker] = _lifo(self._workers)

    @property
    def retry_after(self) -> str:
        """Seconds a refused client should wait, for the Retry-After header."""
        return str(math.ceil(self.timeout))

    def code(self, text: str, date: dt.date | None) -> CodingResult:
        """The records and problems of one story, coded by a worker within the deadline."""
        if not self._admitted.acquire(blocking=False):
            raise HTTPException(503, f"busy coding other stories; try again in {self.retry_after} s",
                                headers={"Retry-After": self.retry_after})
        try:
            try:
                worker = self._idle.get(timeout=self.timeout)
            except queue.Empty:
                raise HTTPException(503, f"no coding worker came free within {self.retry_after} s; try again",
                                    headers={"Retry-After": self.retry_after}) from None
            try:
                return worker.code(text, date, timeout=self.timeout, load_timeout=self.load_timeout)
            finally:
                self._idle.put(worker)
        finally:
            self._admitted.release()

    def running(self) -> list[int]:
        """The process ids of the live workers."""
        return [w.process.pid for w in self._workers if w.process is not None and w.alive()]

    def close(self) -> None:
        """Stops every worker (a later story would start one again, as the first did)."""
        for worker in self._workers:
            worker.stop()


def _lifo(workers: list[_Worker]) -> queue.LifoQueue[_Worker]:
    idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
    for worker in reversed(workers):
        idle.put(worker)
    return idle


class _Worker:
    """One worker process and the connection to it; used by one request at a time."""

    def __init__(self, make_coder: Callable[[], Any]) -> None:
        self.make_coder = make_coder
        self.process: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def code(self, text: str, date: dt.date | None, *, timeout: float, load_timeout: float) -> CodingResult:
        if not self.alive():
            self.start(load_timeout)
        conn = self.conn  # close() may clear self.conn from another thread meanwhile
        if conn is None:
            raise HTTPException(503, "the coding worker was stopped; try again")
        try:
            conn.send((text, date))
            answered = conn.poll(timeout)
            if answered:
                records, problems = conn.recv()
        except (OSError, EOFError) as exc:  # the worker died (killed, out of memory) or was stopped
            log.error("the coding worker stopped unexpectedly: %r", exc)
            self.stop()
            raise HTTPException(503, "the coding worker stopped unexpectedly; try again") from exc
        if not answered:
            log.warning("coding a pasted story took over %g s; its worker is stopped", timeout)
            self.stop()
            raise HTTPException(504, f"coding took longer than {timeout:g} s and was stopped; "
                                     "try a shorter story or shorter sentences")
        return CodingResult(records, problems)

    def start(self, load_timeout: float) -> None:
        """Starts the process and waits for its coder, up to ``load_timeout`` seconds."""
        self.stop()
        # A fresh interpreter, not fork (which would copy the server's threads and database
        # handle) nor multiprocessing's spawn (which re-runs the caller's main script); the
        # connection is a socket pair, so the worker sees EOF when the server goes.
        here, there = socket.socketpair()
        with there:
            process = subprocess.Popen([sys.executable, "-c", WORKER_COMMAND, str(there.fileno())],
                                       pass_fds=(there.fileno(),), stdin=subprocess.DEVNULL)
        conn = Connection(here.detach())
        self.process, self.conn = process, conn
        try:
            conn.send(list(sys.path))  # so that the worker finds make_coder where the server does
            conn.send(self.make_coder)
            message = conn.recv() if conn.poll(load_timeout) else None
        except (OSError, EOFError) as exc:
            self.stop()
            raise HTTPException(503, "the coding worker could not start; the server log has the details") from exc
        if message is None:
            self.stop()
            raise HTTPException(503, f"the model did not load within {load_timeout:g} s; try again")
        if message[0] != "ready":
            self.stop()
            raise HTTPException(503, f"coding is unavailable: {message[1]}")

    def stop(self) -> None:
        """Ends the process, if any: SIGTERM, then SIGKILL after a grace period."""
        process, conn = self.process, self.conn
        self.process = self.conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return
        process.terminate()
        try:
            process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- in the worker process --------------------------------------------------------------------

WORKER_COMMAND = "import sys; from tieline.web.coding import serve_worker; serve_worker(int(sys.argv[1]))"


def serve_worker(fd: int) -> None:
    """The worker's main: receive the server's sys.path and the coder's maker over the socket
    ``fd``, build the coder, then code each (text, date) received until the server goes."""
    # Ctrl-C reaches the whole process group: the server stops its workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    conn = Connection(fd)
    sys.path[:] = conn.recv()
    make_coder = conn.recv()
    try:
        coder = make_coder()
    except TielineError as exc:  # e.g. no model installed: the server says so
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            text, date = conn.recv()
        except EOFError:  # the server has gone (stopped, or killed)
            return
        conn.send(code_story(coder, text, date))


def _exit_with_parent(parent: int) -> None:
    """A server killed while its worker codes a story that never ends leaves no orphan."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)  # the main thread may be deep in spaCy: nothing softer would stop it


def code_story(coder: Any, text: str, date: dt.date | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records and problems (as dicts) of one pasted story."""
    document = Document(PASTED_ID, text, date)
    try:
        items = list(coder.code_documents([document]))
    except Exception as exc:  # one story's failure is its problem, never a 500 (issue 9)
        log.exception("coding a pasted story failed")
        items = [Problem(PASTED_ID, None, f"could not be coded ({type(exc).__name__}: {exc})", PASTED_ID)]
    records: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Problem):
            problems.append({"doc_id": item.doc_id or PASTED_ID, "reason": item.reason})
        else:
            records.extend(r.to_dict() for r in item.records)
    return records, problems
