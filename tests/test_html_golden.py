"""Golden snapshots of the audit report's rendered text, for the demo (English and French) and the suppression fixture.

Regenerate with ``.venv/bin/python -m tests.regenerate_html_golden`` and review the diff.
"""

from __future__ import annotations

import pytest

from tests.regenerate_html_golden import CASES, golden_path, render_html, visible_text

HINT = "the report's text differs from the golden snapshot; if the change is intended run `python -m tests.regenerate_html_golden` and review the diff"


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendered_text_matches_the_golden_snapshot(case):
    assert visible_text(render_html(case)) == golden_path(case).read_text(encoding="utf-8"), HINT


def test_the_snapshot_holds_the_verdict_and_the_evidence_a_reader_needs():
    # Guards the snapshot itself: regenerating it from a broken page must not go unnoticed.
    text = golden_path("demo.en").read_text(encoding="utf-8")
    assert "✗ Not compliant: 8 findings of high or critical severity on 4 resources." in text
    assert "▲ High | 8" in text
    assert "- tag data_classification (tags) of aws_s3_bucket.payroll = sensitive → sensitive (fixtures/demo/main.tf:48)" in text
    french = golden_path("demo.fr").read_text(encoding="utf-8")
    assert "✗ Non conforme : 8 constats de gravité élevée ou critique sur 4 ressources." in french
