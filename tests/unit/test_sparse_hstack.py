"""speedups/sparse_hstack.py joins sparse features into exactly the matrix scipy's hstack gives."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features

from speedups import sparse_hstack


def same_coo(a, b) -> bool:
    return (a.format == b.format == "coo" and a.shape == b.shape and a.dtype == b.dtype
            and np.array_equal(a.row, b.row) and np.array_equal(a.col, b.col) and np.array_equal(a.data, b.data))


@pytest.mark.parametrize("left_format,right_format", [("coo", "coo"), ("csr", "coo"), ("coo", "csc")])
@pytest.mark.parametrize("dtypes", [(np.float32, np.float32), (np.float32, np.float64), (np.int64, np.float32)])
def test_same_matrix_as_scipy_hstack(left_format, right_format, dtypes):
    rng = np.random.default_rng(7)
    left = scipy.sparse.random(5, 300, density=0.02, format=left_format, random_state=rng).astype(dtypes[0])
    right = scipy.sparse.random(5, 40, density=0.2, format=right_format, random_state=rng).astype(dtypes[1])
    assert same_coo(sparse_hstack.side_by_side(left, right), scipy.sparse.hstack([left, right]))
    empty = scipy.sparse.coo_matrix((5, 0), dtype=dtypes[1])
    assert same_coo(sparse_hstack.side_by_side(left, empty), scipy.sparse.hstack([left, empty]))


def test_features_combine_as_rasa_does():
    def features(matrix):
        return Features(matrix, "sequence", "text", "CountVectorsFeaturizer")

    rng = np.random.default_rng(3)
    matrices = [scipy.sparse.random(4, n, density=0.3, format="coo", random_state=rng) for n in (10, 20, 7)]
    combined = {}
    for name, combine in (("rasa", sparse_hstack._original), ("fast", sparse_hstack._combine_sparse_features)):
        first = features(matrices[0])
        for matrix in matrices[1:]:
            combine(first, features(matrix))
        combined[name] = first.features
    assert same_coo(combined["fast"], combined["rasa"])
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        sparse_hstack._combine_sparse_features(features(matrices[0]),
                                               features(scipy.sparse.coo_matrix((3, 5))))
