"""Join two messages' sparse features side by side without scipy's general block assembler.

Rasa 3.6 combines the sparse features of the featurizers (regex, lexical-syntactic, word and
character counts) with `scipy.sparse.hstack` for every message and every component that reads
them (the ResponseSelector). For these tiny matrices (one row per token) scipy's `bmat` spends its
time in Python checks, a visible share of the Rasa server's CPU under `make bench` load (py-spy).
Two COO matrices side by side are just their entries with the right-hand columns shifted; that
gives the same COO matrix (entries, order, dtype, shape) several times faster.
Rasa's own check of the row counts and its error stay in front. Installed with the others by speedups.install().
"""
from __future__ import annotations

import numpy as np
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features

_original = Features._combine_sparse_features


def side_by_side(left: scipy.sparse.spmatrix, right: scipy.sparse.spmatrix) -> scipy.sparse.coo_matrix:
    """What `scipy.sparse.hstack([left, right])` returns (a COO matrix), built directly."""
    left, right = left.tocoo(), right.tocoo()
    dtype = np.result_type(left.dtype, right.dtype)
    data = np.concatenate([left.data.astype(dtype, copy=False), right.data.astype(dtype, copy=False)])
    rows = np.concatenate([left.row, right.row])
    cols = np.concatenate([left.col, right.col + left.shape[1]])
    return scipy.sparse.coo_matrix((data, (rows, cols)), shape=(left.shape[0], left.shape[1] + right.shape[1]))


def _combine_sparse_features(self: Features, additional_features: Features) -> None:
    if self.features.shape[0] != additional_features.features.shape[0]:
        return _original(self, additional_features)  # Rasa's ValueError, word for word
    self.features = side_by_side(self.features, additional_features.features)
    self._cached_fingerprint = None


def install() -> None:
    Features._combine_sparse_features = _combine_sparse_features


def uninstall() -> None:
    Features._combine_sparse_features = _original
