"""The operations domain's routes for the accessibility checks: none of them is a page."""
from tests.a11y.registry import not_a_page

not_a_page("operations.healthz", "JSON for monitoring")
not_a_page("operations.metrics", "Prometheus' text format for monitoring")
