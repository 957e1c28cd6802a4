"""The shared model: what sources produce, what rules judge and what reporters render.

Plain frozen dataclasses. A value that cannot be known statically is an
``Unknown`` carrying the reason: it is never None and never a guess.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value static analysis cannot know, and why."""

    reason: str

    def __str__(self) -> str:
        return "unknown"

    def __bool__(self) -> bool:  # an Unknown must never pass a truthiness test silently
        raise TypeError("Unknown has no truth value; test with is_unknown()")


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


class Severity(enum.IntEnum):
    """Ordered severities; ``NEVER`` only exists as a --fail-on threshold."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4
    NEVER = 99

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a resource or a value was declared: a file and line, or an account and API."""

    file: str | None = None
    line: int | None = None
    account: str | None = None
    api: str | None = None
    end_line: int | None = None  # last line of the block, for suppressions inside it

    def __str__(self) -> str:
        if self.file:
            return f"{self.file}:{self.line}" if self.line else self.file
        return " ".join(p for p in (self.account, self.api) if p) or "-"

    def as_json(self) -> dict[str, Any]:
        if self.file is not None:
            return {"file": self.file, "line": self.line}
        return {k: v for k, v in (("account", self.account), ("api", self.api)) if v}


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One link of the chain that produced a value (tfvars → variable → provider → region)."""

    what: str  # e.g. "var.region", "provider aws.eu", "tag DataClassification"
    value: str  # rendered value, "unknown" or "(sensitive)"
    origin: Origin = field(default_factory=Origin)

    def __str__(self) -> str:
        return f"{self.what} = {self.value}  ({self.origin})"


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag or label as the resource will carry it, with where it was set."""

    key: str
    value: str | Unknown
    origin: Origin
    via: str = "tags"  # tags, default_tags, labels, tag block, inventory


# The DataCopy kind of a resource placed in several regions at once (OVHcloud ``regions = [..]``): each
# region past the first is one more place the resource is, judged as its primary place is.
LISTED_REGION = "listed-region"


