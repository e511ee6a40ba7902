"""Risks, risk appetites, shared-risk agreements and disputes (built in later issues)."""
