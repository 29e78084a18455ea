"""Benchmark: talking points and inlined HTML briefs for all 290 municipalities, then all 290 charts and PDFs
(made and kept, as the staff pages and sends do), then every brief page's renderings again from what was kept.

Run with `make bench` or `.venv/bin/python bench/briefs.py`. Loads the demo results into a temporary SQLite
database of its own; prints the figures (target: points + inlined HTML for all 290 in under 1 s).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HTI_ENV", "development")


def main() -> None:
    from flask_migrate import upgrade

    from hti_comms import create_app
    from hti_comms.briefs import renderings
    from hti_comms.briefs.emails import local_brief_preview, render_local_brief_html
    from hti_comms.briefs.talking_points import build_talking_points
    from hti_comms.extensions import db
    from hti_comms.geo.services import load_reference_data, municipalities_by_code
    from hti_comms.results.ranking import compute_ranking
    from hti_comms.results.services import load_demo_results

    with tempfile.TemporaryDirectory() as directory:
        app = create_app({"DATABASE_URL": f"sqlite:///{directory}/bench.db"})
        with app.app_context():
            upgrade(x_arg="quiet=1")
            load_reference_data()
            year = load_demo_results()[-1]
            municipalities = sorted(municipalities_by_code().values(), key=lambda m: m.code)
            db.session.expire_all()

            start = time.perf_counter()
            ranking = compute_ranking(year)
            all_points = [build_talking_points(m, year, ranking) for m in municipalities]
            points_done = time.perf_counter()
            html = [render_local_brief_html(points) for points in all_points]
            html_done = time.perf_counter()
            total = html_done - start
            print(f"Talking points for {len(all_points)} municipalities (one ranking computation): "
                  f"{points_done - start:.3f} s")
            print(f"Inlined HTML briefs for {len(html)} municipalities: {html_done - points_done:.3f} s "
                  f"(average {len(''.join(html)) // len(html)} characters)")
            print(f"Talking points + inlined HTML, all {len(html)}: {total:.3f} s "
                  f"({'within' if total < 1 else 'OVER'} the 1 s target)")

            start = time.perf_counter()
            charts = [renderings.chart_png(p) for p in all_points]
            db.session.commit()
            charts_done = time.perf_counter()
            pdfs = [renderings.brief_pdf(p) for p in all_points]  # each with its kept chart
            db.session.commit()
            pdfs_done = time.perf_counter()
            print(f"Bar charts (PNG) for {len(charts)} municipalities, drawn and kept: {charts_done - start:.2f} s "
                  f"(average {sum(map(len, charts)) // len(charts) // 1024} KiB)")
            print(f"PDF briefs for {len(pdfs)} municipalities, made and kept: {pdfs_done - charts_done:.2f} s "
                  f"({(pdfs_done - charts_done) / len(pdfs) * 1000:.0f} ms each, "
                  f"average {sum(map(len, pdfs)) // len(pdfs) // 1024} KiB)")
            print(f"Charts + PDFs, all {len(pdfs)}: {pdfs_done - start:.2f} s")

            # A brief page's first view inlines its email (the chart is kept by now); later views read it all.
            start = time.perf_counter()
            for points in all_points:
                local_brief_preview(points)
            db.session.commit()
            first_done = time.perf_counter()
            for points in all_points:
                local_brief_preview(points)
                renderings.brief_pdf(points)
            db.session.commit()
            again_done = time.perf_counter()
            print(f"Brief page previews, first view (email inlined and kept), all {len(all_points)}: "
                  f"{first_done - start:.2f} s")
            print(f"Brief page previews + PDFs again, from the kept renderings, all {len(all_points)}: "
                  f"{again_done - first_done:.2f} s ({(again_done - first_done) / len(all_points) * 1000:.1f} ms each)")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
