"""Checks of book/brian1-demos/synfire.md: the packet along the chain against Brian 2.

The references are book/_references/brian1_demos_a.json (tests/references/ref_brian1_demos_a.py).
Both simulators get the same input packets (numpy generator seeded per seed); the
background noise and the initial potentials differ, so statistics over seeds are compared.
"""

from __future__ import annotations

import numpy as np

from _checks import Check, Checks
from snncore.checks import reference

MS, MV = 1e-3, 1e-3
BRIAN2_SEEDS = "Brian 2.9.0, same model, same seeds"


def fig_synfire(ns: dict) -> list[Check]:
    """Packet size, arrival time and spread per group, over seeds; the weak chain dies."""
    ref = reference("brian1_demos_a")["synfire"]
    c = Checks("fig-synfire")
    # The other seeds and the weak chain are run here: they exist only for the checks.
    runs = [ns["chain"]] + [ns["synfire"](4.86 * MV, s) for s in ref["seeds"][1:]]
    counts = np.array([r["counts"] for r in runs])
    centres = np.array([r["centres"] for r in runs])
    spreads = np.array([r["spreads"] for r in runs])
    c.within("smallest packet in group 9", counts[:, -1].min(), low=90,
             source="stable propagation")
    # Brian 2's seed-to-seed sd is 0-3 spikes: the mean of 4 runs is known to ~1.5.
    c.close("packet size per group, mean over seeds", counts.mean(0), ref["counts"]["mean"],
            atol=5, source=f"{BRIAN2_SEEDS}, about 3 se")
    # Brian 2's sd is < 0.1 ms; the delay per group is ~0.5 ms.
    c.close("arrival time per group, mean over seeds", centres.mean(0), ref["centres"]["mean"],
            atol=0.2 * MS, unit="ms", source=BRIAN2_SEEDS)
    c.close("spread in groups 1-9, mean", np.mean(spreads[:, 1:]),
            np.mean(ref["spreads"]["mean"][1:]), atol=0.1 * MS, unit="ms", source=BRIAN2_SEEDS)
    c.within("spread: group 0 minus groups 1-9", np.mean(spreads[:, 0])
             - np.mean(spreads[:, 1:]), low=0.1 * MS, unit="ms",
             source="the packet synchronises")
    # One spike out of step can raise a group's spread in one run to ~0.7 ms (both
    # simulators), so a group's mean over 4 seeds varies by up to ~0.3 ms between seed
    # sets; 0.4 ms still catches a packet that does not synchronise (about 1 ms).
    c.close("spread per group, mean over seeds", spreads.mean(0), ref["spreads"]["mean"],
            atol=0.4 * MS, unit="ms", source=f"{BRIAN2_SEEDS}, one late spike's range")
    weak = np.array([ns["synfire"](3 * MV, s)["counts"] for s in ref["seeds"][:2]])
    c.within("w = 3 mV: largest packet in groups 7-9", weak[:, -3:].max(), high=14,
             source="the packet dies out")
    c.within("w = 3 mV: Brian 2's largest packet in groups 7-9",
             np.max(np.array(ref["weak_counts"]["values"])[:, -3:]), high=14,
             source=BRIAN2_SEEDS)
    c.close("w = 3 mV: packet size in groups 0-2", weak.mean(0)[:3],
            ref["weak_counts"]["mean"][:3], atol=15, source=BRIAN2_SEEDS)
    return c.done()


def ex_threshold(ns: dict) -> list[Check]:
    """Exercise: the packet dies below about 4 mV and fills the group above."""
    c = Checks("ex-synfire-weight")
    e = ns["ex_weights"]
    last = dict(zip(e["weights"], e["last"]))
    c.within("w = 3.5 mV: packet in group 9", last[3.5], high=14, source="dies out")
    c.within("w = 4.5 mV: packet in group 9", last[4.5], low=90, source="fills the group")
    # w = 4 mV lies near the critical weight: which state it ends in varies with the seed.
    c.true("every packet of group 9 nearly gone (at most 14) or nearly complete "
           "(at least 90)", all(n <= 14 or n >= 90 for n in e["last"]),
           value=", ".join(str(n) for n in e["last"]), source="two stable states")
    return c.done()


def ex_delay(ns: dict) -> list[Check]:
    """Exercise: the delay per group, from the arrival times."""
    ref = reference("brian1_demos_a")["synfire"]
    c = Checks("ex-synfire-delay")
    c.close("delay per group", ns["ex_delay"], np.mean(np.diff(ref["centres"]["mean"][2:])),
            atol=0.1 * MS, unit="ms", source=BRIAN2_SEEDS)
    return c.done()


CHECKS = (fig_synfire, ex_threshold, ex_delay)


def verify(ns: dict) -> list[Check]:
    """Every check of the page, figure by figure; raises at the first failing figure."""
    return [record for check in CHECKS for record in check(ns)]


def numbers(ns: dict) -> dict:
    """The values the prose quotes, from this run."""
    chain = ns["chain"]
    return {
        "synfire-group0": chain["counts"][0],
        "synfire-travel": (chain["centres"][-1] - chain["centres"][0]) / MS,
        "synfire-spread": np.mean(chain["spreads"][2:]) / MS,
        "synfire-delay": ns["ex_delay"] / MS,
    }
