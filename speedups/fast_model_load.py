"""Load Rasa's TensorFlow models without tracing their training step (cold start).

To give a saved model's variables their shapes, Rasa 3.6's `RasaModel.load` compiles the model
and runs one training step on an example batch, then overwrites the weights from the file. That
step runs as a traced `tf.function`, and tracing the whole training graph (loss, gradients,
optimizer) of each model is most of the Rasa server's start-up (py-spy; `make bench` measures
the cold start). Run eagerly, the same step creates the same variables in a fraction of the
time; the weights are then loaded from the file as before, and prediction is traced as before.
Installed with the others by speedups.install(). Only models built on Rasa's DIET class (the
ResponseSelector's) load this way, not TED (see `_load`); tests/model/test_fast_model_load.py
checks the result is identical.
"""
from __future__ import annotations

from typing import Any, Optional

import tensorflow as tf
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.models import RasaModel

_original_load = RasaModel.load.__func__


def _load(cls: Any, model_file_name: str, model_data_example: Any, predict_data_example: Optional[Any] = None,
          finetune_mode: bool = False, *args: Any, **kwargs: Any) -> RasaModel:
    """Rasa 3.6's `RasaModel.load`, with the shape-giving training step run eagerly."""
    if finetune_mode or not predict_data_example or not issubclass(cls, DIET):
        # Fine-tuning goes on training: keep Rasa's traced training step. TED too: an eager step
        # takes one branch of its feature conditionals and builds label encoders with other
        # input sizes than the saved ones.
        return _original_load(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                              *args, **kwargs)
    model = cls(*args, **kwargs)
    config = kwargs.get("config", {})
    model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=True)
    model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
    model.run_eagerly = config.get(RUN_EAGERLY)  # back to what Rasa compiles with, for prediction
    model.load_weights(model_file_name)
    model.run_inference(predict_data_example)  # trace prediction once, as Rasa does
    return model


def install() -> None:
    RasaModel.load = classmethod(_load)
