"""Helpers that test suites and tools use to run real services: ports, processes, the stack.

Most modules are standard library only, so the backend's and the console's test suites (their own
virtual environments) import them too; nlu_files (PyYAML) and web_learner (python-socketio) need
the Rasa side's .venv.
"""
