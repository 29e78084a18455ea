"""Outgoing email: outbox, rendering, MIME, SMTP sending, suppressions and the local mail sink."""
