"""ZIP lookups and distances between real ZIP codes."""

import math

import pytest

from portal.extensions import db
from portal.models import ZipCode
from portal.services.geo import (
    EARTH_RADIUS_MILES,
    InvalidZip,
    UnknownZip,
    distance_miles,
    find_zip,
    normalise_zip,
)

# Great-circle distances between ZIP centres (the `zipcodes` coordinates), worked out with
# the spherical law of cosines in the Vincenty (atan2) form on a sphere of 3958.7613 miles.
KNOWN_MILES = [
    ("10001", "90012", 2445.4),  # New York - Los Angeles
    ("60601", "53202", 81.7),  # Chicago - Milwaukee
    ("02108", "20001", 392.2),  # Boston - Washington
    ("98101", "99501", 1433.5),  # Seattle - Anchorage
    ("33130", "96813", 4855.4),  # Miami - Honolulu
    ("60601", "60614", 3.0),  # Chicago Loop - Lincoln Park
]


def vincenty_sphere(lat1, lon1, lat2, lon2) -> float:
    """An independent great-circle formula (atan2 form), for cross-checking the haversine."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.hypot(
        math.cos(p2) * math.sin(dl),
        math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl),
    )
    x = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return EARTH_RADIUS_MILES * math.atan2(y, x)


@pytest.mark.parametrize(("a", "b", "miles"), KNOWN_MILES)
def test_known_distances_between_real_zips(app, a, b, miles):
    with app.app_context():
        za, zb = db.session.get(ZipCode, a), db.session.get(ZipCode, b)
        computed = distance_miles(za.latitude, za.longitude, zb.latitude, zb.longitude)
        assert computed == pytest.approx(miles, abs=0.05)
        independent = vincenty_sphere(za.latitude, za.longitude, zb.latitude, zb.longitude)
        assert computed == pytest.approx(independent, rel=1e-9, abs=1e-9)
        assert distance_miles(zb.latitude, zb.longitude, za.latitude, za.longitude) == computed


def test_one_degree_of_latitude_is_69_miles():
    assert distance_miles(0, 0, 1, 0) == pytest.approx(69.09, abs=0.01)
    assert distance_miles(40, -100, 40, -100) == 0


@pytest.mark.parametrize(
    ("text", "code"), [("60601", "60601"), (" 02108 ", "02108"), ("60601-1234", "60601")]
)
def test_normalise_zip_accepts_zip_and_zip_plus_four(text, code):
    assert normalise_zip(text) == code


@pytest.mark.parametrize("text", [None, "", "6060", "606012", "6060a", "60601-12", "٦٠٦٠١"])
def test_normalise_zip_rejects_malformed_text(text):
    with pytest.raises(InvalidZip, match="5-digit"):
        normalise_zip(text)


def test_find_zip_knows_real_zips_only(app):
    with app.app_context():
        assert find_zip("60601").city == "Chicago"
        with pytest.raises(UnknownZip, match="00000"):
            find_zip("00000")
