"""Package metadata: the one source of the version."""

__title__ = "tieline"
__version__ = "0.1.0"
