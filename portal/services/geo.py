"""ZIP codes: loading them from the `zipcodes` package, looking them up, and distances.

The ZIP table is reference data that only `load-zips` changes (it only adds), so each process
reads it once, on its first lookup, and answers later lookups from memory (about 42,000 small
rows, some 10 MB): a search then needs no query for its ZIP. A ZIP missing from that copy is
looked up in the database again, so one loaded later is found too.
"""

import math
import re
import threading
from dataclasses import dataclass

import zipcodes
from sqlalchemy import insert, select

from portal.extensions import db
from portal.models import ZipCode

EARTH_RADIUS_MILES = 3958.7613  # mean Earth radius (IUGG), in statute miles
ZIP_PATTERN = re.compile(r"\d{5}")


class InvalidZip(ValueError):
    """The text is not a five-digit ZIP code."""


class UnknownZip(LookupError):
    """A well-formed ZIP code that is not in the ZIP table."""


def load_zip_codes(batch_size: int = 5000) -> int:
    """Insert every ZIP of the `zipcodes` package not yet in the table; return how many.

    Idempotent: a second run inserts nothing. Rows go in as bulk inserts, not ORM objects.
    """
    existing = set(db.session.scalars(select(ZipCode.code)))
    rows = [
        {
            "code": z["zip_code"],
            "city": z["city"],
            "state": z["state"],
            "latitude": float(z["lat"]),
            "longitude": float(z["long"]),
        }
        for z in zipcodes.list_all()
        if z["zip_code"] not in existing and z["lat"] and z["long"]
    ]
    for start in range(0, len(rows), batch_size):
        db.session.execute(insert(ZipCode), rows[start : start + batch_size])
    db.session.commit()
    return len(rows)


def normalise_zip(text: str | None) -> str:
    """Return the five-digit ZIP in `text` (a ZIP+4 keeps its first five), or raise InvalidZip."""
    value = (text or "").strip()
    if len(value) == 10 and value[5] == "-" and value[6:].isdigit():
        value = value[:5]
    if not ZIP_PATTERN.fullmatch(value) or not value.isascii():
        raise InvalidZip("Enter a 5-digit ZIP code, like 60601.")
    return value


@dataclass(frozen=True, slots=True)
class ZipPoint:
    """A ZIP code where a search starts: its centre, city and state (as a ZipCode row has)."""

    code: str
    city: str
    state: str
    latitude: float
    longitude: float


# This process's copies of the ZIP table, one per database (the tests use several).
_TABLES: dict[str, dict[str, ZipPoint]] = {}
_LOADING = threading.Lock()
_COLUMNS = (ZipCode.code, ZipCode.city, ZipCode.state, ZipCode.latitude, ZipCode.longitude)


def _zip_table() -> dict[str, ZipPoint]:
    """This process's copy of the ZIP table of the app's database, read on first use."""
    key = db.engine.url.render_as_string(hide_password=True)
    table = _TABLES.get(key)
    if table is None:
        with _LOADING:
            table = _TABLES.get(key)
            if table is None:
                rows = db.session.execute(select(*_COLUMNS))
                table = _TABLES[key] = {row.code: ZipPoint(*row) for row in rows}
    return table


def find_zip(text: str | None) -> ZipPoint:
    """Return the ZIP code for `text`, raising InvalidZip or UnknownZip with a visitor's message."""
    code = normalise_zip(text)
    table = _zip_table()
    point = table.get(code)
    if point is None:
        row = db.session.execute(select(*_COLUMNS).where(ZipCode.code == code)).first()
        if row is None:
            raise UnknownZip(f"We don't know the ZIP code {code}. Please check it and try again.")
        point = table[code] = ZipPoint(*row)
    return point


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles between two points (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BoundingBox:
    """A latitude/longitude rectangle that contains a circle, for an index range scan."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def bounding_box(lat: float, lon: float, miles: float) -> BoundingBox:
    """The smallest lat/lon box holding every point within `miles` of (lat, lon)."""
    dlat = math.degrees(miles / EARTH_RADIUS_MILES)
    # The circle is widest in longitude at the latitude nearest a pole it reaches.
    widest = min(89.9, abs(lat) + dlat)
    dlon = math.degrees(miles / (EARTH_RADIUS_MILES * math.cos(math.radians(widest))))
    if lon - dlon < -180 or lon + dlon > 180:
        # The circle crosses the antimeridian: take every longitude in the latitude band.
        return BoundingBox(lat - dlat, lat + dlat, -180.0, 180.0)
    return BoundingBox(lat - dlat, lat + dlat, lon - dlon, lon + dlon)
