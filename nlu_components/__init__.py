"""The NLU pipeline's own graph components (config.yml): sentence encoder, intent classifier,
FAQ selector, distress guard and language detector, each a Rasa extension point."""
