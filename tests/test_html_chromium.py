"""The audit report in a real headless Chromium: it loads offline with no console error, shows the JSON's numbers, and prints.

Chromium is Debian's package, installed by ``tests/chromium.py`` when
missing; the tests fail (never skip) when it cannot be had.
"""

from __future__ import annotations

import re
import struct
from collections import Counter

import pytest

from scanner.report.html.page import CONTENT_SECURITY_POLICY, render_document
from tests.chromium import Loaded, browser  # noqa: F401 - the fixture
from tests.html_cases import DEMO, SUPPRESS, scanned

READ_NUMBERS = """(() => {
  const shown = e => e.innerText.trim();
  const rows = name => [...document.querySelectorAll(`table[data-table="${name}"] tbody tr`)]
    .map(tr => [tr.dataset.key, ...[...tr.cells].slice(1).map(shown)]);
  return {
    figures: Object.fromEntries([...document.querySelectorAll('dl[data-table="key-figures"] > div')]
      .map(d => [d.dataset.key, shown(d.querySelector('dd'))])),
    severity: rows('by-severity'),
    matrixTotal: [...document.querySelector('table[data-table="matrix"] tfoot tr').cells].map(shown).pop(),
    providers: rows('by-provider'),
    countries: rows('by-country'),
    providerBars: [...document.querySelectorAll('#chart-providers text.count')].map(t => t.textContent),
    findingSections: document.querySelectorAll('section.finding').length,
    resourceRows: document.querySelectorAll('table[data-table="workload"] tbody tr').length,
    suppressedRows: document.querySelectorAll('table[data-table="suppressed"] tbody tr').length,
  };
})()"""


@pytest.fixture(scope="module")
def demo_page(browser, tmp_path_factory):  # noqa: F811 - the fixture
    doc = scanned(DEMO)
    path = tmp_path_factory.mktemp("html") / "demo.html"
    path.write_text(render_document(doc, "en"), encoding="utf-8")
    return doc, path, Loaded(browser, path.as_uri())


def test_the_page_loads_offline_with_no_console_error(demo_page):
    _, path, page = demo_page
    assert page.console_errors == []
    assert page.requests == [path.as_uri()]  # nothing fetched but the file itself
    assert page.evaluate("document.title") == "Data hosting audit"


def test_the_console_check_sees_errors_and_the_policy_blocks_fetches(browser, tmp_path):  # noqa: F811
    # Proves the check above can fail: a page of ours that tried to fetch something would log an error.
    path = tmp_path / "fetching.html"
    path.write_text(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<title>t</title></head><body><img src="https://127.0.0.1:9/x.png" alt=""></body></html>',
        encoding="utf-8",
    )
    page = Loaded(browser, path.as_uri())
    assert any("Content Security Policy" in error for error in page.console_errors), page.console_errors
    assert page.blocked == {"https://127.0.0.1:9/x.png": "csp"}  # refused before any connection


def test_a_screenshot_of_the_whole_page(demo_page, tmp_path):
    _, _, page = demo_page
    png = page.screenshot()
    (tmp_path / "demo.png").write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert width == 1024
    assert height == page.evaluate("document.documentElement.scrollHeight") > 3000
    assert len(png) > 100_000


