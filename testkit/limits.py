"""Abuse limits for stacks whose every client is this machine's test runner or bench.

The channels count messages, new conversations and waiting turns per client address, and new
calls per caller (channels/abuse.py): generously enough for a college's shared address, but
not for a test session or a bench that sends all its traffic from 127.0.0.1 on behalf of many
learners, or test calls that all come from one synthetic number. Those stacks pass these
values through their environment; the limits themselves are tested with low values in
tests/hardening. Per-connection and per-conversation limits stay as configured.
"""
ONE_CLIENT_FOR_MANY_LEARNERS = {
    "MESSAGES_PER_ADDRESS_PER_MINUTE": "1000000",
    "MESSAGES_PER_ADDRESS_BURST": "1000000",
    "WEB_SESSIONS_PER_ADDRESS_PER_MINUTE": "1000000",
    "WEB_SESSIONS_PER_ADDRESS_BURST": "1000000",
    "REST_SENDERS_PER_ADDRESS_PER_MINUTE": "1000000",
    "REST_SENDERS_PER_ADDRESS_BURST": "1000000",
    "VOICE_CALLS_PER_CALLER_PER_MINUTE": "1000000",
    "VOICE_CALLS_PER_CALLER_BURST": "1000000",
    "PLR_MAX_TURNS_WAITING_PER_ADDRESS": "100000",
}
