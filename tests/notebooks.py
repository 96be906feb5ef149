"""Execute the book's chapters under nbval.

The chapters are MyST markdown notebooks. nbval reads only ``.ipynb``, so each
chapter is converted with jupytext into ``_build/nbtest/`` and run with
``pytest --nbval-lax``: a cell fails only if it raises (cells tagged
``raises-exception`` may). A chapter's checks run in its last cell,
``verify('<chapter>', globals())`` (book/_checks/<chapter>.py), which raises on a failed
check, so a failed check fails that cell.

Usage: ``python tests/notebooks.py [--outdir DIR] [FILE.md ...]``; without files,
every notebook under ``book/`` is run. Plain markdown pages are skipped.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
OUTDIR = ROOT / "_build" / "nbtest"


def is_notebook(path):
    """True if ``path`` is a MyST notebook: its front matter has a jupytext or kernelspec key."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "---":
        return False
    for line in lines[1:]:
        if line.strip() == "---":
            return False
        if line.startswith(("jupytext:", "kernelspec:")):
            return True
    return False


def find_chapters(book=BOOK):
    """All notebook chapters under ``book``, sorted."""
    return sorted(p for p in Path(book).rglob("*.md") if is_notebook(p))


def execute_notebooks(sources, outdir=OUTDIR, base=BOOK):
    """Convert ``sources`` into ``outdir`` and run them with nbval; return pytest's exit code.

    Converted files keep their path relative to ``base`` (or just their name when
    outside it). Stale notebooks in ``outdir`` are removed first.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in outdir.rglob("*.ipynb"):
        stale.unlink()
    for src in map(Path, sources):
        src = src.resolve()
        rel = src.relative_to(base) if src.is_relative_to(base) else Path(src.name)
        dest = (outdir / rel).with_suffix(".ipynb")
        dest.parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(jupytext.read(src), dest)
    cmd = [
        sys.executable, "-m", "pytest", str(outdir),
        "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=600",
        # One chapter per worker, its cells in order in one kernel (nbval's advice).
        "-n", "auto", "--dist", "loadscope",
        "-p", "no:cacheprovider", "-v",
    ]
    env = {**os.environ, "MPLBACKEND": os.environ.get("MPLBACKEND", "Agg")}
    return subprocess.call(cmd, env=env)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="chapters (default: all in book/)")
    parser.add_argument("--outdir", type=Path, default=OUTDIR)
    args = parser.parse_args(argv)
    sources = [f for f in args.files if is_notebook(f)] if args.files else find_chapters()
    if not sources:
        print("notebooks.py: no MyST notebooks to run", file=sys.stderr)
        return 2
    return execute_notebooks(sources, args.outdir)


if __name__ == "__main__":
    sys.exit(main())
