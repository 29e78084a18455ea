"""gunicorn's settings for hti-comms, read when gunicorn starts in the project root (`gunicorn 'app:app'`).

Behind the TLS proxy the app listens on 127.0.0.1 only (gunicorn's default, 127.0.0.1:8000): with
TRUSTED_PROXIES set, anyone who reached its port directly could write X-Forwarded-For themselves. gunicorn is the
one that knows where it listens, so it checks once its sockets are bound (hti_comms/listening.py).
"""
import os


def when_ready(server):
    """Warn loudly when gunicorn listens where others can reach it while proxy headers are believed."""
    from hti_comms.config import ConfigError, trusted_proxy_count
    from hti_comms.listening import bind_warnings

    try:
        trusted_proxies = trusted_proxy_count(os.environ)
    except ConfigError:
        return  # every worker stops with the message that says what to set
    bound = [(listener.sock.family, listener.sock.getsockname()) for listener in server.LISTENERS]
    for warning in bind_warnings(bound, trusted_proxies):
        server.log.warning(warning)
