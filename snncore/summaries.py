"""Brian 2's ``profiling_summary``, answered as far as snncore can."""

from __future__ import annotations


class ProfilingSummary:
    """What ``print(profiling_summary())`` shows: Brian 2 prints a table of the time spent
    in each object's code; snncore runs a network's objects inside one loop and does not
    time them separately, and says so."""

    def __init__(self, net=None, show: int | None = None):
        self.net = net
        self.show = show

    def __repr__(self) -> str:
        return ("Profiling summary\n=================\n"
                "(not available: snncore runs all objects of a network in one loop and does "
                "not time them separately; run(profile=True) is accepted and ignored)")

    __str__ = __repr__


def profiling_summary(net=None, show: int | None = None) -> ProfilingSummary:
    """Brian 2's per-object timing table; see :class:`ProfilingSummary`."""
    return ProfilingSummary(net, show)
