"""Call the traced prediction graph of DIET, the ResponseSelector and TED directly.

Rasa 3.6 traces each model's `predict_step` once as a `tf.function` with a fixed input signature,
then calls that function for every prediction. Each call makes TensorFlow match the inputs against
the signature again (`_maybe_define_function`, `canonicalize_function_inputs`, `cast_inputs`):
9 % of the Rasa server's CPU under load (py-spy, `make bench`), for a function that only ever has
one traced graph. This keeps that graph (the "concrete function") and calls it directly: the same
graph on the same tensors, so the same outputs (tests/model/test_tf_direct_call.py compares every
parse of the NLU test set and TED's predictions). Measured per DIET call, 40 x 50 interleaved
calls: 3.38 -> 2.98 ms.
Inputs the graph does not accept as they are (another dtype or rank) go to Rasa's function, which
keeps its own conversion and errors. Installed with the others by speedups.install().
"""
from __future__ import annotations

from typing import Any

from rasa.utils.tensorflow.models import RasaModel

_original = RasaModel._rasa_predict


class DirectCall:
    """The traced graph of a `tf.function` with an input signature, called without the lookup."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.graph = function.get_concrete_function(*function.input_signature)

    def __call__(self, batch_in: Any) -> Any:
        try:
            return self.graph(batch_in)
        except (TypeError, ValueError):
            return self.function(batch_in)


def _rasa_predict(self: RasaModel, batch_in: Any) -> Any:
    step = self._tf_predict_step
    if (step is not None and not isinstance(step, DirectCall) and not self._run_eagerly
            and getattr(step, "input_signature", None)):
        self._tf_predict_step = DirectCall(step)
    return _original(self, batch_in)


def install() -> None:
    RasaModel._rasa_predict = _rasa_predict


def uninstall() -> None:
    RasaModel._rasa_predict = _original
