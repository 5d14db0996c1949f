"""The one explicit registry of rules.

Every built-in rule is listed here, in code order; nothing is discovered by import
side effects.  Anti-patterns an organisation adds to its own matrix get rules at run
time (``patterns.custom_rules``) and are reported like these.
"""

from __future__ import annotations

from orglint.rules.base import Rule
from orglint.rules.catalog import InconsistentHierarchy, InconsistentMembership
from orglint.rules.coverage import (
    FeatureStoreWithoutDataEngineer,
    ProductionWithoutEvalGate,
    ProductionWithoutLifecycleOwner,
    ProductionWithoutSubstrateOwner,
    RoleMixGap,
    SinglePointOfFailure,
    UnownedSystemResponsibility,
)
from orglint.rules.input import (
    DuplicateKey,
    DuplicateMember,
    SchemaViolation,
    UnknownResponsibility,
    UnknownRole,
    UnknownSystemOrPractice,
    YamlSyntaxError,
)
from orglint.rules.org import (
    ConflictingPerson,
    DuplicateTeam,
    OverAllocated,
    UnknownParent,
    UnknownPerson,
)
from orglint.rules.patterns import PatternRule
from orglint.rules.people import SeniorityRequired, SizeMismatch, SkillBarUnmet, TooManyRoles
from orglint.rules.policy import PolicyErrorRule
from orglint.rules.rolefit import (
    DevopsOwnsGpuSubstrate,
    DevopsRunsModelLifecycle,
    MlEngineerRunsCluster,
    MlopsMlConflated,
    PipelineRoleConflation,
    PlatformWritesTrainingCode,
    ResponsibilityOutsideRole,
    ScientistOwnsProduction,
    TitleRoleMismatch,
)
from orglint.rules.suppression import ExpiredSuppression, UnusedSuppression

RULES: tuple[type[Rule], ...] = (
    YamlSyntaxError,
    DuplicateKey,
    SchemaViolation,
    UnknownRole,
    UnknownResponsibility,
    UnknownSystemOrPractice,
    DuplicateMember,
    UnknownPerson,
    ConflictingPerson,
    DuplicateTeam,
    UnknownParent,
    InconsistentHierarchy,
    InconsistentMembership,
    TitleRoleMismatch,
    ResponsibilityOutsideRole,
    PlatformWritesTrainingCode,
    DevopsRunsModelLifecycle,
    MlEngineerRunsCluster,
    DevopsOwnsGpuSubstrate,
    PipelineRoleConflation,
    ScientistOwnsProduction,
    MlopsMlConflated,
    FeatureStoreWithoutDataEngineer,
    UnownedSystemResponsibility,
    ProductionWithoutLifecycleOwner,
    ProductionWithoutEvalGate,
    ProductionWithoutSubstrateOwner,
    RoleMixGap,
    SinglePointOfFailure,
    OverAllocated,
    TooManyRoles,
    SizeMismatch,
    SkillBarUnmet,
    SeniorityRequired,
    UnusedSuppression,
    ExpiredSuppression,
    PolicyErrorRule,
)

REGISTRY: dict[str, type[Rule]] = {rule.code: rule for rule in RULES}
BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in RULES}
BUILTIN_CODES: frozenset[str] = frozenset(REGISTRY)
PATTERN_CODES: frozenset[str] = frozenset(
    rule.code for rule in RULES if issubclass(rule, PatternRule)
)


class UnknownRuleError(KeyError):
    pass


def get(code_or_name: str, extra: dict[str, type[Rule]] | None = None) -> type[Rule]:
    """A rule by code (``ORG104``) or name (``devops-runs-model-lifecycle``)."""
    table = {**REGISTRY, **(extra or {})}
    key = code_or_name.strip()
    if key.upper() in table:
        return table[key.upper()]
    for rule in table.values():
        if rule.name == key.lower():
            return rule
    raise UnknownRuleError(f"no such rule: {code_or_name}")
