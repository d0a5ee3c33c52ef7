"""Build tieline/data/shapes.json: country outlines for the event maps (issue 13).

Source: Natural Earth's 1:110m "admin 0 countries" (public domain), as the PyPI package
geopandas 0.14.4 ships it (``geopandas/datasets/naturalearth_lowres``; later versions dropped
it). The wheel is read as it is, with no geopandas installed: this script parses the shapefile's
polygons and its table's name and ISO3 columns itself, and writes each country's rings with
coordinates rounded to 0.1 degree (the scale of a world map), keyed by ISO3 code. Natural
Earth writes -99 for the ISO3 code of a few countries (France, Norway, Kosovo); they are found
by name in tieline/data/countries.csv.

Usage:
    pip download --no-deps geopandas==0.14.4 -d /tmp/ne
    python -m scripts.build_shapes /tmp/ne/geopandas-0.14.4-py3-none-any.whl
"""

from __future__ import annotations

import csv
import json
import struct
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tieline" / "data" / "shapes.json"
FOLDER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
POLYGON = 5  # the shapefile type of a polygon record
DIGITS = 1


def read_dbf(data: bytes) -> list[dict[str, str]]:
    """The rows of a dBASE III table (the shapefile's attributes), every value as text."""
    count, header_size, record_size = struct.unpack("<IHH", data[4:12])
    fields = []
    offset = 32
    while data[offset] != 0x0D:
        name = data[offset:offset + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, data[offset + 16]))
        offset += 32
    rows = []
    for n in range(count):
        start = header_size + n * record_size + 1  # after the deletion flag
        row = {}
        for name, size in fields:
            row[name] = data[start:start + size].decode("utf-8", "replace").strip()
            start += size
        rows.append(row)
    return rows


def read_polygons(data: bytes) -> list[list[list[tuple[float, float]]]]:
    """Each record's rings of (lon, lat) points, in the order of the records."""
    shapes = []
    offset = 100  # after the file header
    while offset < len(data):
        _, length = struct.unpack(">II", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + 2 * length]
        offset += 8 + 2 * length
        kind = struct.unpack("<i", body[:4])[0]
        if kind != POLYGON:
            shapes.append([])
            continue
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", body[44:44 + 4 * n_parts])) + [n_points]
        start = 44 + 4 * n_parts
        points = [struct.unpack("<dd", body[start + 16 * i:start + 16 * i + 16]) for i in range(n_points)]
        shapes.append([points[parts[i]:parts[i + 1]] for i in range(n_parts)])
    return shapes


def ring(points: list[tuple[float, float]]) -> list[list[float]]:
    """A ring rounded to the map's precision, with repeated points dropped."""
    out: list[list[float]] = []
    for lon, lat in points:
        point = [round(lon, DIGITS), round(lat, DIGITS)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        rows = read_dbf(archive.read(FOLDER + ".dbf"))
        shapes = read_polygons(archive.read(FOLDER + ".shp"))
    with (REPO / "tieline" / "data" / "countries.csv").open(encoding="utf-8") as table:
        by_name = {}
        for country in csv.DictReader(table):
            for name in (country["name"], *filter(None, country["aliases"].split("|"))):
                by_name[name.casefold()] = country["iso3"]
    countries: dict[str, list[list[list[float]]]] = {}
    unknown = []
    for row, rings in zip(rows, shapes, strict=True):
        code = row["iso_a3"] if row["iso_a3"] not in ("-99", "") else by_name.get(row["name"].casefold())
        if code is None:
            unknown.append(row["name"])
            continue
        countries.setdefault(code, []).extend(r for r in (ring(points) for points in rings) if len(r) >= 4)
    out = {"source": "Natural Earth 1:110m admin 0 countries (public domain), from geopandas 0.14.4's "
                     "naturalearth_lowres; built by scripts/build_shapes.py",
           "countries": dict(sorted(countries.items()))}
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(countries)} countries written to {OUT.relative_to(REPO)}"
          + (f"; not found by name: {', '.join(unknown)}" if unknown else ""))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
