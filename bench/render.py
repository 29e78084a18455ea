"""Benchmark: the cost of rendering one send (template + CSS inlined by premailer), with and without sharing
each stylesheet's parsed rules between sends (`hti_comms.delivery.inlining.SharedRulesPremailer`).

Run with `make bench` or `.venv/bin/python bench/render.py [--repeat N]`. A send is rendered once, whatever the
number of recipients, so this is a cost per send (a newsletter) or per brief (290 local briefs a year).
"Rebuilt" empties the shared rules before every render, which is what premailer alone does.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HTI_ENV", "development")


def per_render(render, repeat: int, *, share: bool) -> float:
    """Return the median seconds of one render over `repeat` renders."""
    from hti_comms.delivery.inlining import SharedRulesPremailer

    SharedRulesPremailer.forget()
    render()  # templates compiled and (when sharing) the rules made, outside the figures
    times = []
    for _ in range(repeat):
        if not share:
            SharedRulesPremailer.forget()
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="renders of each kind (default 200)")
    repeat = parser.parse_args().repeat

    from flask_migrate import upgrade

    from hti_comms import create_app
    from hti_comms.briefs.emails import render_local_brief_html
    from hti_comms.briefs.talking_points import build_talking_points
    from hti_comms.delivery.render import render_template_pair
    from hti_comms.extensions import db
    from hti_comms.geo.services import load_reference_data, municipalities_by_code
    from hti_comms.results.services import load_demo_results

    with tempfile.TemporaryDirectory() as directory:
        app = create_app({"DATABASE_URL": f"sqlite:///{directory}/bench.db"})
        with app.app_context():
            upgrade(x_arg="quiet=1")
            load_reference_data()
            year = load_demo_results()[-1]
            points = build_talking_points(municipalities_by_code()["0114"], year)
            kinds = {
                # The list email bench/delivery.py sends to 100,000 recipients.
                "list email (delivery/test)": lambda: render_template_pair(
                    "delivery/test", {"sent_by": "SPF Seniorerna", "note": "Förbeställ rapportpaketet nu."},
                    subject="Hemtjänstindex nyhetsbrev #13", list_key="nyhetsbrev"),
                "local brief (briefs/local_brief)": lambda: render_local_brief_html(points),
            }
            for name, render in kinds.items():
                shared = per_render(render, repeat, share=True)
                rebuilt = per_render(render, repeat, share=False)
                print(f"{name}: {shared * 1000:.2f} ms per render with shared rules, {rebuilt * 1000:.2f} ms "
                      f"rebuilt each time ({rebuilt / shared:.1f}×; median of {repeat})")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
