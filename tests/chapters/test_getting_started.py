"""The checks of book/getting-started.md pass on the page and fail on a wrong spike train."""

import pytest


def test_every_figure_passes_its_checks(chapter):
    from _checks import getting_started

    records = getting_started.verify(chapter("getting-started"))
    assert all(r.passed for r in records) and len(records) == 10


def test_spikes_off_the_grid_fail_the_check(chapter):
    from _checks import CheckFailed, getting_started

    ns = chapter("getting-started")
    late = dict(ns["ex_weaker"], simulated=ns["ex_weaker"]["simulated"] + 0.1e-3)
    with pytest.raises(CheckFailed, match=r"ex-gs-weaker: spike times: 9 values, "
                                          r"largest difference 0.1 ms"):
        getting_started.ex_weaker_input(dict(ns, ex_weaker=late))
