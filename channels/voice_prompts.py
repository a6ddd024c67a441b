"""What the telephone channel itself says: when the caller is not heard, around a transfer, on
a fault. Everything else a caller hears comes from the domain's `twilio_voice` variations.

Kept short and plain, one idea per sentence, like the voice variations. Only the helpdesk
number is filled in: content/contacts.py's value, which HELPDESK_PHONE overrides.
"""
from __future__ import annotations

from dataclasses import dataclass

from content import contacts


@dataclass(frozen=True)
class VoicePrompts:
    # The telephone channel passes its configured number; this default is the reviewed one.
    helpdesk_phone: str = contacts.value("helpdesk_phone")

    @property
    def phone(self) -> str:
        return f'<say-as interpret-as="telephone">{self.helpdesk_phone}</say-as>'

    # First silent or unheard turn: say so, then ask the question again.
    not_heard: str = "Sorry, I did not catch that."
    # Second: the keypad, with what the question's directive says to key (or 0 for a person).
    keypad_offer: str = "Sorry, I still did not catch that. You can use your telephone keypad instead."
    keypad_default: str = "To talk to a person, press 0."
    # The assistant said nothing speakable (an action failed, say): never leave the caller in silence.
    say_again: str = "Sorry, could you say that again?"
    anything_else: str = "Is there anything else I can help with?"
    transfer_on_request: str = "I'll put you through to an adviser at the LRS helpdesk now."
    transfer_after_misses: str = (
        "I'm sorry, I'm having trouble understanding. I'll put you through to an adviser at the LRS helpdesk now.")
    fault: str = "Sorry, something went wrong on our side. I'll put you through to an adviser at the LRS helpdesk now."

    @property
    def no_transfer(self) -> str:
        return f"I cannot put you through from here. Please call the LRS helpdesk on {self.phone}. Goodbye."

    @property
    def dial_failed(self) -> str:
        return (f"Sorry, no adviser could answer just now. You can call the LRS helpdesk later on {self.phone}. "
                "Is there anything else I can help with?")

    dial_done: str = "Thank you for calling the Learning Records Service. Goodbye."
    # The server has as many turns waiting as it may queue (channels/abuse.py).
    busy: str = ("Sorry, the assistant is very busy at the moment. "
                 "I'll put you through to an adviser at the LRS helpdesk now.")

    @property
    def too_many_calls(self) -> str:
        # One number started many calls in a short time (channels/abuse.py).
        return ("Sorry, the phone assistant cannot take another call from your number just now. "
                f"Please call the LRS helpdesk on {self.phone}. Goodbye.")
