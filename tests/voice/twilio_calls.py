"""A test caller: posts Twilio-shaped, signed form requests to the running Rasa server's voice
webhook and reads the TwiML it returns, following each `<Gather>`'s action URL like Twilio.

Signatures are made with twilio's own RequestValidator and the stack's TWILIO_AUTH_TOKEN,
over the URL Twilio would have called (TWILIO_PUBLIC_URL when set, as the channel checks).
"""
from __future__ import annotations

import secrets
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Dict, List, Optional

from twilio.request_validator import RequestValidator

from channels.twilio_voice import WEBHOOK_PATH, public_webhook_url

ACCOUNT_SID = "AC" + "0" * 32  # synthetic
HELPLINE = "+443000000000"  # synthetic number the caller dialled


def new_call_sid() -> str:
    return "CA" + secrets.token_hex(16)


@dataclass
class Reply:
    status: int
    body: str

    @property
    def root(self) -> ET.Element:
        return ET.fromstring(self.body)

    @property
    def gather(self) -> Optional[ET.Element]:
        return self.root.find("Gather")

    @property
    def dial(self) -> Optional[ET.Element]:
        return self.root.find("Dial")

    @property
    def hangup(self) -> bool:
        return self.root.find("Hangup") is not None

    @property
    def says(self) -> List[ET.Element]:
        return list(self.root.iter("Say"))

    @property
    def text(self) -> str:
        """Everything the caller hears, markup removed, one space between elements."""
        return " ".join(" ".join("".join(say.itertext()).split()) for say in self.says)

    def say_as(self, interpret_as: str) -> List[str]:
        return [e.text or "" for say in self.says for e in say.iter("say-as") if e.get("interpret-as") == interpret_as]


class Caller:
    def __init__(self, rasa_url: str, env: Dict[str, str], number: str = "+447700900123",
                 call_sid: Optional[str] = None) -> None:
        self.webhook = rasa_url + WEBHOOK_PATH
        self.public = public_webhook_url(env.get("TWILIO_PUBLIC_URL"))
        self.validator = RequestValidator(env["TWILIO_AUTH_TOKEN"])
        self.number = number
        self.call_sid = call_sid or new_call_sid()
        self.next_url: Optional[str] = None
        self.replies: List[Reply] = []

    # --- what Twilio sends ------------------------------------------------------------------
    def params(self, status: str, **extra: str) -> Dict[str, str]:
        return {"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": self.call_sid,
                "From": self.number, "Caller": self.number, "To": HELPLINE, "Called": HELPLINE,
                "Direction": "inbound", "CallStatus": status, **extra}

    def signed_url(self, url: str) -> str:
        if not self.public:
            return url
        query = urllib.parse.urlsplit(url).query
        return f"{self.public}?{query}" if query else self.public

    def post(self, url: str, params: Dict[str, str], signature: Optional[str] = "auto",
             body: Optional[bytes] = None, idempotency_token: Optional[str] = "auto") -> Reply:
        data = body if body is not None else urllib.parse.urlencode(params).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        # Twilio gives every request a token of its own (kept on its retries); the channel
        # answers a repeat of one with the first answer (channels/replay.py).
        if idempotency_token == "auto":
            idempotency_token = secrets.token_hex(16)
        if idempotency_token is not None:
            headers["I-Twilio-Idempotency-Token"] = idempotency_token
        if signature == "auto":
            signature = self.validator.compute_signature(self.signed_url(url), params)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                reply = Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())
        assert reply.status == 200, reply
        assert len(reply.root) > 0, f"an empty <Response/> ends the call: {reply.body}"
        self.replies.append(reply)
        if reply.gather is not None:
            self.next_url = urllib.parse.urljoin(url, reply.gather.get("action"))
        return reply

    # --- a caller's actions -----------------------------------------------------------------
    def ring(self) -> Reply:
        return self.post(self.webhook, self.params("ringing"))

    def _turn(self, **fields: str) -> Reply:
        assert self.next_url, "the last reply did not listen for an answer"
        return self.post(self.next_url, self.params("in-progress", **fields))

    def say(self, speech: str, confidence: str = "0.92") -> Reply:
        return self._turn(SpeechResult=speech, Confidence=confidence, Language="en-GB")

    def press(self, digits: str) -> Reply:
        return self._turn(Digits=digits, FinishedOnKey="#" if len(digits) > 1 else "")

    def silence(self) -> Reply:
        return self._turn()

    def dial_ended(self, dial_status: str, url: str) -> Reply:
        return self.post(url, self.params("in-progress", DialCallStatus=dial_status))

    def hang_up(self) -> Reply:
        # The number's status callback, on the same webhook.
        return self.post(self.webhook, self.params("completed", CallDuration="95"))
