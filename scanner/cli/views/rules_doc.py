"""docs/rules.md, generated from the bundled policy packs.

Every rule's documentation lives beside the rule in ``policies/packs/*.yml``;
this module renders it as one Markdown page, so the page cannot drift from
the rules. ``render`` is pure; running the module writes the page:

    python -m scanner.cli.views.rules_doc            # rewrite docs/rules.md
    python -m scanner.cli.views.rules_doc --check    # exit 1 if docs/rules.md is stale

tests/test_rules_doc.py fails when the committed page differs from what this
renders.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from scanner.evaluate.rules import RULE_OPTIONS
from scanner.model import Rule
from scanner.policy.pack import Pack
from scanner.support.schema import Obj

COMMAND = "python -m scanner.cli.views.rules_doc"
DOC = Path(__file__).resolve().parents[3] / "docs" / "rules.md"


def _anchor(pack: Pack, rule_id: str) -> str:
    return f"{pack.id}-{rule_id}"


def _code(text: str) -> list[str]:
    return ["```hcl", *text.rstrip().splitlines(), "```"]


def _value(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()  # as written in YAML
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _rule(pack: Pack, rule: Rule, sources: Mapping[str, str]) -> list[str]:
    levels = ", ".join(sorted(rule.levels)) or "any"
    lines = [
        f'<a id="{_anchor(pack, rule.id)}"></a>',
        f"### `{rule.id}`",
        "",
        rule.summary,
        "",
        f"**Why.** {rule.why}",
        "",
        f"- **Severity:** {rule.severity} · **Levels:** {levels} · **Kind:** [{rule.kind}](#kind-{rule.kind})",
    ]
    if rule.options:
        lines.append("- **Options:** " + ", ".join(f"`{k}`: {_value(v)}" for k, v in rule.options.items()))
    if rule.on_unknown:
        lines.append(f"- **When a fact it needs is unknown:** reported by [`{rule.on_unknown}`](#{_anchor(pack, rule.on_unknown)})")
    if rule.references:
        lines.append("- **References:** " + "; ".join(rule.references))
    if rule.sources:
        cited = [f"[{s}]({sources[s]})" if s in sources else s for s in rule.sources]
        lines.append("- **Sources:** " + ", ".join(cited))
    lines += ["", "Passes:", "", *_code(rule.example_pass), "", "Fails:", "", *_code(rule.example_fail), ""]
    return lines


def _pack(pack: Pack, sources: Mapping[str, str]) -> list[str]:
    lines = [
        f'<a id="pack-{pack.id}"></a>',
        f"## Pack `{pack.id}` {pack.version}: {pack.title}",
        "",
        pack.description,
        "",
        "| Rule | Severity | Levels | What it reports |",
        "| --- | --- | --- | --- |",
    ]
    for rule in pack.rules:
        levels = ", ".join(sorted(rule.levels)) or "any"
        lines.append(f"| [`{rule.id}`](#{_anchor(pack, rule.id)}) | {rule.severity} | {levels} | {rule.summary} |")
    lines.append("")
    for rule in pack.rules:
        lines += _rule(pack, rule, sources)
    return lines


def _kind(name: str, module) -> list[str]:
    doc = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    doc = doc.split(" — ", 1)[1] if " — " in doc else doc  # the heading already names the kind
    doc = doc[:1].upper() + doc[1:]
    lines = [f'<a id="kind-{name}"></a>', f"### `{name}`", "", doc, ""]
    fields = module.OPTIONS.fields if isinstance(module.OPTIONS, Obj) else {}
    for option, fld in fields.items():
        required = " (required)" if fld.required else ""
        lines.append(f"- `{option}`{required}: {fld.spec.expected}")
    if fields:
        lines.append("")
    return lines


def render(packs: list[Pack], sources: Mapping[str, str], kinds: Mapping[str, object]) -> str:
    """The whole page: packs in the order given, then the rule kinds they use."""
    lines = [
        f"<!-- Generated from policies/packs/*.yml by `{COMMAND}`; do not edit by hand. -->",
        f"<!-- Regenerate with `{COMMAND}` (tests/test_rules_doc.py checks this page is fresh). -->",
        "",
        "# sovscan rules",
        "",
        "Each rule of each policy pack: what it reports, why (with its legal references and sources), "
        "its options, and an example that passes and one that fails. The examples are scanned by the test "
        "suite, so they stay true. An example that needs a `.sovscan.yml` shows it in its first comment lines.",
        "",
        "Change a rule in `.sovscan.yml`: `rules: {RULE_ID: {severity: high, enabled: false, options: {…}}}`; "
        "`sovscan rules` and `sovscan explain RULE_ID` show the rules as your configuration sets them.",
        "",
        *[f"- [`{p.id}`](#pack-{p.id}) {p.version}: {p.title}" for p in packs],
        "",
    ]
    for pack in packs:
        lines += _pack(pack, sources)
    used = sorted({rule.kind for pack in packs for rule in pack.rules})
    lines += ["## Rule kinds", "", "What each kind of rule checks, and the options a pack or `.sovscan.yml` may set.", ""]
    for name in used:
        lines += _kind(name, kinds[name])
    return "\n".join(lines).rstrip("\n") + "\n"


def generate() -> str:
    """The page for the bundled packs (the default pack first)."""
    from scanner.evaluate.rules import KINDS
    from scanner.pipeline import DEFAULT_PACK
    from scanner.policy.catalog import load_catalog
    from scanner.policy.pack import available_packs, load_pack, pack_path
    from scanner.policy.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    names = sorted(available_packs(), key=lambda n: (n != DEFAULT_PACK, n))
    packs = []
    for name in names:
        path = pack_path(name)
        if path is None:
            continue  # cannot happen: the name was just listed
        pack, problems = load_pack(path, vocabulary, kinds=RULE_OPTIONS)
        if pack is None or problems:
            raise SystemExit("\n".join(f"{f}:{line}: {m}" for f, line, m in problems))
        packs.append(pack)
    sources = {s.id: s.url for s in load_catalog().sources.values()}
    return render(packs, sources, KINDS)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = generate()
    if "--check" in args:
        if not DOC.is_file() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is stale; regenerate it with `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
