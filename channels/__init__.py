"""Project input channels for Rasa (loaded by module path from credentials.yml)."""
from channels import jsonschema_once

# Every Rasa server imports this package at start-up (credentials.yml), before any message.
jsonschema_once.install()
