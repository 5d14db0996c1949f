"""Which files hold policies: the configuration's ``policies:`` globs, and any file of
the org (spec section 1: the paths named on the command line and the configuration's
``paths:``) that declares ``kind: Policy``.  Light on purpose: it runs on every check.
"""

from __future__ import annotations

from pathlib import Path

from orglint.config import Settings
from orglint.confine import Fence
from orglint.errors import OrglintError
from orglint.files import KIND_VALUE, Gathered, configured, display_name, identity, org_kinds
from orglint.lazyre import deferred
from orglint.loader import Limits
from orglint.reading import read_capped

# `kind: Policy` anywhere in a file, a tag or an anchor allowed before the value: which
# files are worth loading to see.
POLICY_RE = deferred(KIND_VALUE + rb"Policy\b")


def declares_policy(raw: bytes, limits: Limits) -> bool:
    """Whether a file holds an orglint Policy document (``files.org_kinds``: loaded, any
    style; where a YAML error lost a document, a top-level `kind: Policy` key outside
    comments and quoted values, and orglint named).  A Policy file with a YAML error
    stops the run (exit 2): a team file that only named the kind in a comment stopped
    it and hid every finding of the org."""
    if b"Policy" not in raw or POLICY_RE.search(raw) is None:
        return False
    return "Policy" in org_kinds(raw, limits)


def policy_files(settings: Settings, gathered: Gathered | None) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    seen: set[str] = set()
    policies: list[str] = getattr(settings, "policies", [])
    if policies:
        paths = configured(policies, root=settings.root, exclude=[], skipped=[],
                           cwd=settings.root, fence=_fence(settings))
        if not paths:
            from orglint.errors import ConfigError

            origin = settings.origins.get("policies")
            raise ConfigError((f"{origin}: " if origin else "") + "key 'policies': no file"
                              " matched " + ", ".join(policies))
        for path in paths:
            seen.add(identity(path))
            found.append((path, display_name(path, Path.cwd())))
    if gathered is not None:
        limit = settings.limits.max_file_size
        for entry in gathered.entries:
            source_path = entry.source.path
            # Only the files flagged when they were read (files.PEOPLE_RE): a warm run
            # must not read every file of the org again to look for policies.
            if not entry.people or source_path is None or identity(source_path) in seen:
                continue
            raw = gathered.read(entry, limit)
            if declares_policy(raw, settings.limits):
                # Named on the command line or found by `paths:`, a Policy file is part
                # of the org, and the org obeys it: `orglint check team.yaml acme.yaml`
                # is how a policy is tried before it is configured.
                seen.add(identity(source_path))
                found.append((source_path, entry.source.display))
    return found


def configured_digest(settings: Settings) -> str:
    """The content of the configured policy files, for the key of a whole run's report
    (files of the org are in that key already)."""
    if not getattr(settings, "policies", []):
        return ""
    import hashlib  # here: it loads OpenSSL, which a run without policies never needs

    digest = hashlib.blake2b(digest_size=16)
    for path in configured(settings.policies, root=settings.root, exclude=[], skipped=[],
                           cwd=settings.root, fence=_fence(settings)):
        try:
            raw = read_capped(path, settings.limits.max_file_size, "policy file")
            digest.update(str(path).encode() + b"\0" + raw + b"\0")
        except OrglintError:
            digest.update(str(path).encode() + b"\0unreadable\0")
    return digest.hexdigest()


def _fence(settings: Settings, key: str = "policies") -> Fence:
    # The same limit as for `paths:`: a policy glob of a discovered configuration never
    # reads outside the repository.
    return Fence(settings.root, config=settings.config_file, confined=settings.confined,
                 key=key)
