"""The backend fails while a learner submits: the learner hears the truth within 10 seconds,
and the request reaches the backend exactly once when it is back. The action servers reach the
backend through a fault proxy (tests/scale/scaled_fixture.py)."""
from __future__ import annotations

import time
import uuid

import pytest

from testkit.opt_out import QUEUED, REFERENCE, Person, check_record, opt_out_steps
from testkit.scaled import wait_for

pytestmark = pytest.mark.stack

PEOPLE = {
    "refused": Person("Gwenllian", "Haverfield", "5/6/1995", "1995-06-05", "SA1 1NW", "3000000029"),
    "never_answers": Person("Hafwen", "Lanyon", "19/2/2002", "2002-02-19", "PL4 8AA", "1748529632"),
    "answer_lost": Person("Iolanthe", "Pengelly", "11/12/1990", "1990-12-11", "TR18 4BY", "1000000043"),
}


@pytest.mark.parametrize("fault", ["refused", "never_answers", "answer_lost"])
def test_backend_down_during_submission_tells_the_truth_and_delivers_once(scaled, fault):
    person, sender = PEOPLE[fault], f"backend-{fault}-{uuid.uuid4().hex[:8]}"
    for turn, (text, expected) in enumerate(opt_out_steps(person)):
        assert expected in scaled.chat(turn % 2, sender, text)
    proxy = scaled.proxy
    try:
        if fault == "refused":
            proxy.refuse()
        else:
            proxy.default = "hang" if fault == "never_answers" else "drop_after_forward"
        started = time.monotonic()
        answer = scaled.say(0, sender, "yes", timeout=30)
        elapsed = time.monotonic() - started
        print(f"backend {fault}: learner answered in {elapsed:.1f} s")
        assert answer.status == 200 and QUEUED in answer.texts, answer
        assert not REFERENCE.search(answer.texts), "no reference can be given yet"
        assert elapsed < 10.0, f"the learner waited {elapsed:.1f} s"
        delivered_early = len(scaled.requests_for(sender))
        # Lost answers: the backend may hold it already; otherwise nothing arrived.
        assert delivered_early == (1 if fault == "answer_lost" else 0)
    finally:
        proxy.default = "pass"
        if fault == "refused":
            proxy.accept()
    assert wait_for(lambda: len(scaled.requests_for(sender)) >= 1, 45), "the outbox never delivered"
    time.sleep(6)  # three more outbox rounds: a duplicate would show up now
    records = scaled.requests_for(sender)
    assert len(records) == 1, f"delivered {len(records)} times"
    check_record(scaled.staff_get(records[0]["reference"]), person, sender)
