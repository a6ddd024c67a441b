"""Find an event's class by its name from a table, not by walking every Event subclass.

Rasa 3.6's `Event.resolve_by_type` walks `all_subclasses(Event)` (recursive `__subclasses__`)
for each event it reads back: a conversation has tens to hundreds of events, and the tracker store
reads one back on every message, so under `make bench` load this walk inside
`deserialise_tracker` is a visible share of the Rasa server's CPU (py-spy).

The table holds the same answer: for each type name, the first class in `all_subclasses(Event)`
order that carries it, exactly the one Rasa's loop returns. A class defined later (an Event
subclass created after the table) empties the table through `Event.__init_subclass__`, so it is
rebuilt with the new class in place. Unknown names still go to Rasa's own method, which keeps its
answers for them (the old "topic", a default, or its ValueError). Installed with the others by
speedups.install().
"""
from __future__ import annotations

from typing import Dict, Optional, Type

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_original = Event.__dict__["resolve_by_type"]
_table: Optional[Dict[str, Type[Event]]] = None


def _by_type_name() -> Dict[str, Type[Event]]:
    global _table
    if _table is None:
        table: Dict[str, Type[Event]] = {}
        for cls in all_subclasses(Event):
            table.setdefault(cls.type_name, cls)
        _table = table
    return _table


def resolve_by_type(type_name: str, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    found = _by_type_name().get(type_name)
    return found if found is not None else _original.__func__(type_name, default)


def _forget_table(cls: Type[Event], **kwargs) -> None:
    global _table
    _table = None
    super(Event, cls).__init_subclass__(**kwargs)


def install() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)
    Event.__init_subclass__ = classmethod(_forget_table)


def uninstall() -> None:
    global _table
    Event.resolve_by_type = _original
    if "__init_subclass__" in Event.__dict__:
        del Event.__init_subclass__
    _table = None
