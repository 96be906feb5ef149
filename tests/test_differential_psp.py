"""The PSP-form systems of neuro4ml 'Synapses' (Euler, with a subexpression) match Brian 2."""

import models
import pytest
from models import assert_same_traces, brian2_reference, snn_run


@pytest.mark.parametrize("model", [models.psp_level_of_abstraction, models.psp_forms],
                         ids=["level-of-abstraction", "psp-forms"])
def test_psp_traces_match_brian2(backend, model):
    ref = brian2_reference(model)
    got = snn_run(model)
    for name in ("v", "u", "z"):
        assert ref[name].max() > 0.05  # every trace has a PSP
    assert_same_traces(got, ref, ["v", "u", "z"], atol=1e-9)
