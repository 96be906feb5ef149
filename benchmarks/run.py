"""``make bench``: every benchmark of the project, each in its own process.

The comparison against Brian 2 (issue 8) will join these; for now the engine core,
the 5M-synapse network and the chapter widgets are measured.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["engine_core.py", "synapses_large.py", "widget_latency.py"]


def main() -> int:
    status = 0
    for script in SCRIPTS:
        print(f"\n== {script}", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / script)])
    return status


if __name__ == "__main__":
    sys.exit(main())
