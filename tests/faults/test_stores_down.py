"""PostgreSQL (tracker store) or Redis (lock store) stopped mid-conversation: detected (health
route 503 naming the part, an ALERT in the Rasa server's log), reported to the learner with the
helpdesk number instead of a fresh conversation, and nothing lost: once the store is back the
conversation carries on with every detail given before."""
from __future__ import annotations

import uuid

import pytest

from testkit.opt_out import REFERENCE, Person, check_record, opt_out_steps
from testkit.scaled import wait_for
from testkit.web_learner import WebLearner, run, texts
from tests.voice.twilio_calls import Caller

pytestmark = pytest.mark.stack
HELPDESK = "0345 602 2589"
GREETING = "Hello, I'm the Learning Records Service assistant"

CASES = {
    "tracker_store": (Person("Jowan", "Kitto", "3/3/1996", "1996-03-03", "TR7 1HU", "3000000029"),
                      "stop_postgres", "start_postgres"),
    "lock_store": (Person("Kensa", "Nankervis", "27/8/1994", "1994-08-27", "TR15 3RH", "1000000043"),
                   "stop_redis", "start_redis"),
}


def alert_count(scaled, component: str) -> int:
    return sum(path.read_text(errors="replace").count(f"ALERT {component} unavailable")
               for path in scaled.stack.log_files() if path.name.startswith("rasa-"))


@pytest.mark.parametrize("component", list(CASES))
def test_a_stopped_store_is_detected_reported_and_loses_nothing(scaled, component):
    person, stop, start = CASES[component]
    sender = f"{component}-{uuid.uuid4().hex[:8]}"
    steps = opt_out_steps(person)
    for text, expected in steps[:3]:
        assert expected in scaled.chat(0, sender, text)
    learner = run(WebLearner(scaled.config.public_url).connect())
    try:
        for text, expected in steps[:3]:
            assert expected in texts(run(learner.say(text)))
        alerts_before = alert_count(scaled, component)
        phone = Caller(scaled.config.public_url, {**scaled.env, "TWILIO_PUBLIC_URL": scaled.config.public_url})
        phone.ring()

        getattr(scaled.stack, stop)()
        try:
            for server in (0, 1):
                answer = scaled.say(server, sender, steps[3][0])
                assert answer.status == 200 and answer.headers.get("X-PLR-Turn") == "failed", answer
                assert HELPDESK in answer.texts and GREETING not in answer.texts, answer.texts
            web = texts(run(learner.say(steps[3][0])))
            assert HELPDESK in web and GREETING not in web and steps[3][1] not in web, web
            spoken = phone.say("what is a ULN")
            assert "something went wrong on our side" in spoken.text and spoken.dial is not None, spoken.body
            for server in (0, 1):
                status, report = scaled.health(server)
                assert status == 503 and report["components"][component]["status"].startswith("failing"), report
                assert report["components"][component]["failures_since_start"] > 0
            assert wait_for(lambda: alert_count(scaled, component) > alerts_before, 5), "no ALERT logged"
        finally:
            getattr(scaled.stack, start)()

        # Back: the same message now works, and every earlier detail is still there.
        assert steps[3][1] in scaled.chat(1, sender, steps[3][0])
        slots = scaled.tracker(0, sender)["slots"]
        assert (slots["given_name"], slots["family_name"], slots["date_of_birth"], slots["postcode"]) == (
            person.given, person.family, person.dob_iso, person.postcode)
        assert steps[3][1] in texts(run(learner.say(steps[3][0])))
        for text, expected in steps[4:]:
            assert expected in scaled.chat(0, sender, text)
        reference = REFERENCE.search(scaled.chat(1, sender, "yes"))
        assert reference
        check_record(scaled.staff_get(reference.group(0)), person, sender)
        for server in (0, 1):
            assert scaled.health(server)[0] == 200
    finally:
        run(learner.close())
