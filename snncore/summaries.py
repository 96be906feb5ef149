"""Brian 2's ``profiling_summary``: the time of each operation in the last profiled run."""

from __future__ import annotations

import html

from .network import magic_network


class ProfilingSummary:
    """A table of :attr:`Network.profiling_info` (name, time, share of the total), longest
    first, as Brian 2 prints it; shown as HTML in Jupyter.

    Parameters
    ----------
    net : Network or MagicNetwork
    show : int, optional
        Show only the ``show`` longest entries (the total counts all of them).
    """

    def __init__(self, net, show: int | None = None):
        info = net.profiling_info
        #: Seconds in all operations together.
        self.total_time = sum(t for _name, t in info)
        if not info:  # a run of zero steps
            info = [("no operations have been run", 0.0)]
        if show is not None:
            info = info[:show]
        self.names = [name for name, _t in info]
        #: Seconds per entry.
        self.times = [t for _name, t in info]
        self.percentages = [100.0 * t / self.total_time if self.total_time > 0 else 0.0
                            for t in self.times]
        # Milliseconds unless the run took more than a second, as Brian 2 chooses.
        self.time_unit, self._scale = ("s", 1.0) if self.total_time > 1 else ("ms", 1e3)

    def _rows(self) -> list[tuple[str, str, str]]:
        return [(name, f"{t * self._scale:.2f} {self.time_unit}", f"{share:.2f} %")
                for name, t, share in zip(self.names, self.times, self.percentages,
                                          strict=True)]

    def __repr__(self) -> str:
        rows = self._rows()
        widths = [max(len(row[k]) for row in rows) for k in range(3)]
        lines = ["Profiling summary", "=" * len("Profiling summary")]
        lines += [f"{name:<{widths[0]}}    {t:>{widths[1]}}    {share:>{widths[2]}}"
                  for name, t, share in rows]
        return "\n".join(lines) + "\n"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        cells = "".join(f"<tr><td>{html.escape(name)}</td><td style=\"text-align: right\">"
                        f"{t}</td><td style=\"text-align: right\">{share}</td></tr>\n"
                        for name, t, share in self._rows())
        return ("<h2 class=\"brian_prof_summary_header\">Profiling summary</h2>\n"
                f"<table class=\"brian_prof_summary_table\">\n{cells}</table>")


def profiling_summary(net=None, show: int | None = None) -> ProfilingSummary:
    """The profiling information of ``net`` (the network of :func:`run` by default) as a
    table; see :attr:`Network.profiling_info`.

    Parameters
    ----------
    net : Network, optional
    show : int, optional
        How many of the longest entries to show.

    Returns
    -------
    ProfilingSummary
    """
    return ProfilingSummary(magic_network if net is None else net, show)
