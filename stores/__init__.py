"""Rasa tracker and lock stores that report failures instead of hiding them (endpoints*.yml)."""
