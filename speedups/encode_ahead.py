"""Encode each message with the NLU's sentence encoder on the second core, while it waits its turn.

The Rasa server works on one core: one message at a time goes through its graph (turn_order
admits two, for the action calls). The MiniLM encoder (nlu_components/minilm.py) is a large
share of the Rasa CPU per message (profile the server under `make bench` load to see it), and
nearly all of it is NumPy's matrix products, which release the GIL. So each text is handed to one worker
thread as soon as its message arrives, before it waits for its turn; MiniLMFeaturizer takes the
result when the message gets there, and encodes the text itself when there is none (an intent
payload, a message that never arrived through handle_message). The same function of the same
text, so the same vectors (tests/unit/test_encode_ahead.py). Pending results are bounded: a
message that never reaches the featurizer cannot grow the table.

Installed with the others by speedups.install(); training and `rasa test` encode in line.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional

from rasa.core.processor import MessageProcessor

from nlu_components import minilm
from nlu_components.minilm_featurizer import MiniLMFeaturizer

MAX_PENDING = 256

_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode-ahead")
_pending: OrderedDict[str, List[Future]] = OrderedDict()
_lock = threading.Lock()
_originals: Dict[str, Callable] = {}


def start(text: Any) -> None:
    if not isinstance(text, str) or not text.strip() or text.startswith("/"):
        return  # "/intent" payloads skip the NLU pipeline
    future = _pool.submit(minilm.shared().encode, text)
    with _lock:
        _pending.setdefault(text, []).append(future)  # two learners may send the same text
        _pending.move_to_end(text)
        while len(_pending) > MAX_PENDING:
            _pending.popitem(last=False)


def take(text: str) -> Optional[minilm.Encoded]:
    with _lock:
        futures = _pending.get(text)
        if not futures:
            return None
        future = futures.pop(0)
        if not futures:
            del _pending[text]
    return future.result()


def pending() -> int:
    with _lock:
        return sum(len(futures) for futures in _pending.values())


def _encode(self: MiniLMFeaturizer, text: str) -> minilm.Encoded:
    return take(text) or _originals["encode"](self, text)


async def _handle_message(self: MessageProcessor, message: Any) -> Any:
    start(getattr(message, "text", None))
    return await _originals["handle_message"](self, message)


def install() -> None:
    """After turn_order, so that the encoding starts before the message waits for its turn."""
    if _originals:
        return
    _originals["encode"] = MiniLMFeaturizer._encode
    _originals["handle_message"] = MessageProcessor.handle_message
    MiniLMFeaturizer._encode = _encode
    MessageProcessor.handle_message = _handle_message


def uninstall() -> None:
    if not _originals:
        return
    MiniLMFeaturizer._encode = _originals.pop("encode")
    MessageProcessor.handle_message = _originals.pop("handle_message")
    with _lock:
        _pending.clear()
