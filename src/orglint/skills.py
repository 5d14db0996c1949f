"""Skill matching: ``W&B``, ``wandb`` and ``Weights & Biases`` are one tool.

People write tools as the vendor markets them ("NVIDIA GPU Operator", "Hugging Face
Accelerate") or as they type them ("gpu-operator", "accelerate").  A skill's *key*
ignores case, spaces and punctuation (``&`` reads "and"), a leading vendor name from
the matrix's ``skills.vendor-prefixes``, and anything in brackets ("Volcano (gang
scheduling)"); then the matrix's ``skills.aliases`` map the key to its canonical one.
"Argo CD / Flux CD" is two skills.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from orglint.titles import MAX_TITLE_LENGTH, Words, words


class SkillIndex:
    def __init__(self, aliases: Mapping[str, str] | None = None,
                 vendor_prefixes: Iterable[str] = ()) -> None:
        self._vendors = sorted({w for v in vendor_prefixes if (w := words(v))},
                               key=len, reverse=True)
        self._aliases = {self._raw(alias): self._raw(canonical)
                         for alias, canonical in (aliases or {}).items()}

    def _raw(self, skill: str) -> str:
        ws: Words = words(skill.split("(", 1)[0].replace("&", " and "))
        for vendor in self._vendors:
            if len(ws) > len(vendor) and ws[:len(vendor)] == vendor:
                ws = ws[len(vendor):]
                break
        return "".join(ws)

    def keys(self, skill: str) -> set[str]:
        """The canonical keys of a skill as written (one per alternative)."""
        if len(skill) > MAX_TITLE_LENGTH:
            return set()
        out = set()
        for item in skill.split(","):
            parts = item.split("/")
            i = 0
            while i < len(parts):
                # Two parts may be one alias that holds a '/' itself ("CI/CD/GitOps").
                if i + 1 < len(parts):
                    pair = self._aliases.get(self._raw(f"{parts[i]}/{parts[i + 1]}"))
                    if pair is not None:
                        out.add(pair)
                        i += 2
                        continue
                raw = self._raw(parts[i])
                if raw:
                    out.add(self._aliases.get(raw, raw))
                i += 1
        return out

    def bar(self, skills: Iterable[str]) -> frozenset[str]:
        """The keys of a role's day-one skills and tools."""
        return frozenset(k for s in skills for k in self.keys(s))
