"""Project input channels for Rasa (loaded by module path from credentials.yml)."""
