"""Standard-library helpers that test suites in both virtual environments use to run real services."""
