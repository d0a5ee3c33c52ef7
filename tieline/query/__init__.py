"""Every read of stored events, in one place: the command line, the web app, analysis and export
read through here, so that a filter means the same everywhere (a party matches any member of a
compound party; negated events are left out unless asked for).

* :mod:`~tieline.query.events`: searches and listings of event records (:class:`EventQuery`);
* :mod:`~tieline.query.clusters`: de-duplicated events and their reports;
* :mod:`~tieline.query.frames`: the analysts' DataFrames (dyad, partners, profile, timeline, network);
* :mod:`~tieline.query.exports`: the rows of the export formats;
* :mod:`~tieline.query.sql`: date windows, confidence floors, a record with its story.

Every value is a bound parameter; column names never come from input.
"""

from tieline.query.clusters import cluster_counts, cluster_reports, clusters_by_record, list_clusters
from tieline.query.events import (
    EventQuery,
    all_events,
    count_events,
    countries_with_events,
    flat_events,
    frame_records,
    get_event,
    search_events,
    search_page,
    stats,
    top_dyads,
)
from tieline.query.sql import confidence_floor, date_window, record_window, with_document

__all__ = [
    "EventQuery",
    "all_events",
    "cluster_counts",
    "cluster_reports",
    "clusters_by_record",
    "confidence_floor",
    "count_events",
    "countries_with_events",
    "date_window",
    "flat_events",
    "frame_records",
    "get_event",
    "list_clusters",
    "record_window",
    "search_events",
    "search_page",
    "stats",
    "top_dyads",
    "with_document",
]
