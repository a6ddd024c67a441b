"""What a simulated learner says in the benchmark, and which response must come back.

The phrasings are taken from the training data on purpose: the benchmark measures speed and
robustness (timeouts, empty replies, a flow that breaks under load), not NLU accuracy, which
`make eval` measures on held-out phrasings. A reply that is empty, or is not the expected
response (compared with the domain's response texts), counts as an error.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterator, List, Tuple


@dataclass(frozen=True)
class Say:
    text: str
    expect: Tuple[str, ...]  # response names, in order, one per text message of the reply
    label: str = ""


FAQ = [
    ("What is a ULN?", "utter_faq/uln_what"),
    ("What is a Personal Learning Record?", "utter_faq/plr_what"),
    ("Who can see my PLR?", "utter_faq/who_can_see"),
    ("How do I find my ULN?", "utter_faq/uln_find"),
    ("Can my employer see my PLR?", "utter_faq/employers"),
    ("How long do you keep my data?", "utter_faq/retention"),
    ("Where does my PLR data come from?", "utter_faq/data_sources"),
    ("how do i contact the ico", "utter_faq/complaint_ico"),
    ("What is the LRS helpdesk number?", "utter_faq/helpdesk"),
]
SMALL_TALK = [
    ("how are you", ("utter_chitchat",)),
    ("thanks", ("utter_welcome",)),
    ("are you a bot?", ("utter_iamabot",)),
    ("hello", ("utter_greet",)),
    ("tell me a joke", ("utter_chitchat",)),
]
PEOPLE = [("Jane", "Smith"), ("Omar", "Khan"), ("Priya", "Patel"), ("Tom", "Harris"), ("Ella", "Jones"),
          ("Sam", "Lee"), ("Amara", "Okafor"), ("Leo", "Brooks")]
DATES = [("12/03/2001", "2001-03-12"), ("3 April 1999", "1999-04-03"), ("2002-07-19", "2002-07-19"),
         ("21 January 2003", "2003-01-21")]
POSTCODES = ["SW1A 1AA", "M1 1AE", "CF10 3AT", "LS1 4AP", "B1 1BB", "EH1 1YZ"]
ULNS = ["1748529632", "1000000043", "1234567899", "9999999998", "1830166130", "2860913903"]  # valid check digits


def assistant_learner(seed: int) -> Iterator[List[Say]]:
    """Endless conversations of one simulated learner: questions, then a full opt-out with one
    validation error (an impossible date) and the backend write, then a question and thanks."""
    for n in itertools.count(seed):
        given, family = PEOPLE[n % len(PEOPLE)]
        dob, _ = DATES[n % len(DATES)]
        faq = [FAQ[(n + i) % len(FAQ)] for i in range(3)]
        yield [
            Say("hello", ("utter_greet",), "greet"),
            Say(faq[0][0], (faq[0][1],), "faq"),
            Say(faq[1][0], (faq[1][1],), "faq"),
            Say("I want to opt out", ("utter_request_consent_opt_out",), "opt_out_start"),
            Say("yes", ("utter_ask_given_name",), "form"),
            Say(given, ("utter_ask_family_name",), "form"),
            Say(family, ("utter_ask_date_of_birth",), "form"),
            Say("31/02/2001", ("utter_invalid_date_impossible", "utter_ask_date_of_birth"), "form_invalid"),
            Say(dob, ("utter_ask_postcode",), "form"),
            Say(POSTCODES[n % len(POSTCODES)], ("utter_ask_has_previous_name",), "form"),
            Say("no", ("utter_ask_knows_uln",), "form"),
            Say("yes", ("utter_ask_uln",), "form"),
            Say(ULNS[n % len(ULNS)], ("utter_ask_contact_email",), "form"),
            Say("no", ("utter_review_request_opt_out",), "read_back"),
            Say("yes", ("utter_request_submitted_opt_out",), "submit"),
            Say(faq[2][0], (faq[2][1],), "faq"),
            Say("thanks", ("utter_welcome",), "thanks"),
        ]


def reference_learner(seed: int) -> Iterator[List[Say]]:
    """The `rasa init` bot's own conversations: greet, mood, cheer-up, bot check, goodbye."""
    for _ in itertools.count(seed):
        yield [
            Say("hello", ("utter_greet",), "greet"),
            Say("I am feeling very good", ("utter_happy",), "mood"),
            Say("are you a bot?", ("utter_iamabot",), "bot"),
            Say("hi", ("utter_greet",), "greet"),
            Say("I am sad", ("utter_cheer_up", "utter_did_that_help"), "mood"),
            Say("yes", ("utter_happy",), "affirm"),
            Say("bye", ("utter_goodbye",), "goodbye"),
        ]


def long_conversation(turns: int = 200) -> List[Say]:
    """One sender, FAQ questions and small talk in turn, `turns` messages."""
    said: List[Say] = []
    for i in range(turns):
        if i % 2 == 0:
            text, name = FAQ[(i // 2) % len(FAQ)]
            said.append(Say(text, (name,), "faq"))
        else:
            text, names = SMALL_TALK[(i // 2) % len(SMALL_TALK)]
            said.append(Say(text, names, "small_talk"))
    return said
