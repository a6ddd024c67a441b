"""Project input channels for Rasa (loaded by module path from credentials.yml)."""
from channels import fast_model_load, jsonschema_once

# Every Rasa server imports this package at start-up (credentials.yml), before it loads the
# model and before any message.
jsonschema_once.install()
fast_model_load.install()
