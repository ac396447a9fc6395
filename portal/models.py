"""Every area's tables, imported in one place so Alembic and the tests see the whole schema."""

from sqlmodel import SQLModel

from portal.accounts.models import PasswordReset, User, UserSession  # noqa: F401
from portal.audit.models import AuditEntry  # noqa: F401
from portal.children.models import (  # noqa: F401
    Assessment,
    Child,
    ChildImport,
    ChildMove,
    Guardian,
    GuardianshipAgreement,
)
from portal.clues.models import Clue, ClueEvent  # noqa: F401
from portal.comparisons.models import Comparison, ComparisonRow, PartnerColumns  # noqa: F401
from portal.dashboards.models import DashboardSnapshot, PublicDashboard  # noqa: F401
from portal.disbursements.models import (  # noqa: F401
    BankColumns,
    BankImport,
    ChildBankAccount,
    DisbursementBatch,
    DisbursementClaim,
    Entitlement,
)
from portal.donations.models import (  # noqa: F401
    Donation,
    DonationAnomaly,
    DonationRefund,
    Receipt,
    ReceiptCounter,
    StripeEvent,
)
from portal.helpers.models import (  # noqa: F401
    Certificate,
    ContactVerification,
    HelperArea,
    HelperProfile,
    HelperSkill,
    Organization,
    OrganizationArea,
    OrganizationInvite,
    OrganizationMember,
    VettingEvent,
    VolunteerHours,
)
from portal.ledger.models import Account, Entry, Fund, LedgerTransaction  # noqa: F401
from portal.main.models import WorkerHeartbeat  # noqa: F401
from portal.matching.models import MatchInteraction  # noqa: F401
from portal.needs.models import (  # noqa: F401
    Claim,
    ClaimMessage,
    Delivery,
    DeliveryPhoto,
    Need,
    NeedChild,
    NeedEvent,
    NeedPolicy,
    PairingReport,
)
from portal.notifications.models import Notification, NotificationPreference  # noqa: F401
from portal.programmes.models import Programme, ProgrammeEnrolment  # noqa: F401
from portal.regions.models import Region  # noqa: F401
from portal.training.models import TrainingAttendance, TrainingMaterial, TrainingSession  # noqa: F401
from portal.visits.models import Visit, VisitPhoto, VisitPolicy  # noqa: F401

metadata = SQLModel.metadata
