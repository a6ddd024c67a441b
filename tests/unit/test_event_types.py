"""speedups/event_types.py resolves every event name to the class Rasa's own walk finds, and
sees Event subclasses defined after its table was built."""
from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from speedups import event_types


@pytest.fixture
def installed():
    event_types.install()
    yield
    event_types.uninstall()


def rasa_answer(name, default=None):
    return event_types._original.__func__(name, default)


def test_every_event_name_gives_rasas_class(installed):
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "slot", "action", "bot", "active_loop"} <= names
    for name in names:
        assert Event.resolve_by_type(name) is rasa_answer(name), name
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


def test_a_later_subclass_is_found(installed):
    assert Event.resolve_by_type("user") is UserUttered  # table built

    class StaffNote(ActionExecuted):  # Event itself is abstract: Rasa skips abstract classes
        type_name = "plr_test_staff_note"

    assert Event.resolve_by_type("plr_test_staff_note") is StaffNote
    assert Event.from_parameters({"event": "user", "text": "hi", "parse_data": {}}) == UserUttered("hi")


def test_uninstall_restores_rasa():
    event_types.install()
    event_types.uninstall()
    assert Event.__dict__["resolve_by_type"] is event_types._original
    assert "__init_subclass__" not in Event.__dict__
