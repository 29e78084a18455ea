"""Import every domain's models so that SQLAlchemy's metadata (and Alembic) sees all tables."""
from .auth.models import StaffUser  # noqa: F401
from .geo.models import County, District, Municipality  # noqa: F401
from .results.models import IndexResult, ResultSet  # noqa: F401
from .delivery.models import OutboxMessage, Send, SendAttachment, SinkMessage, Suppression  # noqa: F401
from .scheduling.models import SchedulerState  # noqa: F401
from .subscribers.models import (  # noqa: F401
    Affiliation, Audience, Contact, ContactImport, ConsentEvent, Erasure, MailingList, Subscription)
