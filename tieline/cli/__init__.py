"""The ``tieline`` command line: thin commands over the Python API.

``base`` holds the group, the settings file (``--config``: every command's defaults) and the
options commands share; ``output`` what they print; the commands are grouped by what they work
on: ``coding`` (code, ingest, eval, demo), ``stored`` (events, clusters, dedup, export, serve)
and ``analysis`` (dyad, partners, profile, timeline, network).
"""

from tieline.cli import analysis, coding, stored  # noqa: F401 -- each registers its commands
from tieline.cli.base import cli, main
from tieline.cli.stored import serve

__all__ = ["cli", "main", "serve"]
