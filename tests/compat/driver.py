"""Run one example script on one engine in this process and save its monitors.

    python tests/compat/driver.py ENGINE SCRIPT OUT [--seed S] [--standalone]
        [--codegen numpy|cython]

ENGINE is ``snncore`` or ``brian2``. SCRIPT is a script in a temporary copy of its
folder (for snncore its import lines are already rewritten, see :mod:`compat.rewrite`);
it runs as ``__main__`` with its folder as the working directory, matplotlib's Agg
backend and ``show()``/``pause()`` doing nothing. Every monitor the script creates is
recorded in creation order; at the end their data go to ``OUT.npz`` and a summary
(outcome, first error line, time) to ``OUT.json``.

Brian 2 runs under :func:`compat.engines.brian2_overrides`: numpy target (cython with
``--codegen cython``) whatever the script sets, ``set_device(...)`` mapped to runtime
mode unless ``--standalone`` (given by the runner for scripts that use
``device.run(run_args=...)``, which has no runtime equivalent), and with ``--seed S``
every seed of the script overridden.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import runpy
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from compat.engines import Recorder, brian2_overrides, quiet_matplotlib  # noqa: E402

del sys.path[0]  # the script must not see the project's tests folder


def _error_line(exc: BaseException, script: Path) -> str:
    """``Type: message`` of the exception, with the script line that raised it."""
    text = str(exc).strip()
    message = f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if Path(f.filename).name == script.name]
    where = f" (line {frames[-1].lineno}: {frames[-1].line.strip()})" if frames else ""
    return message + where


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine", choices=["snncore", "brian2"])
    parser.add_argument("script", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--standalone", action="store_true")
    parser.add_argument("--codegen", default="numpy", choices=["numpy", "cython"],
                        help="Brian 2's code generation target (runtime mode)")
    args = parser.parse_args(argv)

    quiet_matplotlib()
    overrides = (brian2_overrides(args.seed, args.standalone, args.codegen)
                 if args.engine == "brian2" else contextlib.nullcontext())
    script = args.script.resolve()
    os.chdir(script.parent)
    sys.path.insert(0, str(script.parent))
    sys.argv = [str(script)]
    result = {"engine": args.engine, "outcome": "ran", "error": None}
    recorder = Recorder(args.engine)
    start = time.perf_counter()
    with overrides, recorder.active():
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as exc:
            if exc.code not in (None, 0):
                result.update(outcome="error", error=_error_line(exc, script))
        except BaseException as exc:  # noqa: BLE001 - every failure of the script is the result
            result.update(outcome="error", error=_error_line(exc, script))
    result["seconds"] = time.perf_counter() - start
    arrays, result["monitors"] = recorder.collect()
    np.savez_compressed(args.out.with_suffix(".npz"), **arrays)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
