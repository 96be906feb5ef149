"""The measuring instruments of ``make compat`` and the seed-cell tests measure what they say."""

from __future__ import annotations

import numpy as np
import pytest

from compat.compare import (
    compare_chaotic,
    compare_deterministic,
    compare_sampled,
    compare_stochastic,
    sample,
    statistics,
)
from compat.rewrite import rewrite
from compat.table import Row, cause, summary_line


def test_rewrite_changes_only_the_import_lines():
    source = ("from brian2 import *\n"
              "import brian2 as b2\n"
              "import brian2\n"
              "from brian2 import (ms,\n    mV)\n"
              "def f():\n    from brian2.units import second\n"
              "x = 'from brian2 import *'  # brian2 stays in strings and comments\n")
    lines = rewrite(source).splitlines()
    assert lines[0] == "from snncore import *"
    assert lines[1] == "import snncore as b2"
    assert lines[2] == "import snncore as brian2"
    assert lines[3:5] == ["from snncore import (ms,", "    mV)"]
    assert lines[6] in ("    from snncore.units import second", "    from snncore import second")
    assert lines[7] == "x = 'from brian2 import *'  # brian2 stays in strings and comments"


def _run(v, spikes_t=(0.001, 0.002), spikes_i=(1, 0)):
    return {"StateMonitor[0].t": np.arange(3) * 1e-4, "StateMonitor[0].v": np.array(v),
            "SpikeMonitor[0].count": np.array([1.0, 1.0]),
            "SpikeMonitor[0].i": np.array(spikes_i, float),
            "SpikeMonitor[0].t": np.array(spikes_t)}


def test_deterministic_rule_is_1e6_relative_with_a_floor_on_the_array_scale():
    ref = _run([[-0.07, 0.0, 0.01]])
    assert compare_deterministic(_run([[-0.07 * (1 + 5e-7), 5e-9, 0.01]]), ref) is None
    problem = compare_deterministic(_run([[-0.07 * (1 + 5e-6), 0.0, 0.01]]), ref)
    assert problem.startswith("StateMonitor[0].v: differs")
    # Spikes in the same step may come in any order.
    swapped = _run([[-0.07, 0.0, 0.01]], spikes_t=(0.001, 0.001), spikes_i=(0, 1))
    assert compare_deterministic(swapped, _run([[-0.07, 0.0, 0.01]], (0.001, 0.001),
                                               (1, 0))) is None
    assert "missing" in compare_deterministic({}, ref)


def test_chaotic_rule_accepts_only_a_departure_no_earlier_than_brian2_cython():
    def trace(depart_at):
        v = np.linspace(-0.07, -0.05, 100)
        if depart_at is not None:
            v[depart_at:] += 1e-3
        return {"StateMonitor[0].v": v[None, :]}

    numpy = trace(None)
    problem, note = compare_chaotic(trace(60), numpy, trace(40))
    assert problem is None
    assert note == ("chaotic: Brian 2 cython leaves its numpy run at element 40 of "
                    "StateMonitor[0].v, snncore at 60")
    problem, _ = compare_chaotic(trace(20), numpy, trace(40))
    assert problem == ("StateMonitor[0].v: leaves Brian 2 numpy at element 20, before "
                       "Brian 2 cython does (element 40)")
    # Where Brian 2's targets agree, the 1e-6 rule stands.
    problem, _ = compare_chaotic(trace(60), numpy, trace(None))
    assert problem.startswith("StateMonitor[0].v: differs")
    assert compare_chaotic(numpy, numpy, trace(40)) == (None, "")


def test_sampled_references_apply_the_same_rule():
    data = {"M.v": np.linspace(0, 1, 10001)}
    stored = sample(data)
    assert len(stored["M.v"]["values"]) <= 2000
    assert compare_sampled(data, stored) is None
    shifted = {"M.v": data["M.v"] + 1e-4}
    assert compare_sampled(shifted, stored).startswith("M.v: differs")


