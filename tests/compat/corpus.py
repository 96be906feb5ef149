"""Brian 2's example scripts: where they are and which of them are in scope.

The corpus is the ``examples/`` folder of Brian 2 2.9.0, kept outside the project at
``../shared/brian2-examples/`` (or wherever ``BRIAN2_EXAMPLES`` points). Out of scope,
as its README says: ``compartmental/`` and every other script that builds a
``SpatialNeuron`` (multi-compartment neurons: ``frompapers/Brette_2012/``,
``frompapers/Destexhe_et_al_1998.py``), and the scripts that need GSL, OpenCV, sbi or
an external data file. Helper modules imported by the scripts of their
folder are not scripts.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Scripts left out, each with its reason (paths relative to the examples folder).
EXCLUDED = {
    "advanced/compare_GSL_to_conventional.py": "needs the GNU Scientific Library (GSL)",
    "advanced/opencv_movie.py": "needs OpenCV and a video file",
    "advanced/modelfitting_sbi.py": "needs sbi (simulation-based inference) and PyTorch",
    "frompapers/Diehl_Cook_2015.py": "needs the MNIST data files",
}
EXCLUDED_FOLDERS = {"compartmental": "SpatialNeuron (multi-compartment neurons)"}
#: Modules that scripts of their folder import.
HELPERS = {"frompapers/Brette_2012/params.py", "frompapers/Stimberg_et_al_2018/plot_utils.py"}

HOW_TO_GET = ("Brian 2's example scripts are not in this project. Put the examples/ folder "
              "of the brian2 2.9.0 source distribution (or of Brian 2's repository at the "
              "tag 2.9.0) at ../shared/brian2-examples/, or set BRIAN2_EXAMPLES to it.")


def examples_folder() -> Path:
    """The corpus folder; raises FileNotFoundError saying how to get it."""
    folder = Path(os.environ.get("BRIAN2_EXAMPLES", ROOT.parent / "shared" / "brian2-examples"))
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} does not exist. {HOW_TO_GET}")
    return folder


def excluded(folder: Path) -> dict[str, str]:
    """The out-of-scope scripts and why, as ``{relative path: reason}``."""
    out = {}
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(folder).as_posix()
        if rel in HELPERS:
            continue
        if rel.split("/")[0] in EXCLUDED_FOLDERS:
            out[rel] = EXCLUDED_FOLDERS[rel.split("/")[0]]
        elif rel in EXCLUDED:
            out[rel] = EXCLUDED[rel]
        elif "SpatialNeuron" in path.read_text():
            out[rel] = EXCLUDED_FOLDERS["compartmental"]
    return out


def in_scope(folder: Path) -> list[str]:
    """The in-scope scripts, as sorted paths relative to ``folder``."""
    skip = excluded(folder) | dict.fromkeys(HELPERS, "helper")
    return [p.relative_to(folder).as_posix() for p in sorted(folder.rglob("*.py"))
            if p.relative_to(folder).as_posix() not in skip]
