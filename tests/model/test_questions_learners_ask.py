"""The trained model in-process on issue 20's messages: the questions learners still asked and
got a wrong answer to now reach their own topic, and a question about a parent opting a
teenager out is a question, not a request."""
from __future__ import annotations

import pytest

from tests.model.test_faq_model import parse


@pytest.mark.parametrize("text, topic", [
    ("what do you do with the details I give you here?", "faq/chat_privacy"),
    ("what do you do with my details", "faq/chat_privacy"),
    ("is this chat private", "faq/chat_privacy"),
    ("privacy", "faq/chat_privacy"),
    ("delete my data", "faq/delete_data"),
    ("I'm 15, can my mum opt me out?", "faq/parent_carer"),
    ("is this call free?", "faq/call_costs"),
])
def test_the_issues_questions_get_their_own_topic(agent, text, topic):
    assert parse(agent, text) == ("faq", topic)


@pytest.mark.parametrize("text", ["I'm 15, can my mum opt me out?", "my son is 16 how do i opt him out"])
def test_a_parent_asking_is_not_a_request(agent, text):
    assert parse(agent, text)[0] not in ("request_opt_out", "request_opt_in")
