"""Call the traced prediction graph of TED directly.

Rasa 3.6 traces each model's `predict_step` once as a `tf.function` with a fixed input signature,
then calls that function for every prediction. Each call makes TensorFlow match the inputs against
the signature again (`_maybe_define_function`, `canonicalize_function_inputs`, `cast_inputs`),
a visible share of the Rasa server's CPU under `make bench` load (py-spy), for a function that only ever has
one traced graph. This keeps that graph (the "concrete function") and makes its flat call on the
arrays turned into tensors: the same graph on the same tensors, so the same outputs
(tests/model/test_tf_direct_call.py compares TED's predictions over the test stories); the flat
call is the cheapest of the three ways (tf.function, the concrete function's own call, this).
Inputs the signature does not fix as they are (another dtype, rank or last dimension) go to the
concrete function's own call and then to Rasa's function, which keep their conversion and errors.
Installed with the others by speedups.install().
"""
from __future__ import annotations

from typing import Any

import numpy as np
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.eager import context
from tensorflow.python.framework import constant_op

_original = RasaModel._rasa_predict


class DirectCall:
    """The traced graph of a `tf.function` with an input signature, called without the lookup.

    The graph's flat call (`_call_flat`) is what `ConcreteFunction.__call__` ends in, after it has
    matched the inputs to the signature (`canonicalize_function_inputs`, the checks of missing and
    unexpected arguments) and turned numpy arrays into tensors. Rasa always passes one flat tuple
    of numpy arrays, so that matching is one check per array here: the dtype, the rank and the last
    dimension the signature fixes (Rasa's `_dynamic_signature` leaves the others open). Anything
    else goes through the concrete function's own call, and on its errors to the tf.function.
    """

    def __init__(self, function: Any) -> None:
        self.function = function
        self.graph = function.get_concrete_function(*function.input_signature)
        (specs,) = function.input_signature
        self.expected = [(spec.dtype.as_numpy_dtype, spec.shape.rank, spec.shape[-1] if spec.shape.rank > 1 else None)
                         for spec in specs]

    def accepts(self, batch_in: Any) -> bool:
        if not isinstance(batch_in, (tuple, list)) or len(batch_in) != len(self.expected):
            return False
        for array, (dtype, rank, last) in zip(batch_in, self.expected):
            if (not isinstance(array, np.ndarray) or array.dtype != dtype or array.ndim != rank
                    or (last is not None and array.shape[-1] != last)):
                return False
        return True

    def __call__(self, batch_in: Any) -> Any:
        if self.accepts(batch_in) and context.executing_eagerly():
            # What tf.convert_to_tensor ends in for a numpy array when eager, without its dispatch
            # and conversion-registry lookups (a visible share of the server's CPU under load).
            ctx = context.context()
            tensors = [constant_op.convert_to_eager_tensor(array, ctx) for array in batch_in]
            return self.graph._call_flat(tensors, captured_inputs=self.graph.captured_inputs)
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
