"""The benchmark harness (benchmarks/run.py) runs and writes well-formed results.

Toy sizes (``--quick``), one model, two tools that need no compiler: well under a
minute. The full ``make bench`` is not part of the tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("brian2")


def test_quick_run_writes_results(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only", "cuba",
         "--tools", "snncore-numpy,brian2-numpy", "--no-scaling", "--output", str(out),
         "--timeout", "120"],
        cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())
    assert data["quick"] is True
    assert {"date", "command", "versions", "cpus"} <= set(data["machine"])
    row = data["results"]["cuba"]
    assert set(row) == {"snncore-numpy", "brian2-numpy"}
    for tool, res in row.items():
        assert res["ok"], (tool, res.get("error"))
        assert res["wall_s"] > res["run_s"] >= res["loop_s"] > 0
        assert res["spikes"] > 0 and res["events"] > res["spikes"]
        assert res["synapses"] > 0 and res["peak_rss_mb"] > 10
    # the same model in both simulators: 400 neurons at p = 0.02, about 3200 synapses
    n_syn = [res["synapses"] for res in row.values()]
    assert all(2800 < n < 3600 for n in n_syn)
    assert (out.with_suffix(".png")).stat().st_size > 1000
    assert "| cuba | snncore-numpy |" in proc.stdout


def test_failed_tool_is_recorded_not_fatal(tmp_path):
    """A child that exceeds its timeout is recorded as failed; the harness goes on."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import run

    res = run.run_child({"model": "cuba", "tool": "snncore-numpy", "quick": True,
                         "workdir": str(tmp_path)}, run.child_env(tmp_path / "c"), 0.01)
    assert res["ok"] is False and "timeout" in res["error"]
    res = run.run_child({"model": "no_such_model", "tool": "snncore-numpy", "quick": True,
                         "workdir": str(tmp_path)}, run.child_env(tmp_path / "c"), 60)
    assert res["ok"] is False and "KeyError" in res["error"]


def test_targets_of_the_micro_benchmarks_are_checked_again(tmp_path):
    """``--retarget`` checks the compile and slider targets on the numbers the extras
    left in a results file, and rewrites its targets."""
    data = {"results": {}, "extras": {
        "compile_time.py": {"numbers": {"tsodyks2000": {"compile_s": 1.3},
                                        "cuba": {"compile_s": 0.7}}},
        "widget_latency.py": {"numbers": {
            "tsodyks-2000:run_explorer": {"model_ms": 120.0, "target_ms": 150,
                                          "compiled": 0},
            "psp-forms:psp_explorer": {"model_ms": 30.0, "target_ms": 50, "compiled": 2}}}}}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data))
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--retarget",
                           "--output", str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    verdicts = {t["target"]: t["met"] for t in json.loads(path.read_text())["targets"]
                if "met" in t}
    assert verdicts["tsodyks2000: a first run (empty cache) compiles for <= 1 s"] is False
    assert verdicts["cuba: a first run (empty cache) compiles for <= 1 s"] is True
    assert verdicts["slider tsodyks-2000:run_explorer: model re-run < 150 ms"] is True
    assert verdicts["slider psp-forms:psp_explorer: model re-run < 50 ms"] is True
    assert verdicts["slider psp-forms:psp_explorer: no compilation"] is False
