"""The models, one aggregate per module, re-exported for convenience."""

from portal.models.admin import EXPORT_STATES, AdminUser, DataDeletion, LeadExport
from portal.models.delivery import (
    DELIVERY_STATES,
    DESTINATION_KINDS,
    Delivery,
    DeliveryAttempt,
    Destination,
)
from portal.models.geo import ZipCode
from portal.models.inbox import (
    CONTACT_TOPICS,
    PRIVACY_REQUEST_KINDS,
    ContactMessage,
    PrivacyRequest,
)
from portal.models.lead import LEAD_STATUSES, Lead
from portal.models.program import (
    CREDENTIAL_LEVELS,
    DEFAULT_RESPONSE_HOURS,
    MAX_BID_CENTS,
    MAX_RESPONSE_HOURS,
    MAX_START_DATES,
    MAX_TUITION_CENTS,
    MODALITIES,
    SCHEDULE_NAMES,
    SCHEDULES,
    Campus,
    Program,
    ProgramDetails,
    ProgramState,
    School,
    Sponsorship,
    SponsorshipTerms,
    program_details,
)
from portal.models.search_log import SearchLog
from portal.models.types import DB_INT_MAX, UTCDateTime, today_utc, utcnow

__all__ = [
    "CONTACT_TOPICS",
    "CREDENTIAL_LEVELS",
    "DB_INT_MAX",
    "DEFAULT_RESPONSE_HOURS",
    "DELIVERY_STATES",
    "DESTINATION_KINDS",
    "EXPORT_STATES",
    "LEAD_STATUSES",
    "MAX_BID_CENTS",
    "MAX_RESPONSE_HOURS",
    "MAX_START_DATES",
    "MAX_TUITION_CENTS",
    "MODALITIES",
    "PRIVACY_REQUEST_KINDS",
    "SCHEDULE_NAMES",
    "SCHEDULES",
    "AdminUser",
    "Campus",
    "ContactMessage",
    "DataDeletion",
    "Delivery",
    "DeliveryAttempt",
    "Destination",
    "Lead",
    "LeadExport",
    "PrivacyRequest",
    "Program",
    "ProgramDetails",
    "ProgramState",
    "School",
    "SearchLog",
    "Sponsorship",
    "SponsorshipTerms",
    "UTCDateTime",
    "ZipCode",
    "program_details",
    "today_utc",
    "utcnow",
]