@dataclass(frozen=True, slots=True)
class DataCopy:
    """A secondary place the data of a resource is copied to (replica, backup, CDN edge, log sink)."""

    kind: str  # e.g. "s3-replication", "dynamodb-replica", "cdn-edge"
    provider: str
    region: str | Unknown
    hints: Mapping[str, str | Unknown] = field(default_factory=dict)
    origin: Origin = field(default_factory=Origin)


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource as a source sees it; no judgement, no catalog lookup.

    ``provider`` is the Terraform provider type (aws, azurerm, google…) or the
    inventory API; ``region`` keeps the provider's own spelling. ``hints``
    carries what else says where the resource runs: an S3-compatible
    endpoint host, a Google universe domain, an OpenStack auth URL.
    """

    address: str
    type: str
    provider: str
    region: str | Unknown
    origin: Origin
    tags: tuple[Tag, ...] = ()
    tags_complete: bool | Unknown = True  # Unknown when some tags could not be resolved
    hints: Mapping[str, str | Unknown] = field(default_factory=dict)
    copies: tuple[DataCopy, ...] = ()
    trace: tuple[TraceStep, ...] = ()
    instances_known: bool = True  # False: count/for_each could not be expanded statically
    module_call: Origin | None = None  # the outermost remote module call, for findings inside downloaded modules
    module_calls: tuple[Origin, ...] = ()  # every module call leading here, outermost first
    holds_data: bool = True  # False for identity and network plumbing: listed, judged by no rule
    root: str | None = None  # the root module (folder) this instance belongs to
    zone: str | Unknown | None = None  # the zone inside the region, when the resource is zonal


@dataclass(frozen=True, slots=True)
class Classification:
    """The sensitivity of a resource after workload lifting, and what proves it.

    ``classes`` holds every level the resource's data carries (its own tags
    plus its workload's); ``level`` is the highest. ``status`` says why there
    may be none: unclassified (no tag), unresolved (tags not knowable
    statically) or unrecognised (a value outside the vocabulary).
    """

    level: str | None
    classes: frozenset[str]
    workload: str | None
    status: str  # classified | unclassified | unresolved | unrecognised
    evidence: tuple[TraceStep, ...] = ()
    reason: str | None = None
    unrecognised: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Certification:
    """One qualification or certification of an offer, as the catalog states it."""

    scheme: str  # SecNumCloud, HDS, C5, ISO27001, DR-homologation…
    version: str | None
    status: str  # qualified, certified, in_progress, expired, none, unknown
    regions: tuple[str, ...] | None  # None: every region of the offer
    obtained: str | None
    valid_until: str | None
    evidence_url: str | None
    confidence: str  # confirmed | unconfirmed
    sources: tuple[str, ...] = ()
    verified_at: str | None = None
    note: str | None = None
    milestone: str | None = None  # J0…J3 for a qualification in progress
    activities: tuple[str, ...] = ()  # HDS activities (CSP R.1111-9) covered


@dataclass(frozen=True, slots=True)
class Hosting:
    """Where a resource is hosted, as far as the catalog can tell.

    Fields are known values or ``Unknown``. When the region is unknown but
    the provider is known, fields that are the same in every region of that
    provider (the operator's exposure, say) are still known.
    """

    cloud: str | Unknown
    offer: str | None
    region: str | Unknown
    countries: frozenset[str] | Unknown
    in_eu: bool | Unknown
    in_eea: bool | Unknown
    adequacy: bool | Unknown
    operator: str | Unknown  # legal entity operating the region
    jurisdiction: str | Unknown  # country code of the operator's seat
    exposure: str | Unknown  # exposed | mitigated | not_exposed | unclear
    exposure_laws: tuple[str, ...] = ()
    commercial: bool | Unknown = True
    certifications: Mapping[str, CertificationStatus] = field(default_factory=dict)
    facts: tuple[Fact, ...] = ()
    seal: Mapping[str, int | Unknown] = field(default_factory=dict)  # EU CSF SEAL level per objective (SOV-1…8)


@dataclass(frozen=True, slots=True)
class CertificationStatus:
    """Whether one scheme holds for a hosting, with the fact that decides it."""

    holds: bool | Unknown
    certification: Certification | None
    why: str


@dataclass(frozen=True, slots=True)
class Fact:
    """A catalog fact used for a verdict, with its source and when it was verified."""

    what: str
    sources: tuple[str, ...]
    urls: tuple[str, ...]
    verified_at: str | None
    confidence: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """A resource with its classification and hosting: what rules judge."""

    resource: Resource
    classification: Classification
    hosting: Hosting
    copies: tuple[tuple[DataCopy, Hosting], ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    address: str
    message: str
    origin: Origin
    evidence: Mapping[str, Any] = field(default_factory=dict)
    suppressed: bool = False
    suppression: Mapping[str, Any] | None = None
    root: str | None = None  # the root module folder of the resource


# What kind of problem a ScanError is. Every kind but the diagnostics leaves part of the input
# unjudged, which makes the scan incomplete (exit code 3 unless --allow-incomplete).
ERROR_KINDS = {
    "input": "an input that is missing or of a format sovscan does not read",
    "unreadable": "a file or folder that cannot be read",
    "syntax": "a file (or part of one) that cannot be parsed",
    "module": "a module that is not followed or not downloaded",
    "terraform": "configuration Terraform itself refuses (a block declared twice)",
    "configuration": "an invalid .sovscan.yml or policy entry, left out",
    "skipped": "a resource sovscan could not build (too deeply nested, or a sovscan bug to report)",
    "evaluation": "an expression sovscan could not evaluate: the value stays unknown, and is judged as such",
    "exception": "a suppression, waiver or baseline entry that does not apply",
}
DIAGNOSTIC_KINDS = frozenset({"evaluation", "exception"})


@dataclass(frozen=True, slots=True)
class ScanError:
    """One input problem: which file and line, and what is wrong. The scan goes on.

    ``kind`` is one of ``ERROR_KINDS``; every kind but the diagnostics
    (``DIAGNOSTIC_KINDS``) means part of the input was not judged.
    """

    file: str | None
    line: int | None
    message: str
    column: int | None = None
    kind: str = "input"

    @property
    def leaves_input_unjudged(self) -> bool:
        return self.kind not in DIAGNOSTIC_KINDS

    def __post_init__(self) -> None:
        # One problem, one line: values quoted from the input may hold line breaks.
        if "\n" in self.message or "\r" in self.message:
            object.__setattr__(self, "message", self.message.replace("\r", "\\r").replace("\n", "\\n"))

    def __str__(self) -> str:
        where = self.file or "-"
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a reporter needs; reporters know nothing else."""

    tool_version: str
    pack: str
    pack_version: str
    inputs: tuple[str, ...]
    assessments: tuple[Assessment, ...]
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    rules: Mapping[str, Any] = field(default_factory=dict)  # rule id -> RuleInfo, for SARIF/HTML help
    as_of: str | None = None  # ISO date the verdicts are given for (--as-of, or the day of the scan)
    uncalled_modules: tuple[str, ...] = ()  # module folders nothing calls, not judged as root modules

    @property
    def incomplete(self) -> bool:
        """Whether part of the input was not judged (a module not followed, a file not parsed…)."""
        return any(e.leaves_input_unjudged for e in self.errors)


# --- Policy records that every stage may read: a pack's rule, the user's attestations, the verdict's date.


@dataclass(frozen=True)
class Rule:
    """One requirement of a policy pack: which levels it binds, how severe, and why (its legal references)."""

    id: str
    kind: str
    levels: frozenset[str]
    severity: Severity
    options: Mapping[str, Any]
    on_unknown: str | None
    references: tuple[str, ...]  # full texts
    sources: tuple[str, ...]
    summary: str
    why: str
    example_pass: str
    example_fail: str
    enabled: bool = True
    reference_ids: tuple[str, ...] = ()  # the pack's short ids of ``references`` (R9, SREN31…)
    line: int | None = None  # where the rule starts in its pack file
    overridden: tuple[str, ...] = ()  # what the user's .sovscan.yml changed: severity, enabled, options


@dataclass(frozen=True)
class Attestation:
    """A homologation or other decision recorded by the user (.sovscan.yml)."""

    scheme: str
    reference: str
    workload: str | None
    address: str | None  # fnmatch pattern
    valid_until: str | None
    line: int | None = None


@dataclass(frozen=True)
class RuleContext:
    """What every rule reads besides the assessment: the date the verdict is for, the user's decisions."""

    as_of: str  # ISO date the verdict is given for
    attestations: tuple[Attestation, ...] = ()
