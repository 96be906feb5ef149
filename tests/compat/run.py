"""Brian 2's example scripts on snncore and on Brian 2: which run, and do they agree?

    .venv/bin/python tests/compat/run.py [--jobs 2] [--timeout 900] [--cached-oracle] [SCRIPT ...]
    (make compat)

For every in-scope script of the corpus (:mod:`compat.corpus`), in a fresh process each,
with a timeout, in a temporary copy of its folder, with matplotlib's Agg backend:

- snncore runs it with only its import lines changed (:mod:`compat.rewrite`);
- Brian 2 runs it unchanged, on the numpy target whatever the script sets, with
  ``set_device(...)`` mapped to runtime mode except for the scripts that need
  ``device.run(run_args=...)`` (these run as C++ standalone), first with two seeds
  (every ``seed()``/``np.random.seed()`` of the script is overridden, see
  :mod:`compat.engines`) and, when the two differ, with four (:mod:`compat.oracle`;
  cached in ``_build/compat/brian2/`` by script content and brian2 version, so re-runs
  only run snncore).

Every monitor of each run is saved; monitors are matched by kind and creation order.
The agreement rule (:mod:`compat.compare`):

- deterministic (Brian 2's two seeded runs identical): every array has Brian 2's shape
  and ``|snn - b2| <= 1e-6 |b2| + 1e-6 max|b2|`` element by element (spikes as sorted
  (time, index) pairs); where it does not, Brian 2's cython target gives a second
  opinion: if it too leaves the numpy run and snncore leaves it nowhere earlier, the
  model is chaotic and snncore agrees as closely as Brian 2's targets do;
- stochastic: each summary statistic x (number of spikes, spread of the count per neuron,
  mean spike time; size, mean and standard deviation of every other array) satisfies
  ``|x - m| <= t(0.9995, n-1) s sqrt(1 + 1/n) + 1e-6 |m| + 1e-6 max|x_b2|`` with m, s the
  mean and standard deviation (ddof=1) over Brian 2's n = 4 seeded runs.

The table (script, outcome, kind, agreement, first error line, wall times of the two
processes) is printed with a ranking of the failures by first error and a summary line,
and written as markdown to ``book/brian2-code-table.txt`` (a full run only; .txt, so it is
not a page of its own), which the book page "Running Brian 2 code" includes. Time totals
are over the scripts that run on both engines; Brian 2's time is that of its first seeded
run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compat.compare import (  # noqa: E402
    compare_chaotic,
    compare_deterministic,
    compare_stochastic,
)
from compat.corpus import examples_folder, excluded, in_scope  # noqa: E402
from compat.execute import ROOT, run_script  # noqa: E402
from compat.oracle import load, oracle, second_opinion  # noqa: E402
from compat.table import Row, markdown, ranking, summary_line, text  # noqa: E402

OUT = ROOT / "_build" / "compat" / "snncore"
TABLE = ROOT / "book" / "brian2-code-table.txt"
RANKING = ROOT / "_build" / "compat" / "ranking.txt"


def _agreement(ours: dict, theirs: dict, second_opinion: Callable[[], dict]) -> str:
    runs = theirs["runs"]
    failed = next((r for r in runs if r["outcome"] != "ran"), None)
    if failed is not None and failed["outcome"] == "error":
        return f"fails on Brian 2 too: {failed['error']}"
    if failed is not None or theirs["stochastic"] is None:
        return f"no Brian 2 result ({failed['error'] if failed else 'incomplete'})"
    if ours["outcome"] != "ran":
        return ""
    snn = load(ours)
    # A monitor Brian 2 cannot read (a standalone device that never ran it in this
    # process) has no reference: it is left out of the comparison, and said so.
    unread = {m["key"] for m in runs[0]["monitors"] if m.get("error")}
    snn = {k: v for k, v in snn.items() if k.split(".")[0] not in unread}
    compared = [m for m in runs[0]["monitors"] if not m.get("error")]
    if not compared and len(snn) == 0:
        return "no monitors" + (f" (Brian 2 cannot read {', '.join(sorted(unread))}: "
                                f"{runs[0]['monitors'][0]['error'][:60]})" if unread else "")
    note = "Brian 2 cython: numpy exceeds the time limit" if theirs.get("codegen") == \
        "cython" else ""
    if theirs["stochastic"]:
        problem = compare_stochastic(snn, [load(r) for r in runs])
    else:
        problem = compare_deterministic(snn, load(runs[0]))
        if problem is not None and theirs.get("codegen") != "cython":
            cython = second_opinion()
            if cython["outcome"] == "ran":
                problem, note = compare_chaotic(snn, load(runs[0]), load(cython))
    if problem is not None:
        return f"differs: {problem}"
    return f"agrees ({note})" if note else "agrees"


def check(folder: Path, rel: str, timeout: float, cached_only: bool) -> Row:
    """Run one script on both engines and compare."""
    out = OUT / rel.replace("/", "__")[:-3]
    ours = run_script(folder / rel, "snncore", out, timeout) | {"path": str(out)}
    theirs = oracle(folder / rel, rel, timeout, cached_only)
    agreement = _agreement(ours, theirs,
                           lambda: second_opinion(folder / rel, rel, timeout, cached_only))
    row = Row(script=rel, outcome=ours["outcome"], agreement=agreement,
              error=ours["error"] or "", snncore_s=ours["wall"],
              brian2_s=theirs["runs"][0]["wall"] if theirs["runs"][0]["outcome"] == "ran"
              and theirs.get("codegen") != "cython" else None, stochastic=theirs["stochastic"])
    print(text([row], header=False), flush=True)
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", help="paths relative to the corpus folder")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--cached-oracle", action="store_true",
                        help="use only Brian 2 results already in the cache")
    args = parser.parse_args(argv)
    try:
        folder = examples_folder()
    except FileNotFoundError as exc:
        sys.exit(str(exc))
    scripts = in_scope(folder)
    if args.scripts:
        unknown = sorted(set(args.scripts) - set(scripts))
        if unknown:
            sys.exit(f"not in-scope scripts of {folder}: {', '.join(unknown)}")
        scripts = [s for s in scripts if s in args.scripts]
    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(lambda rel: check(folder, rel, args.timeout, args.cached_oracle),
                             scripts))
    print()
    print(text(rows))
    print()
    print("Failing scripts by the cause of their first error:")
    print(ranking(rows))
    RANKING.write_text(ranking(rows) + "\n")
    print()
    print(summary_line(rows))
    print(f"(make compat took {time.perf_counter() - start:.0f} s)")
    if not args.scripts:
        TABLE.write_text(markdown(rows, excluded(folder)))
        print(f"wrote {TABLE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
