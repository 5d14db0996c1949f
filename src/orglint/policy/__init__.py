"""Policies: an organisation's own rules, written in CEL (spec section 7).

Nothing here is imported by a run that has no policy: ``engine`` asks for it only when
the configuration or the org names a Policy file, so a plain check never loads the CEL
engine (``tests/test_policy.py``).
"""
