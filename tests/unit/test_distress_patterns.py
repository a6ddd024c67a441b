"""The safeguarding safety net's word patterns (nlu_components/distress_patterns.py), both ways."""
import time

import pytest

from nlu_components.distress_patterns import PATTERNS, find_distress, normalise

FIRES = [
    # suicide
    ("I want to kill myself", "kill_myself"),
    ("i wanna kil myself", "kill_myself"),
    ("thinking of topping myself", "kill_myself"),
    ("gonna kms", "kms"),
    ("i want to unalive", "unalive"),
    ("I feel suicidal", "suicide"),
    ("having sucidal thoughts", "suicide"),
    ("i just wanna die", "want_to_die"),
    ("I deserve to die", "want_to_die"),
    ("I wish I was dead", "wish_dead"),
    ("I'm going to end it all", "end_it"),
    ("I want to end my life", "end_it"),
    ("i dont want to live any more", "not_want_to_live"),
    ("I don't want to be here anymore", "not_want_to_live"),
    ("there's no point in living", "no_point_living"),
    ("I'm sick of living", "tired_of_life"),
    ("they'd be better off without me", "better_off_without_me"),
    ("nobody would miss me", "nobody_would_miss_me"),
    ("no one would care if I died", "nobody_would_miss_me"),
    ("I want to go to sleep and never wake up again", "never_wake_up"),
    ("i just wanna vanish", "disappear"),
    ("I want it all to stop", "want_it_to_end"),
    ("I won't be around much longer", "not_around_long"),
    ("thinking of jumping off the multi storey", "jump"),
    ("I took an overdose", "overdose"),
    ("i swallowed a load of paracetamol", "pills"),
    ("I've been stockpiling tablets", "pills"),
    ("I bought a rope", "hanging"),
    ("I've written a goodbye letter", "goodbye_note"),
    ("honestly it's not worth living", "not_worth_living"),
    ("I feel like I'm a burden", "not_worth_living"),
    ("I keep thinking about death", "thinking_of_death"),
    ("how many tablets would kill you", "thinking_of_death"),
    # self-harm
    ("I self-harm", "self_harm"),
    ("been self harming", "self_harm"),
    ("I cut myself last night", "harm_myself"),
    ("I keep hurting myself", "harm_myself"),
    ("I've got scars all over my arms", "cuts_on_body"),
    ("I'm scared I'll do something to myself", "do_to_myself"),
    ("my sister is cutting herself", "others_harm_themselves"),
    # abuse
    ("my dad hits me", "person_hurts_me"),
    ("My stepmum slaps me when she's angry", "person_hurts_me"),
    ("my brother beats me up", "person_hurts_me"),
    ("my boyfriend keeps hurting me", "person_hurts_me"),
    ("I was sexually abused", "sexual_abuse"),
    ("I'm being bullied", "being_abused"),
    ("kids at school bully me every day", "bullying"),
    ("someone is making me carry drugs", "forced"),
    ("he wants me to send nudes", "images"),
    ("they lock me out of the house at night", "locked_in"),
    ("a message threatening to kill me", "threat_to_kill"),
    ("I feel like there's no way out", "no_way_out"),
    ("my dad will kill me if I tell anyone", "person_hurts_me"),
    # danger
    ("I'm scared to go home", "scared_to_go_home"),
    ("im scared of my stepdad", "scared_to_go_home"),
    ("I don't feel safe at home", "in_danger"),
    ("I'm in danger", "in_danger"),
    ("I've got nowhere to sleep tonight", "nowhere_safe"),
    ("someone is trying to get into my flat", "break_in"),
    ("I'm going to hurt someone", "harm_others"),
    # voice-transcribed: no capitals, no punctuation
    ("i dont want to be alive anymore", "not_want_to_live"),
    ("my mum punches me when shes drunk", "person_hurts_me"),
]

QUIET = [
    # the look-alikes named in issue 20
    "I'm dying to know what a ULN is",
    "how do I kill the request I started",
    "this form is killing me",
    "I could kill for a cup of tea",
    "cutting my losses",
    "I'm not going to hurt anyone",
    "kill the process",
    # more idioms
    "these questions are killing me",
    "my feet are killing me",
    "my mum is going to kill me when she sees my grades",
    "my teacher would kill me if I forgot my ULN",
    "I nearly killed myself laughing",
    "I'd die of embarrassment",
    "my phone battery is about to die",
    "my laptop is going to die",
    "beats me, I never got a ULN",
    "he beat me at fifa",
    "my mate hit me up about the form",
    "my college kicked me off the course",
    "I got kicked out of college",
    "people keep following me on instagram",
    "is my data being abused",
    "I hit the wrong button",
    "cut the chat short",
    "how do I end this chat",
    "end the request",
    "I want this request to stop",
    "I want everything to stop being shared",
    "I'm afraid I don't know my ULN",
    "I'm scared of people seeing my grades",
    "is my data safe",
    "is it safe to give my date of birth",
    "I take all my meds every morning",
    "I'll take myself to the college office",
    "learning the ropes",
    "I hurt myself playing football",
    "I've had enough of this form",
    "I'm done with this form",
    "nobody ever helps me",
    "is there a deadline",
    "I'm on a diet",
    "my surname is Dye",
    "Killick",
    "Bridge Street",
    "DY1 4AA",
    "can I jump to the last question",
    "I'm thinking of dying my hair",
    "is it worth opting out",
    "the portal locked me out of my account",
    # negated
    "I'm not suicidal, just annoyed",
    "I would never hurt myself",
    "my dad never hits me, he is lovely",
    "I won't kill myself, don't worry",
    "",
]


@pytest.mark.parametrize("text,name", FIRES)
def test_fires(text, name):
    assert find_distress(text) == name


@pytest.mark.parametrize("text", QUIET)
def test_quiet(text):
    assert find_distress(text) is None


def test_normalise_drops_apostrophes_and_punctuation():
    assert normalise("I’m NOT   ok!!") == " im not ok "
    assert normalise("self-harm") == " self harm "


def test_every_pattern_is_exercised():
    assert {p.name for p in PATTERNS} - {name for _, name in FIRES} == set()


def test_fast_enough_for_every_message():
    texts = [t for t, _ in FIRES] + QUIET
    start = time.perf_counter()
    for _ in range(20):
        for text in texts:
            find_distress(text)
    per_message = (time.perf_counter() - start) / (20 * len(texts))
    assert per_message < 0.002
