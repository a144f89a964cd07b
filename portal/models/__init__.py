"""The models, one aggregate per module, re-exported for convenience."""

from portal.models.admin import (
    EXPORT_COLUMN_SETS,
    EXPORT_STATES,
    AdminUser,
    DataDeletion,
    LeadExport,
    LeadExportItem,
)
from portal.models.delivery import (
    DELIVERY_STATES,
    DESTINATION_KINDS,
    Delivery,
    DeliveryAttempt,
    Destination,
)
from portal.models.geo import ZipCode
from portal.models.lead import LEAD_STATUSES, REJECT_REASONS, Lead, LeadNote, LeadStatusChange
from portal.models.program import (
    CREDENTIAL_LEVELS,
    MAX_BID_CENTS,
    MODALITIES,
    Campus,
    Program,
    ProgramState,
    School,
    Sponsorship,
    SponsorshipTerms,
)
from portal.models.search_log import SearchLog
from portal.models.types import DB_INT_MAX, UTCDateTime, today_utc, utcnow

__all__ = [
    "CREDENTIAL_LEVELS",
    "DB_INT_MAX",
    "DELIVERY_STATES",
    "DESTINATION_KINDS",
    "EXPORT_COLUMN_SETS",
    "EXPORT_STATES",
    "LEAD_STATUSES",
    "MAX_BID_CENTS",
    "MODALITIES",
    "REJECT_REASONS",
    "AdminUser",
    "Campus",
    "DataDeletion",
    "Delivery",
    "DeliveryAttempt",
    "Destination",
    "Lead",
    "LeadExport",
    "LeadExportItem",
    "LeadNote",
    "LeadStatusChange",
    "Program",
    "ProgramState",
    "School",
    "SearchLog",
    "Sponsorship",
    "SponsorshipTerms",
    "UTCDateTime",
    "ZipCode",
    "today_utc",
    "utcnow",
]
