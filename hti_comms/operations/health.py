"""GET /healthz (JSON, 200 or 503 naming what is wrong) and GET /metrics (Prometheus, from 127.0.0.1 or a token)."""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, jsonify, request

from .checks import health

bp = Blueprint("operations", __name__)

LOOPBACK = frozenset({"127.0.0.1", "::1"})


@bp.route("/healthz")
def healthz():
    result = health()
    response = jsonify(result.as_json())
    response.status_code = 503 if result.problems else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def _from_this_machine() -> bool:
    """Return whether the request comes from this machine itself (not through a proxy on it for someone else)."""
    if request.remote_addr not in LOOPBACK:
        return False
    # Without TRUSTED_PROXIES, a proxy on this machine makes every visitor look local: its header tells them apart.
    return bool(current_app.config["TRUSTED_PROXIES"]) or "X-Forwarded-For" not in request.headers


def _has_token() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@bp.route("/metrics")
def metrics():
    if not (_from_this_machine() or _has_token()):
        return Response("Mätvärdena visas bara från servern själv eller med rätt nyckel (METRICS_TOKEN).\n",
                        status=403, mimetype="text/plain", headers={"Cache-Control": "no-store"})
    from prometheus_client import CONTENT_TYPE_LATEST

    from .metrics import render

    return Response(render(), headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})
