"""The LRS helpdesk's staff console: a small FastAPI app with server-rendered GOV.UK pages."""
