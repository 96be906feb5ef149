"""Sphinx extension of the book: the static controls of the chapters' explorers.

Listed in ``_config.yml`` (``sphinx: extra_extensions``). For an HTML build it

- tells the chapters' kernels, which inherit this process's environment, where to write
  precomputed frames (``$SNNCORE_EXPLORER_FRAMES``, a folder of the site) and which dask
  scheduler computes them (``$SNNCORE_EXPLORER_SCHEDULER``): one local cluster, one worker
  process per core, serves the whole build, so its workers start (and load the compiled
  kernels) once rather than once per explorer;
- ships the control's script and style sheet (``snncore/static/``);
- gives each page the relative address of the frames folder, so the site works from any
  folder and from ``file://``;
- removes frames that no page uses any more (from earlier builds).
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from sphinx.util.logging import getLogger

from .frames import FRAMES_ENV, NAME_LENGTH, REPORT_ENV, ROOT_TOKEN, SCHEDULER_ENV

FOLDER = "_explorers"
STATIC = Path(__file__).with_name("static")

_cluster: Any = None
logger = getLogger(__name__)


def _start(app: Any) -> None:
    global _cluster
    if app.builder.format != "html":
        return
    os.environ[FRAMES_ENV] = str(Path(app.outdir) / FOLDER)
    report = _report(app)
    report.unlink(missing_ok=True)
    os.environ[REPORT_ENV] = str(report)
    if _cluster is None and SCHEDULER_ENV not in os.environ:
        import dask
        from distributed import LocalCluster

        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else os.cpu_count()
        # As snncore.sweep starts its own: no statistical profiler, which would take the
        # GIL from the models every 10 ms.
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            _cluster = LocalCluster(n_workers=cores or 1, threads_per_worker=1,
                                    processes=True, dashboard_address=None,
                                    silence_logs=logging.ERROR)
        os.environ[SCHEDULER_ENV] = _cluster.scheduler_address
    app.config.html_static_path.append(str(STATIC))


def _report(app: Any) -> Path:
    """The explorers' report of a build, beside the site (``_build/explorers.jsonl``)."""
    return Path(app.outdir).parent / "explorers.jsonl"


def _page(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    body = context.get("body")
    if body and ROOT_TOKEN in body:
        context["body"] = body.replace(ROOT_TOKEN, context["pathto"](FOLDER, 1) + "/")


def _finish(app: Any, exception: Exception | None) -> None:
    global _cluster
    if _cluster is not None:
        os.environ.pop(SCHEDULER_ENV, None)
        _cluster.close()
        _cluster = None
    frames = Path(app.outdir) / FOLDER
    if exception is not None or app.builder.format != "html" or not frames.is_dir():
        return
    pattern = re.compile(rf"[0-9a-f]{{{NAME_LENGTH}}}")
    used = set()
    for page in Path(app.outdir).rglob("*.html"):
        used.update(pattern.findall(page.read_text(encoding="utf-8", errors="replace")))
    for image in frames.iterdir():
        if image.stem not in used:
            image.unlink()
    report = _report(app)
    if report.exists():
        lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
        size = sum(image.stat().st_size for image in frames.iterdir())
        logger.info(f"explorers: {len(lines)} static controls, "
                    f"{sum(x['states'] for x in lines)} states, {size / 1e6:.1f} MB of frames")
        for x in lines:
            logger.info(f"  {x['explorer']}: {x['states']} states "
                        f"({'one slider at a time' if x['single'] else 'every combination'}"
                        f", stops {x['stops']}), {x['bytes'] / 1e6:.1f} MB, "
                        f"{x['model_cpu']:.0f} + {x['draw_cpu']:.0f} CPU s (model + draw), "
                        f"{x['seconds']:.0f} s")


def setup(app: Any) -> dict:
    app.connect("builder-inited", _start)
    app.connect("html-page-context", _page)
    app.connect("build-finished", _finish)
    app.add_js_file("explorer.js", defer="defer")
    app.add_css_file("explorer.css")
    return {"parallel_read_safe": False, "parallel_write_safe": True}
