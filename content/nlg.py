"""Rasa's response NLG, with the contact placeholders filled in.

Responses in domain/ write "call the LRS helpdesk on {helpdesk_phone}". Rasa fills a
placeholder from the conversation's slots and from the values an action passes; this
generator adds content/contacts.py's values beneath those, for every response, whether a
rule, a form, the FAQ's retrieval action or a custom action asked for it. endpoints.yml names
it (`nlg: type: content.nlg.ContactDetailsNLG`).
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from content import contacts


class ContactDetailsNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None,
                 environ: Optional[Mapping[str, str]] = None) -> None:
        super().__init__((domain or Domain.empty()).responses)
        # Settings are read once: a server's environment does not change while it runs.
        self.contact_values: Dict[str, str] = contacts.values(environ)

    async def generate(self, utter_action: str, tracker: DialogueStateTracker, output_channel: str,
                       **kwargs: Any) -> Optional[Dict[str, Any]]:
        filled_slots = tracker.current_slot_values()
        return self.generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)

    def generate_from_slots(self, utter_action: str, filled_slots: Dict[str, Any], output_channel: str,
                            **kwargs: Any) -> Optional[Dict[str, Any]]:
        # Slots and an action's own values win: the contacts only fill what nothing else does.
        values = {**self.contact_values, **{k: v for k, v in filled_slots.items() if v is not None}}
        return super().generate_from_slots(utter_action, values, output_channel, **kwargs)
