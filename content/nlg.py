"""Rasa's response NLG, with the contact placeholders filled in.

Responses in domain/ write "call the LRS helpdesk on {helpdesk_phone}". Rasa fills a
placeholder from the conversation's slots and from the values an action passes; this
generator adds content/contacts.py's values beneath those, for every response, whether a
rule, a form, the FAQ's retrieval action or a custom action asked for it. endpoints.yml names
it (`nlg: type: content.nlg.ContactDetailsNLG`).

In a conversation whose `language` slot is `cy` it chooses among the Welsh responses of
content/cy/ (content/welsh.py) instead, and marks what it renders from them with
`"language": "cy"`, which Rasa passes to the channels (a Welsh voice, `lang="cy"` on the page).
"""
from __future__ import annotations

import random
from typing import Any, Dict, Mapping, Optional

from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from content import contacts, welsh


class ContactDetailsNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None,
                 environ: Optional[Mapping[str, str]] = None) -> None:
        self._welsh_files = welsh.welsh_responses()
        super().__init__((domain or Domain.empty()).responses)
        # Settings are read once: a server's environment does not change while it runs.
        self.contact_values: Dict[str, str] = contacts.values(environ)

    @property
    def responses(self) -> Dict[str, Any]:
        return self._english

    @responses.setter
    def responses(self, english: Dict[str, Any]) -> None:
        # Rasa's Agent creates the NLG with an empty domain and sets the model's responses later
        # (rasa/core/agent.py), so the Welsh are paired whenever the English ones are set.
        self._english = english
        self.welsh = welsh.paired_with_english(english, self._welsh_files) if english else {}

    async def generate(self, utter_action: str, tracker: DialogueStateTracker, output_channel: str,
                       **kwargs: Any) -> Optional[Dict[str, Any]]:
        filled_slots = tracker.current_slot_values()
        return self.generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)

    def generate_from_slots(self, utter_action: str, filled_slots: Dict[str, Any], output_channel: str,
                            **kwargs: Any) -> Optional[Dict[str, Any]]:
        # Slots and an action's own values win: the contacts only fill what nothing else does.
        values = {**self.contact_values, **{k: v for k, v in filled_slots.items() if v is not None}}
        rendered = super().generate_from_slots(utter_action, values, output_channel, **kwargs)
        if rendered is not None and self._in_welsh(utter_action, values):
            rendered[welsh.LANGUAGE_KEY] = welsh.WELSH
        return rendered

    def _in_welsh(self, utter_action: str, filled_slots: Dict[str, Any]) -> bool:
        return filled_slots.get(welsh.LANGUAGE_SLOT) == welsh.WELSH and utter_action in self.welsh

    def _random_response_for(self, utter_action: str, output_channel: str,
                             filled_slots: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        if not self._in_welsh(utter_action, filled_slots):
            return super()._random_response_for(utter_action, output_channel, filled_slots)
        # Rasa's own choice of channel and condition, among the Welsh variations alone.
        suitable = ResponseVariationFilter(self.welsh).responses_for_utter_action(
            utter_action, output_channel, filled_slots)
        return random.choice(suitable) if suitable else None
