"""Coding beyond one machine, on a Dask cluster (issue 12): ``--dask ADDRESS`` on ``tieline
code`` and ``tieline ingest``.

- :mod:`~tieline.distributed.cluster`: ``connect`` to a scheduler (``tcp://host:8786``) or start
  ``local:N``; the worker plugin that builds each worker's Coder once.
- :mod:`~tieline.distributed.partitions`: inputs cut into partitions in input order; files every
  worker sees are read there, the rest here and sent.
- :mod:`~tieline.distributed.run`: :class:`DaskCoder`, which submits partitions and gives back
  their results in order, or writes them as shards.
- :mod:`~tieline.distributed.shards`: Parquet shards of coded documents, written and loaded into
  a store (no Dask needed).

Only ``cluster`` and ``run`` import Dask, and only when imported. Example::

    from tieline.distributed.cluster import connect
    from tieline.distributed.run import DaskCoder
    from tieline.workers import CoderSpec
    with connect("local:2") as cluster:
        coder = DaskCoder(cluster, CoderSpec())
        for coded in coder.code_inputs(["news.jsonl.gz"]):
            ...
"""
