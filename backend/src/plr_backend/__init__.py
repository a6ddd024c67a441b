"""The backend that stores the PLR assistant's opt-out / opt-in requests for helpdesk staff."""
