"""Run one script on one engine in a fresh process, in a temporary copy of its folder.

The files of the script's folder are copied into a new temporary directory (never inside
the project or the corpus); for snncore, the import lines of every ``.py`` file there
are rewritten (:mod:`rewrite`). :mod:`driver` runs the script with a timeout and leaves
``<out>.npz`` (monitor data) and ``<out>.json`` (outcome, first error line, time).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .rewrite import rewrite

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

#: Scripts whose ``device.run(run_args=...)`` has no runtime equivalent: Brian 2 runs
#: them as C++ standalone, as written.
STANDALONE_ONLY = ("device.run(", "run_args")


def needs_standalone(source: str) -> bool:
    """Whether Brian 2 must honour the script's ``set_device`` to run it as written."""
    return any(token in source for token in STANDALONE_ONLY)


def _copy_folder(script: Path, engine: str, workdir: Path) -> Path:
    for path in script.parent.iterdir():
        if path.is_file():
            target = workdir / path.name
            if engine == "snncore" and path.suffix == ".py":
                target.write_text(rewrite(path.read_text()))
            else:
                shutil.copy2(path, target)
    return workdir / script.name


def run_script(script: Path, engine: str, out: Path, timeout: float,
               seed: int | None = None, codegen: str = "numpy") -> dict:
    """Run ``script`` on ``engine``; return the driver's summary (also in ``out.json``).

    The summary gains ``wall`` (seconds, the whole process) and, on a timeout or a
    crash of the process itself, ``outcome`` ``timeout`` or ``crash``.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    for suffix in (".json", ".npz"):
        out.with_suffix(suffix).unlink(missing_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"compat-{engine}-"))
    try:
        copy = _copy_folder(script, engine, workdir)
        command = [sys.executable, str(HERE / "driver.py"), engine, str(copy), str(out)]
        if seed is not None:
            command += ["--seed", str(seed)]
        if engine == "brian2" and needs_standalone(script.read_text()):
            command.append("--standalone")
        elif engine == "brian2":
            command += ["--codegen", codegen]
        env = dict(os.environ, MPLBACKEND="Agg",
                   PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=workdir, env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the script's own child processes too
            process.communicate()
            stderr = None
        wall = time.perf_counter() - start
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    summary_file = out.with_suffix(".json")
    if stderr is None:
        summary = {"engine": engine, "outcome": "timeout",
                   "error": f"timeout after {timeout:.0f} s", "monitors": []}
    elif not summary_file.exists():
        last = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
        summary = {"engine": engine, "outcome": "crash",
                   "error": f"process died (exit {process.returncode}): {last}", "monitors": []}
    else:
        summary = json.loads(summary_file.read_text())
    summary.update(wall=wall, timeout=timeout, seed=seed)
    summary_file.write_text(json.dumps(summary, indent=1) + "\n")
    return summary
