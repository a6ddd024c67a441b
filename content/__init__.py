"""What the assistant says, beyond the response texts in domain/: the contact details and
figures those texts name as {placeholders} (contacts.yml, contacts.py) and the Rasa NLG that
fills them in for every channel (nlg.py)."""
