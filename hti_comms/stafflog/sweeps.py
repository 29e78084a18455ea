"""Delete staff log rows older than STAFF_LOG_RETENTION_YEARS (once an hour; idempotent)."""
from ..scheduling.sweeps import sweep
from .services import delete_expired


@sweep("staff-log-retention", every_seconds=3600)
def delete_old_log_rows() -> int:
    return delete_expired()
