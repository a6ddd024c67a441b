"""LanguageDetector: a message written in Welsh gets the entity `language: cy` (issue 22).

The `language` slot is filled from that entity (domain/language.yml), so the assistant answers
in Welsh from the first Welsh message on, on every channel, with no setting. It never switches
back by itself: a Welsh speaker often types English words ("dwi isio opt out"), so English is
chosen only by asking for it, and the `choose_english` / `choose_welsh` intents give
`language: en` / `cy` whatever the words' language.

Two signals decide that a message is Welsh:
- lingua (a maintained language identifier for short texts, limited here to English and
  Welsh) gives Welsh a confidence of at least `threshold` to a message of at least
  `min_words` words (alone, it took "thx" and "kms" for Welsh); or
- the message has a word that is Welsh and not English ("ydw", "isio", "diolch", "Mawrth") and
  lingua's Welsh confidence is at least `marker_threshold`, which catches short and
  code-switched messages ("ie", "dw i isio optio allan plis") that lingua alone is unsure of.

A message of one to three capitalised words and nothing else is a name ("Rhys Llewelyn"), so
it says nothing about the learner's language; nor do digits, postcodes and references.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from lingua import Language, LanguageDetectorBuilder
from plr_common.welsh import MONTHS
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

ENTITY = "language"
WELSH, ENGLISH = "cy", "en"
CHOSEN_BY_INTENT = {"choose_welsh": WELSH, "choose_english": ENGLISH}

# Common Welsh words that are not English words, in the spellings learners type (no accents,
# colloquial forms). "na", "do", "dim", "bore", "bod", "gen" and "mai" are left out: they are English words too.
MARKERS = frozenset("""
    dw dwi dwin dwisio ydw yndw ydy ydi yndi ydyn ydych ydyw yw wyt mae oes sy sydd sgen sgin
    beth sut pam pryd ble pwy faint fy eich ein chi ti hoffwn isio eisiau ishe moyn angen
    gallu gallwch gallaf alla alli fedra fedrwch medru ga gaf cael gael gwneud wneud
    gwnewch helpa helpu diolch allan mewn cofnod cofnodion nghofnod gofnod dysgu dysgwr
    unigryw rhif rhifau preifatrwydd hysbysiad rhannu rannu cais gais nghais chais canslo
    naddo nac nage iawn ie ia efo gyda rwan rŵan nawr yma hefyd ond neu wedi fod wrth
    gennych gennyf dwed dweud siarad cymraeg gymraeg saesneg prynhawn noswaith shwmae
    shwmai helo hwyl yn yr ac ydach dach dyna dyma rhywun rywun ffonio ffeindio ffeindia
    colli ngholli enw cyfeiriad dyddiad geni ngeni hoffech eisiau isho gwybod
    wybod gweld weld ddim dydw dydy dydi nid oedd roedd bydd fydd byddwn newid stopio
    optio optiwch nghyfrif ysgol coleg prifysgol
""".split())
MARKERS = MARKERS | {month for month in MONTHS if month not in {"mai", "fai", "maw", "hyd", "aws", "ion", "rhag"}}

_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
# A request reference ("PLR-7K3M-9QXD", typed in any case and spacing) and an email address
# are letters without a language: lingua once took a lowercase reference for Welsh.
_NO_LANGUAGE = re.compile(r"\bplr[\s-]*[a-z0-9]{4}[\s-]*[a-z0-9]{4}\b|\S+@\S+", re.IGNORECASE)


def _looks_like_a_name(words: List[str]) -> bool:
    return 1 <= len(words) <= 3 and all(w[:1].isupper() for w in words) and not any(
        w.lower() in MARKERS for w in words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Chosen on the training phrasings of both languages (scripts/language_eval.py --sweep):
        # the held-out sets are only reported.
        return {"threshold": 0.9, "min_words": 2, "marker_threshold": 0.1}

    def __init__(self, config: Dict[str, Any]) -> None:
        settings = {**self.get_default_config(), **config}
        self.threshold = float(settings["threshold"])
        self.marker_threshold = float(settings["marker_threshold"])
        self.min_words = int(settings["min_words"])
        # Only two languages: lingua then loads two small models and answers in well under 1 ms.
        self._lingua = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.WELSH).build()

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LanguageDetector:
        return cls(config)

    def language_of(self, text: str) -> Optional[str]:
        """`cy` when the text is Welsh, None when it is English or says nothing either way."""
        text = _NO_LANGUAGE.sub(" ", text or "")
        words = _WORDS.findall(text)
        if not words or _looks_like_a_name(words):
            return None
        welsh = self._lingua.compute_language_confidence(text, Language.WELSH)
        if welsh >= self.threshold and len(words) >= self.min_words:
            return WELSH
        if welsh >= self.marker_threshold and any(w.lower().replace("’", "'") in MARKERS for w in words):
            return WELSH
        return None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            language = CHOSEN_BY_INTENT.get(intent) or self.language_of(message.get(TEXT) or "")
            if language is None:
                continue
            entities = [e for e in message.get(ENTITIES, []) if e.get(ENTITY_ATTRIBUTE_TYPE) != ENTITY]
            entities.append({ENTITY_ATTRIBUTE_TYPE: ENTITY, ENTITY_ATTRIBUTE_VALUE: language,
                             EXTRACTOR: self.__class__.__name__})
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
