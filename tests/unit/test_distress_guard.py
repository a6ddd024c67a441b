"""DistressGuard: the patterns or the classifier's own safeguarding probability set the intent
to safeguarding at 1.0, the classifier's ranking kept below; anything else is left alone."""
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.distress_guard import DistressGuard


def parsed(text, ranking):
    ranking = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(data={TEXT: text})
    message.set(INTENT, ranking[0], add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    return message


def guard(message, threshold=0.3):
    DistressGuard({"classifier_threshold": threshold}).process([message])
    return message.get(INTENT), [e["name"] for e in message.get(INTENT_RANKING_KEY)]


def test_a_pattern_overrides_whatever_the_classifier_said():
    intent, ranking = guard(parsed("how do I opt out, I want to kill myself", [("request_opt_out", 0.9),
                                                                             ("safeguarding", 0.05)]))
    assert intent == {"name": "safeguarding", "confidence": 1.0}
    assert ranking == ["safeguarding", "request_opt_out"]


def test_the_classifiers_own_probability_is_enough_at_the_threshold():
    intent, ranking = guard(parsed("everything is grey", [("chitchat", 0.5), ("safeguarding", 0.3)]))
    assert intent["name"] == "safeguarding" and ranking == ["safeguarding", "chitchat"]


def test_below_the_threshold_and_no_pattern_nothing_changes():
    intent, ranking = guard(parsed("this form is killing me", [("chitchat", 0.7), ("safeguarding", 0.29)]))
    assert intent == {"name": "chitchat", "confidence": 0.7}
    assert ranking == ["chitchat", "safeguarding"]


def test_a_message_without_text_is_left_alone():
    message = Message(data={})
    DistressGuard({}).process([message])
    assert message.get(INTENT) is None
