"""Figures of docs/distributed.md (issue 12): stories/s per Dask worker, and the scheduler's
overhead per partition.

Run from the repository root (needs ``pip install -e '.[dask]'``):

    python benchmarks/dask_scale.py throughput [--corpus PATH] [--n 500] [--dask local:1]
                                                [--partition-size 100] [--events auto]
    python benchmarks/dask_scale.py overhead [--dask local:2] [--partitions 1000]
    python benchmarks/dask_scale.py client [--corpus PATH] [--n 500]

``throughput`` writes the first N stories with text of a JSONL(.gz) corpus (default
../shared/data/news_corpus/reuters21578.jsonl.gz) to a temporary file, has the cluster's workers
load the model, then times ``DaskCoder.code_inputs`` over the file (the workers read it, as
``tieline code FILE --dask ADDRESS`` does): stories/s in all and per worker. ``overhead`` sends
empty partitions through the same path (submission, the worker plugin, results in order) and
prints the seconds per partition: what the scheduler and tieline add to each task. ``client``
times, per story, what the client does in a run that brings the records back (no cluster: the
stories are coded once in this process, rules only): pickling a partition's stories to send them
and unpickling the coded documents that come back (as Dask does, network left out), writing them
as JSON lines (``code --dask``), and storing them through the one writer (``ingest --dask``).
Starting the cluster and loading the model are never timed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

from tieline.distributed.cluster import connect
from tieline.distributed.partitions import Partition
from tieline.distributed.run import DaskCoder, code_partition
from tieline.settings import DEFAULTS
from tieline.workers import CoderSpec

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "data" / "news_corpus" / "reuters21578.jsonl.gz"


def _spec(events: str) -> CoderSpec:
    return CoderSpec(None, DEFAULTS["batch_size"], (), (), (("event_source", events),))


def _subset(corpus: Path, n: int, folder: str) -> Path:
    path = Path(folder, f"first-{n}.jsonl")
    written = 0
    with gzip.open(corpus, "rt", encoding="utf-8") if corpus.suffix == ".gz" else corpus.open(encoding="utf-8") as f, \
            path.open("w", encoding="utf-8") as out:
        for line in f:
            if written >= n:
                break
            if line.strip() and (json.loads(line).get("text") or "").strip():
                out.write(line)
                written += 1
    return path


def throughput(args: argparse.Namespace) -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory() as folder, connect(args.dask, dashboard_address=":0") as cluster:
        path = _subset(Path(args.corpus), args.n, folder)
        coder = DaskCoder(cluster, _spec(args.events), partition_documents=args.partition_size)
        workers = cluster.workers()
        start = time.perf_counter()
        coded = sum(1 for item in coder.code_inputs([str(path)]) if hasattr(item, "records"))
        seconds = time.perf_counter() - start
    return {"dask": args.dask, "events": args.events, "stories": coded, "workers": workers,
            "partition_size": args.partition_size, "seconds": round(seconds, 2),
            "stories_per_s": round(coded / seconds, 2), "stories_per_s_per_worker": round(coded / seconds / workers, 2)}


def overhead(args: argparse.Namespace) -> dict[str, float | int | str]:
    with connect(args.dask, dashboard_address=":0") as cluster:
        coder = DaskCoder(cluster, _spec("rules"))
        workers = cluster.workers()
        empty = [Partition(n, 0) for n in range(args.partitions)]
        list(coder._run(empty[:50], code_partition))  # warm up: connections, imports on the workers
        start = time.perf_counter()
        done = sum(1 for _ in coder._run(empty, code_partition))
        seconds = time.perf_counter() - start
    return {"dask": args.dask, "workers": workers, "partitions": done, "seconds": round(seconds, 2),
            "ms_per_partition": round(1000 * seconds / done, 2),
            "ms_per_partition_per_worker": round(1000 * seconds * workers / done, 2)}


def client(args: argparse.Namespace) -> dict[str, float | int | str]:
    import io
    import pickle

    from tieline.cli.output import write_records
    from tieline.read import read_documents
    from tieline.store import Store

    with tempfile.TemporaryDirectory() as folder:
        items = list(read_documents([str(_subset(Path(args.corpus), args.n, folder))]))
        coded = [c for c in _spec("rules").build().code_documents(items) if hasattr(c, "records")]
        n = len(coded)

        def timed(work) -> float:
            start = time.perf_counter()
            work()
            return round(1e6 * (time.perf_counter() - start) / n, 1)

        send = timed(lambda: [pickle.loads(pickle.dumps(items[i:i + 100], protocol=5)) for i in range(0, len(items), 100)])
        back = timed(lambda: [pickle.loads(pickle.dumps(coded[i:i + 100], protocol=5)) for i in range(0, n, 100)])
        jsonl = timed(lambda: write_records((r.to_dict() for c in coded for r in c.records), "jsonl", io.StringIO()))
        with Store(Path(folder, "w.duckdb")) as store:
            write = timed(lambda: store.write(coded))
    return {"stories": n, "events": sum(len(c.records) for c in coded), "us_send": send, "us_receive": back,
            "us_jsonl": jsonl, "us_store_write": write,
            "stories_per_s_code_client": round(1e6 / (send + back + jsonl)),
            "stories_per_s_ingest_client": round(1e6 / (send + back + write))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    run = sub.add_parser("throughput")
    run.add_argument("--corpus", default=str(CORPUS))
    run.add_argument("--n", type=int, default=500)
    run.add_argument("--dask", default="local:1")
    run.add_argument("--partition-size", type=int, default=100)
    run.add_argument("--events", default="auto")
    cost = sub.add_parser("overhead")
    cost.add_argument("--dask", default="local:2")
    cost.add_argument("--partitions", type=int, default=1000)
    side = sub.add_parser("client")
    side.add_argument("--corpus", default=str(CORPUS))
    side.add_argument("--n", type=int, default=500)
    args = parser.parse_args(argv)
    if args.what != "overhead" and not Path(args.corpus).is_file():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    result = {"throughput": throughput, "overhead": overhead, "client": client}[args.what](args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":  # worker processes are spawned: they import this file without running it
    sys.exit(main())
