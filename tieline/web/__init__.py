"""The web app and HTTP API over an event database (``tieline serve``)."""

from tieline.web.app import create_app

__all__ = ["create_app"]