def test_stochastic_rule_accepts_a_run_from_the_same_distribution_only():
    rng = np.random.default_rng(1)

    def run(rate):
        t = np.sort(rng.uniform(0, 1, rng.poisson(rate)))
        return {"SpikeMonitor[0].count": np.full(10, len(t) / 10),
                "SpikeMonitor[0].i": np.zeros(len(t)), "SpikeMonitor[0].t": t}

    refs = [run(1000) for _ in range(4)]
    assert compare_stochastic(run(1000), refs) is None
    problem = compare_stochastic(run(2000), refs)
    assert problem.startswith("SpikeMonitor[0].count:total")
    # A statistic that does not vary over seeds must agree to 1e-6.
    assert statistics(refs[0])["SpikeMonitor[0].count:std"] == 0.0


def test_causes_group_missing_names_and_the_summary_counts():
    assert cause("NameError: name 'plot' is not defined (line 3: plot(x))").startswith(
        "star import")
    assert cause("UnsupportedFeatureError: TimedArray is a Brian 2 feature snncore does "
                 "not support") == "missing name: TimedArray"
    rows = [Row("a.py", "ran", "agrees", "", 1.0, 2.0, False),
            Row("b.py", "error", "", "boom", 1.0, 3.0, True)]
    line = summary_line(rows)
    assert line.startswith("2 scripts: 1 run on snncore (50%), 1 agree with Brian 2")
    assert "snncore 1 s, Brian 2 (numpy) 2 s" in line


@pytest.mark.parametrize("error", ["", "ValueError: x"])
def test_other_errors_keep_their_message(error):
    assert cause(error + " (line 4: y = 1)") == error


def _saved(tmp_path, name: str, arrays: dict, monitors: list) -> dict:
    np.savez(tmp_path / f"{name}.npz", **arrays)
    return {"outcome": "ran", "error": None, "monitors": monitors, "wall": 1.0,
            "path": str(tmp_path / name)}


def test_a_monitor_brian2_cannot_read_is_left_out_not_a_difference(tmp_path):
    from compat.run import _agreement

    unread = {"key": "SpikeMonitor[0]", "kind": "SpikeMonitor",
              "error": "NotImplementedError: standalone code has not run"}
    ours = _saved(tmp_path, "ours", {"SpikeMonitor[0].i": np.zeros(0)},
                  [{"key": "SpikeMonitor[0]", "kind": "SpikeMonitor"}])
    theirs = {"runs": [_saved(tmp_path, "theirs", {}, [unread])] * 2, "stochastic": False}
    never = lambda: pytest.fail("no second opinion for a monitor left out")  # noqa: E731
    assert _agreement(ours, theirs, never).startswith(
        "no monitors (Brian 2 cannot read SpikeMonitor[0]")
    # A monitor Brian 2 did record still counts.
    read = {"key": "StateMonitor[0]", "kind": "StateMonitor"}
    ours = _saved(tmp_path, "ours2", {"SpikeMonitor[0].i": np.zeros(0),
                                      "StateMonitor[0].v": np.ones(3)},
                  [{"key": "SpikeMonitor[0]"}, read])
    theirs = {"runs": [_saved(tmp_path, "theirs2", {"StateMonitor[0].v": np.ones(3)},
                              [unread, read])] * 2, "stochastic": False}
    assert _agreement(ours, theirs, never) == "agrees"
    theirs["runs"][0] = _saved(tmp_path, "theirs3", {"StateMonitor[0].v": 2 * np.ones(3)},
                               [unread, read])
    assert _agreement(ours, theirs, lambda: {"outcome": "error"}).startswith("differs")


def test_oracle_takes_brian2_cython_where_numpy_exceeds_the_time_limit(monkeypatch, tmp_path):
    from compat import oracle as oracle_module

    calls = []

    def fake(script, rel, seed, timeout, cached_only, codegen="numpy"):
        calls.append((seed, codegen))
        if codegen == "numpy":
            return {"outcome": "timeout", "error": "timeout after 1 s", "monitors": []}
        return _saved(tmp_path, f"c{seed}", {"StateMonitor[0].v": np.ones(2)}, [])

    monkeypatch.setattr(oracle_module, "_run_cached", fake)
    result = oracle_module.oracle(tmp_path / "x.py", "x.py", 1.0)
    assert result["codegen"] == "cython" and result["stochastic"] is False
    assert [c for _s, c in calls] == ["numpy", "cython", "cython"]