def test_the_numbers_shown_are_those_of_the_json(demo_page):
    doc, _, page = demo_page
    shown = page.evaluate(READ_NUMBERS)
    active = [f for f in doc["findings"] if not f["suppressed"]]
    holding = [r for r in doc["resources"] if r["holds_data"]]
    assert shown["figures"] == {
        "resources": str(len(doc["resources"])),
        "holding-data": str(len(holding)),
        "findings": str(len(active)),
        "suppressed": str(len(doc["findings"]) - len(active)),
        "errors": str(len(doc["errors"])),
    }
    by_severity = Counter(f["severity"] for f in active)
    assert shown["severity"] == [[s, str(by_severity[s])] for s in ("critical", "high", "medium", "low", "info")]
    assert {k: int(v) for k, v in doc["summary"]["by_severity"].items()} == dict(by_severity)
    assert shown["matrixTotal"] == str(len(holding))
    clouds = Counter(r["cloud"] for r in holding)
    assert sorted((key, int(n)) for key, n in shown["providers"]) == sorted(clouds.items())
    assert sorted(int(n) for n in shown["providerBars"]) == sorted(clouds.values())
    countries = Counter(c for r in holding for c in r["country"].split(","))
    assert sorted((key, int(n)) for key, n in shown["countries"]) == sorted(countries.items())
    assert shown["findingSections"] == len(active)
    assert shown["resourceRows"] == len(doc["resources"])
    assert shown["suppressedRows"] == 0


def test_it_prints_to_pdf_with_findings_kept_whole(browser, demo_page):  # noqa: F811
    _, path, _ = demo_page
    page = Loaded(browser, path.as_uri())
    page.emulate_print()
    style = page.evaluate(
        "(() => { const f = getComputedStyle(document.querySelector('section.finding'));"
        " const b = getComputedStyle(document.querySelector('.sev-high'));"
        " return [f.breakInside, b.printColorAdjust, getComputedStyle(document.body).fontSize]; })()"
    )
    assert style == ["avoid", "exact", "13.3333px"]  # 10pt
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 5, pages
    assert page.console_errors == []


def test_the_french_page_with_a_trend_shows_the_numbers_of_each_report(browser, tmp_path):  # noqa: F811
    now, before = scanned(SUPPRESS), scanned(SUPPRESS)
    for f in before["findings"]:
        f["suppressed"], f["suppression"] = False, None  # before the exceptions were written
    path = tmp_path / "trend.html"
    path.write_text(render_document(now, "fr", [("avant.json", before)]), encoding="utf-8")
    page = Loaded(browser, path.as_uri())
    assert page.console_errors == []
    assert page.evaluate("document.documentElement.lang") == "fr"
    rows = page.evaluate(
        "[...document.querySelectorAll('table[data-table=\"trend\"] tbody tr')].map(tr => [...tr.cells].map(c => c.innerText.trim()))"
    )
    severities = ("critical", "high", "medium", "low", "info")

    def counts(doc):
        c = Counter(f["severity"] for f in doc["findings"] if not f["suppressed"])
        return [str(c[s]) for s in severities] + [str(sum(c.values()))]

    assert rows == [["avant.json", *counts(before)], ["ce rapport", *counts(now)]]
    changes = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('table[data-table=\"changes\"] tbody tr')].map(tr => [tr.dataset.key, tr.cells[1].innerText]))"
    )
    suppressed_now = sum(1 for f in now["findings"] if f["suppressed"])
    assert changes == {"new": "0", "fixed": "0", "unchanged": str(len(now["findings"]) - suppressed_now), "suppressed_since": str(suppressed_now)}
    totals = page.evaluate("[...document.querySelectorAll('#chart-trend text.count')].map(t => t.textContent)")
    assert totals == [counts(before)[-1], counts(now)[-1]]


def test_the_set_up_fails_with_the_reason_when_chromium_cannot_be_installed(monkeypatch):
    import subprocess

    from tests import chromium

    calls = []
    monkeypatch.setattr(chromium.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    monkeypatch.setattr(
        chromium.subprocess,
        "run",
        lambda args, **kw: calls.append(args) or subprocess.CompletedProcess(args, 100, "", "Reading package lists...\nE: Unable to locate package chromium\n"),
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        chromium.chromium_binary()
    assert str(failure.value) == (
        "the HTML report tests need Chromium and `apt-get install -y chromium` failed (exit 100): "
        "Reading package lists... | E: Unable to locate package chromium"
    )
    assert calls == [["apt-get", "install", "-y", "-q", "chromium"], ["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]]
    monkeypatch.setattr(chromium.shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="install Debian's 'chromium' package"):
        chromium.chromium_binary()
