"""US ZIP codes with their centre points, loaded from the `zipcodes` package."""

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class ZipCode(db.Model):
    """A five-digit US ZIP code with its city, state and centre coordinates."""

    __tablename__ = "zip_code"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    city: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(2), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<ZipCode {self.code} {self.city}, {self.state}>"
