"""docs/rules.md is generated from the packs: regenerating it gives the same bytes."""

from __future__ import annotations

from scanner.cli.views import rules_doc
from scanner.evaluate.rules import RULE_OPTIONS
from scanner.policy.pack import available_packs, load_pack, pack_path
from scanner.policy.vocabulary import load_vocabulary


def test_rules_doc_is_fresh():
    committed = rules_doc.DOC.read_bytes()
    assert rules_doc.generate().encode("utf-8") == committed, "docs/rules.md is stale: run `python -m scanner.cli.views.rules_doc`"


def test_check_mode_reports_a_stale_page(tmp_path, monkeypatch, capsys):
    page = tmp_path / "rules.md"
    monkeypatch.setattr(rules_doc, "DOC", page)
    assert rules_doc.main(["--check"]) == 1
    assert capsys.readouterr().err == f"{page} is stale; regenerate it with `python -m scanner.cli.views.rules_doc`\n"
    assert rules_doc.main([]) == 0
    assert rules_doc.main(["--check"]) == 0


def test_the_page_documents_every_rule_of_every_pack():
    text = rules_doc.DOC.read_text(encoding="utf-8")
    assert text.startswith("<!-- Generated from policies/packs/*.yml by `python -m scanner.cli.views.rules_doc`; do not edit by hand. -->\n")
    vocabulary = load_vocabulary()
    for name in available_packs():
        pack, _ = load_pack(pack_path(name), vocabulary, kinds=RULE_OPTIONS)
        assert f"## Pack `{name}` {pack.version}: {pack.title}" in text
        for rule in pack.rules:
            section = text.split(f'<a id="{name}-{rule.id}"></a>', 1)[1].split("<a id=", 1)[0]
            assert rule.summary in section and rule.why in section, rule.id
            assert rule.example_pass.rstrip() in section and rule.example_fail.rstrip() in section, rule.id
            assert all(reference in section for reference in rule.references), rule.id
    assert '<a id="kind-seal"></a>' in text
