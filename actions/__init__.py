"""Custom actions of the PLR assistant, served by rasa-sdk (`rasa run actions`)."""
