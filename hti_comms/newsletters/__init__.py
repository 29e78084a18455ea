"""Numbered newsletters and circulars: compose, check, preview, test, schedule, send, archive, click counts."""
from ..domain import Domain, MenuEntry

DOMAIN = Domain(
    package=__name__,
    overview=(".overview:next_newsletters",),
    models=(".models",),
    blueprints=(".views:bp", ".admin:bp"),
    menu=(MenuEntry("newsletters_admin.index", "Nyhetsbrev"),),
    commands=(".cli",),
    sweeps=(".sweeps",),
    send_kinds={
        "newsletter": "Nyhetsbrev",
        "circular": "Cirkulär",
        "newsletter_test": "Provutskick av nyhetsbrev",
        "circular_test": "Provutskick av cirkulär",
    },
    send_references={"newsletter": ".admin:describe_send"},
    demo_data=".demo:load",
    link_history=(".clicks:sent_addresses",),
)
