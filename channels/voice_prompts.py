"""What the telephone channel itself says: when the caller is not heard, around a transfer, on
a fault. Everything else a caller hears comes from the domain's `twilio_voice` variations.

Kept short and plain, one idea per sentence, like the voice variations. Only the helpdesk
number is filled in: content/contacts.py's value, which HELPDESK_PHONE overrides.

`WelshVoicePrompts` says the same in Welsh, for a caller whose conversation is in Welsh; it
uses the official name Gwasanaeth Cofnodion Dysgu (docs/facts.yml, welsh.terms). Welsh text
here is spell-checked with aspell-cy (tests/voice/test_welsh_calls.py).
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


# Said in the Welsh voice before the greeting of every new call, so a Welsh speaker who does not
# follow the English greeting can switch at once: "To carry on in Welsh, press 9." Key 9 is free:
# the greeting's keypad menu uses 1-4, 0 asks for a person and * repeats.
WELSH_OFFER = "I barhau yn Gymraeg, pwyswch 9."
WELSH_OFFER_KEY = "9"
# What key 9 sends: the intent that switches the conversation to Welsh (domain/language.yml
# sets the `language` slot from it; data/rules/language.yml answers in Welsh).
CHOOSE_WELSH = "/choose_welsh"

# A Welsh response with buttons and no voice variation: "Neu pwyswch 1 ar gyfer Ie, pwyswch 2 ar gyfer Na."
WELSH_MENU_OR = "Neu"
WELSH_MENU_ITEM = "pwyswch {number} ar gyfer {title}"


@dataclass(frozen=True)
class WelshVoicePrompts(VoicePrompts):
    """The channel's own prompts in Welsh. Numbers are read digit by digit (a Welsh voice's
    reading of `telephone` is not documented)."""

    @property
    def phone(self) -> str:
        return f'<say-as interpret-as="digits">{self.helpdesk_phone}</say-as>'

    not_heard: str = "Mae'n ddrwg gen i, chlywais i mo hynny."
    keypad_offer: str = ("Mae'n ddrwg gen i, chlywais i mo hynny eto. "
                         "Gallwch ddefnyddio bysellbad eich ffôn yn lle hynny.")
    keypad_default: str = "I siarad â rhywun, pwyswch 0."
    say_again: str = "Mae'n ddrwg gen i, allech chi ddweud hynny eto?"
    anything_else: str = "Alla i helpu gydag unrhyw beth arall?"
    transfer_on_request: str = ("Fe wna i eich rhoi drwodd nawr i gynghorydd yn nesg gymorth "
                                "y Gwasanaeth Cofnodion Dysgu.")
    transfer_after_misses: str = (
        "Mae'n ddrwg gen i, rydw i'n cael trafferth deall. Fe wna i eich rhoi drwodd nawr i gynghorydd "
        "yn nesg gymorth y Gwasanaeth Cofnodion Dysgu.")
    fault: str = ("Mae'n ddrwg gen i, aeth rhywbeth o'i le ar ein hochr ni. Fe wna i eich rhoi drwodd nawr "
                  "i gynghorydd yn nesg gymorth y Gwasanaeth Cofnodion Dysgu.")

    @property
    def no_transfer(self) -> str:
        return (f"Alla i ddim eich rhoi drwodd o'r fan hon. Ffoniwch ddesg gymorth y Gwasanaeth Cofnodion "
                f"Dysgu ar {self.phone}. Hwyl fawr.")

    @property
    def dial_failed(self) -> str:
        return ("Mae'n ddrwg gen i, doedd dim cynghorydd ar gael i ateb. Gallwch ffonio desg gymorth y "
                f"Gwasanaeth Cofnodion Dysgu yn nes ymlaen ar {self.phone}. Alla i helpu gydag unrhyw beth arall?")

    dial_done: str = "Diolch am ffonio'r Gwasanaeth Cofnodion Dysgu. Hwyl fawr."
    busy: str = ("Mae'n ddrwg gen i, mae'r cynorthwyydd yn brysur iawn ar hyn o bryd. Fe wna i eich rhoi "
                 "drwodd nawr i gynghorydd yn nesg gymorth y Gwasanaeth Cofnodion Dysgu.")

    @property
    def too_many_calls(self) -> str:
        return ("Mae'n ddrwg gen i, all y cynorthwyydd ffôn ddim derbyn galwad arall o'ch rhif chi ar hyn o "
                f"bryd. Ffoniwch ddesg gymorth y Gwasanaeth Cofnodion Dysgu ar {self.phone}. Hwyl fawr.")
