"""The HTML audit report: what it says (verdict, matrix, workloads, evidence, suppressions, trend) and how (accessible, self-contained, escaped).

Pages are parsed with html5lib in strict mode, so any parse error fails the test.
"""

from __future__ import annotations

import re
from collections import Counter
from xml.etree.ElementTree import Element

import html5lib
import pytest

from scanner.report.html import i18n
from scanner.report.html.model import build_audit, trust_of
from scanner.report.html.page import level_order, render_document
from tests.html_cases import COPIES, DEMO, NOT_DOWNLOADED, SUPPRESS, TWO_ROOTS, UNKNOWN_REGION, scanned

SVG = "{http://www.w3.org/2000/svg}"


def parse(html: str) -> Element:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)


def words(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def table(tree: Element, name: str) -> list[list[str]]:
    """The body rows of ``<table data-table=NAME>`` as lists of cell texts."""
    found = tree.find(f".//table[@data-table='{name}']")
    assert found is not None, f"no table {name}"
    return [[words(cell) for cell in row] for row in found.find("tbody")]


def audit_of(doc, previous=()):
    return build_audit(doc, level_order(doc), previous)


def as_without_resource_qualifications(doc):
    """The document as written before resources carried their qualifications: only findings' evidence has them."""
    for resource in doc["resources"]:
        resource.get("hosting", {}).pop("qualifications", None)
    return doc


# --------------------------------------------------------------------------- what it says


def test_demo_verdict_counts_and_matrix():
    audit = audit_of(as_without_resource_qualifications(scanned(DEMO)))
    assert audit.verdict == "non_compliant"
    assert dict(audit.by_severity) == {"critical": 0, "high": 8, "medium": 1, "low": 2, "info": 0}
    assert audit.blocking_resources == 4
    assert [r.address for r in audit.resources if not r.holds_data] == ["aws_iam_role.payslips", "azurerm_resource_group.health"]
    assert dict(audit.matrix) == {
        ("sensitive", "eu_exposed"): 2,  # aws eu-west-3: payroll bucket and lambda
        ("sensitive", "eu_not_exposed"): 2,  # outscale cloudgouv (qualification unconfirmed), s3ns (mitigated)
        ("health", "eu_exposed"): 1,
        ("personal", "outside_eu"): 1,
        ("public", "eu_not_exposed"): 1,
        (None, "eu_not_exposed"): 1,
    }
    assert audit.levels == ("classified", "restricted", "sensitive", "health", "personal", "internal", "public")


def test_where_data_lives_puts_the_most_sensitive_places_first():
    audit = audit_of(as_without_resource_qualifications(scanned(DEMO)))
    assert [(p.cloud, p.region, p.trust, p.levels) for p in audit.places] == [
        ("aws", "eu-west-3", "eu_exposed", (("sensitive", 2),)),
        ("outscale", "cloudgouv-eu-west-1", "eu_not_exposed", (("sensitive", 1),)),
        ("s3ns", "u-france-east1", "eu_not_exposed", (("sensitive", 1),)),
        ("azure", "francecentral", "eu_exposed", (("health", 1),)),
        ("aws", "us-east-1", "outside_eu", (("personal", 1),)),
        ("scaleway", "fr-par", "eu_not_exposed", (("public", 1), (None, 1))),
    ]
    assert audit.by_cloud == (("aws", 3), ("scaleway", 2), ("azure", 1), ("outscale", 1), ("s3ns", 1))
    assert audit.by_country == (("FR", 7), ("US", 1))


def test_one_section_per_workload_with_its_resources():
    audit = audit_of(scanned(DEMO))
    assert [(w.name, w.level, [r.address for r in w.resources]) for w in audit.workloads] == [
        ("analytics", "personal", ["aws_dynamodb_table.analytics"]),
        ("payroll", "sensitive", ["aws_s3_bucket.payroll", "aws_lambda_function.payslips", "aws_iam_role.payslips"]),
        (None, None, ["azurerm_resource_group.health", "azurerm_storage_account.records", "google_storage_bucket.documents",
                      "outscale_volume.archives", "scaleway_object_bucket.opendata", "scaleway_object_bucket.scratch"]),
    ]
    tree = parse(render_document(scanned(DEMO), "en"))
    assert [words(h) for h in tree.iter("h3") if h.get("id", "").startswith("workload-")] == [
        "Workload analytics", "Workload payroll", "Resources without a workload"]
    payroll = table(tree.find(".//section[@id='workload-payroll']"), "workload")
    assert payroll[2] == ["aws_iam_role.payslips aws_iam_role — holds no data", "Particular sensitivity",
                          "aws · aws-commercial, eu-west-3 (FR)", "◐ EU, exposed", "0", "fixtures/demo/main.tf:57"]


@pytest.mark.parametrize(
    "hosting, qualifications, expected",
    [
        ({"in_eu": True, "exposure": "mitigated"}, {"SecNumCloud": {"holds": True}}, "secnumcloud"),
        ({"in_eu": True, "exposure": "not_exposed"}, {"SecNumCloud": {"holds": "unknown"}}, "eu_not_exposed"),
        ({"in_eu": True, "exposure": "mitigated"}, {}, "eu_not_exposed"),
        ({"in_eu": True, "exposure": "exposed"}, {"SecNumCloud": {"holds": False}}, "eu_exposed"),
        ({"in_eu": True, "exposure": "unclear"}, {}, "unknown"),
        ({"in_eu": True, "exposure": "unknown"}, {}, "unknown"),
        ({"in_eu": False, "exposure": "not_exposed"}, {}, "outside_eu"),
        ({"in_eu": "unknown", "exposure": "unknown"}, {}, "unknown"),
        ({"in_eu": False}, {"SecNumCloud": {"holds": True}}, "outside_eu"),  # a qualification never lifts a non-EU place
        ({}, {}, "unknown"),
    ],
)
def test_hosting_trust_is_never_better_than_the_document_proves(hosting, qualifications, expected):
    assert trust_of(hosting, qualifications) == expected


def test_a_qualification_recorded_on_the_resource_makes_it_secnumcloud_qualified():
    doc = scanned(DEMO)
    bucket = next(r for r in doc["resources"] if r["address"] == "google_storage_bucket.documents")
    bucket["hosting"]["qualifications"] = {"SecNumCloud": {"holds": True, "why": "PREMI3NS qualified (S66)"}}
    outscale = next(r for r in doc["resources"] if r["address"] == "outscale_volume.archives")
    outscale["hosting"]["qualifications"] = {"SecNumCloud": {"holds": "unknown", "why": "unconfirmed"}}
    audit = audit_of(doc)
    assert next(r.trust for r in audit.resources if r.address == "google_storage_bucket.documents") == "secnumcloud"
    assert audit.matrix[("sensitive", "secnumcloud")] == 1
    assert audit.matrix[("sensitive", "eu_not_exposed")] == 1


def test_a_qualification_in_a_finding_evidence_counts_for_its_resource():
    doc = as_without_resource_qualifications(scanned(DEMO))
    finding = next(f for f in doc["findings"] if f["address"] == "outscale_volume.archives")
    finding["evidence"]["hosting"]["qualifications"]["SecNumCloud"]["holds"] = True
    assert next(r.trust for r in audit_of(doc).resources if r.address == "outscale_volume.archives") == "secnumcloud"


def test_an_unknown_region_is_unknown_and_says_why():
    doc = scanned(UNKNOWN_REGION)
    audit = audit_of(doc)
    assert dict(audit.matrix) == {("sensitive", "unknown"): 1}
    tree = parse(render_document(doc, "en"))
    row = table(tree, "workload")[0]
    assert row[0] == "outscale_volume.unknown_region outscale_volume"
    assert row[2].startswith("unknown, region unknown: variable \"region\" has no default and no value was given")
    assert row[3] == "? Unknown"


def test_each_finding_shows_its_chain_of_evidence():
    tree = parse(render_document(scanned(DEMO), "en"))
    first = tree.find(".//section[@id='finding-1']")
    assert words(first.find("h3")) == "▲ High sensitive-data-exposed-to-foreign-law — aws_s3_bucket.payroll"
    chain = first.find(".//ol[@class='chain']")
    steps = [li for li in chain if li.tag == "li"]
    assert [words(li.find("strong")) for li in steps] == ["Tag", "Level", "Requirement", "Hosting", "Catalog facts", "Legal reference"]
    assert words(steps[0].find("ul/li")) == "tag data_classification (tags) of aws_s3_bucket.payroll = sensitive → sensitive (fixtures/demo/main.tf:48)"
    assert words(steps[2]) == "Requirement: operator immune to non-EU extraterritorial law"
    facts = [words(li) for li in steps[4].find("ul")]
    assert facts[0] == (
        "Amazon Web Services, Inc. (US) is exposed (US_CLOUD_ACT, US_FISA_702): A US company; the CLOUD Act reaches US companies "
        "wherever the data is stored. [S62; verified 2026-11-27] "
        "https://www.actuia.com/en/news/sensitive-data-and-cloud-act-microsoft-france-admits-it-cannot-oppose-an-american-injunction"
    )
    links = [a.get("href") for a in steps[4].iter("a")]
    assert "https://github.com/boto/botocore/blob/develop/botocore/data/partitions.json" in links
    hds = next(li for li in steps[4].find("ul") if "HDS of AWS" in words(li))
    assert [a.get("href") for a in hds.iter("a")] == ["https://aws.amazon.com/compliance/hds/"]
    assert words(hds).startswith("⚠ UNCONFIRMED HDS of AWS commercial regions")
    assert words(steps[5]) == "Legal reference: SecNumCloud 3.2 §19.6; SREN law art. 31 (loi n° 2024-449); Cloud au centre rule R9 (circulars 6282/SG, 6404/SG)"


def test_findings_are_listed_most_severe_first_in_file_order():
    audit = audit_of(scanned(DEMO))
    assert [(f.severity, f.rule, f.address) for f in audit.findings] == [
        ("high", "sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.payroll"),
        ("high", "sensitive-data-without-secnumcloud", "aws_s3_bucket.payroll"),
        ("high", "sensitive-data-exposed-to-foreign-law", "aws_lambda_function.payslips"),
        ("high", "sensitive-data-without-secnumcloud", "aws_lambda_function.payslips"),
        ("high", "sensitive-data-exposed-to-foreign-law", "azurerm_storage_account.records"),
        ("high", "sensitive-data-hosting-unverified", "azurerm_storage_account.records"),
        ("high", "sensitive-data-without-secnumcloud", "azurerm_storage_account.records"),
        ("high", "sensitive-data-hosting-unverified", "outscale_volume.archives"),
        ("medium", "personal-data-outside-eea", "aws_dynamodb_table.analytics"),
        ("low", "personal-data-exposed-to-foreign-law", "aws_dynamodb_table.analytics"),
        ("low", "unclassified-resource", "scaleway_object_bucket.scratch"),
    ]


def test_a_finding_about_a_copy_names_the_copy():
    tree = parse(render_document(scanned(COPIES), "en"))
    notes = [words(p) for p in tree.iter("p") if p.get("class") == "note" and "copy of the data" in words(p)]
    assert notes == [
        "The finding is about a copy of the data (dynamodb-replica, declared at fixtures/terraform/copies-dynamodb-rds-kms-backup/main.tf:15).",
        "The finding is about a copy of the data (rds-read-replica, declared at fixtures/terraform/copies-dynamodb-rds-kms-backup/main.tf:30).",
        "The finding is about a copy of the data (backup-copy, declared at fixtures/terraform/copies-dynamodb-rds-kms-backup/main.tf:66).",
        "The finding is about a copy of the data (kms-replica, declared at fixtures/terraform/copies-dynamodb-rds-kms-backup/main.tf:79).",
    ]


def test_suppressed_findings_show_justification_expiry_and_approver():
    doc = scanned(SUPPRESS)
    tree = parse(render_document(doc, "en"))
    path = "fixtures/terraform/suppress-exceptions"
    assert table(tree, "suppressed") == [
        ["aws_s3_bucket.payroll", "sensitive-data-exposed-to-foreign-law", "▲ High", "Contract clause with the provider, legal opinion 2026-031",
         "2027-12-31", "DPO of the ministry", f"waiver file {path}/.sovscan-waivers.yml:3"],
        ["aws_s3_bucket.payroll", "sensitive-data-without-secnumcloud", "▲ High", "Moving to a SecNumCloud offer, ticket INFRA-42",
         "2027-06-30", "RSSI", f"inline comment {path}/main.tf:9"],
        ["module.legacy.aws_s3_bucket.logs", "unclassified-resource", "▼ Low", "Legacy module, classification in progress (DPO ticket 7)",
         "2027-01-31", "none", f"inline comment {path}/main.tf:34"],
        ["module.legacy.aws_s3_bucket.tmp", "unclassified-resource", "▼ Low", "Legacy module, classification in progress (DPO ticket 7)",
         "2027-01-31", "none", f"inline comment {path}/main.tf:34"],
    ]
    # suppressed findings are not counted, and the verdict says so
    figures = {div.get("data-key"): words(div.find("dd")) for div in tree.find(".//dl[@data-table='key-figures']")}
    assert figures["suppressed"] == "4" and figures["findings"] == "4"
    assert "4 suppressed findings not counted, each with its justification below." in [words(p) for p in tree.iter("p")]


def test_a_suppression_without_justification_says_so():
    doc = scanned(DEMO)
    doc["findings"][0].update({"suppressed": True, "suppression": {"kind": "baseline", "reason": "", "until": None}})
    row = table(parse(render_document(doc, "en")), "suppressed")[0]
    assert row[3:6] == ["none given", "none", "none"]


def test_catalog_facts_used_oldest_first_with_their_use():
    doc = scanned(DEMO)
    finding = doc["findings"][0]
    finding["evidence"]["facts"][1]["verified_at"] = "2025-01-15"  # one fact checked long ago
    tree = parse(render_document(doc, "en"))
    rows = table(tree, "facts")
    assert rows[0][0] == "Amazon Web Services region eu-west-3 is in FR"
    assert rows[0][2:] == ["2025-01-15", "confirmed", "1"]
    assert "Re-check the oldest first: 2025-01-15." in words(tree.find(".//section[@id='facts']/p"))
    unconfirmed = [r[0] for r in rows if r[3] == "⚠ UNCONFIRMED"]
    assert "HDS of AWS commercial regions (aws-commercial) is unconfirmed" in unconfirmed


def test_input_problems_are_listed_and_make_the_verdict_incomplete():
    tree = parse(render_document(scanned(NOT_DOWNLOADED), "en"))
    rows = table(tree, "errors")
    assert [r[:2] for r in rows] == [["fixtures/terraform/registry-module-not-downloaded/main.tf", "5"]]
    assert rows[0][2].startswith('module "remote" (source \'git::https://example.com/org/storage.git?ref=v1.0.0\') is not downloaded')
    assert "1 input problem: what they hide is not judged." in [words(p) for p in tree.iter("p")]


def test_an_empty_scan_has_nothing_to_judge():
    doc = scanned(DEMO)
    doc.update(resources=[], findings=[])
    audit = audit_of(doc)
    assert audit.verdict == "empty"
    tree = parse(render_document(doc, "en"))
    assert words(tree.find(".//p[@class='verdict']")) == "? Nothing to judge: No resource was found in the inputs."


def test_rule_documentation_is_shown_when_the_document_carries_it():
    doc = scanned(DEMO)
    doc["rules"] = [{"id": "unclassified-resource", "summary": "A resource holding data has no classification tag.",
                     "why": "Circular 6519/SG asks each administration to know its data.", "references": ["Circular 6519/SG (5 Feb 2026)"]}]
    tree = parse(render_document(doc, "en"))
    section = tree.find(".//section[@id='rules']")
    item = section.find("ul/li")
    assert words(item).startswith("unclassified-resource — A resource holding data has no classification tag.")
    assert [words(p) for p in item.findall("p")] == [
        "Why: Circular 6519/SG asks each administration to know its data.", "References: Circular 6519/SG (5 Feb 2026)"]
    last = tree.find(".//section[@id='finding-11']")
    assert "Requirement: A resource holding data has no classification tag." in [words(li) for li in last.iter("li")]


# --------------------------------------------------------------------------- trend


def test_trend_shows_new_fixed_unchanged_and_suppressed_findings():
    now = scanned(DEMO)
    before = scanned(DEMO)
    before["findings"] = [f for f in before["findings"] if f["rule"] != "unclassified-resource"]  # the scratch bucket's: new since
    fixed = {**before["findings"][0], "address": "aws_s3_bucket.old_exports"}
    before["findings"].append(fixed)  # a finding on a bucket since removed: fixed
    waived = next(f for f in now["findings"] if f["rule"] == "personal-data-outside-eea")  # now suppressed
    waived.update(suppressed=True, suppression={"kind": "waiver", "reason": "SCCs signed", "until": "2027-06-30"})
    trend = audit_of(now, [("january.json", before)]).trend
    key = lambda f: (f.rule, f.address)  # noqa: E731
    assert [key(f) for f in trend.new] == [("unclassified-resource", "scaleway_object_bucket.scratch")]
    assert [key(f) for f in trend.fixed] == [("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.old_exports")]
    assert [key(f) for f in trend.suppressed_since] == [("personal-data-outside-eea", "aws_dynamodb_table.analytics")]
    assert len(trend.unchanged) == 9
    assert [(p.name, p.total) for p in trend.points] == [("january.json", 11), ("", 10)]

    tree = parse(render_document(now, "en", [("january.json", before)]))
    assert table(tree, "changes") == [["+ New", "1"], ["− Fixed", "1"], ["= Unchanged", "9"], ["~ Now suppressed", "1"]]
    assert table(tree, "trend") == [["january.json", "0", "9", "1", "1", "0", "11"], ["this report", "0", "8", "0", "2", "0", "10"]]
    assert table(tree, "new-findings") == [["scaleway_object_bucket.scratch", "unclassified-resource", "▼ Low", "fixtures/demo/main.tf:107"]]


def test_trend_across_several_reports_compares_with_the_last_one():
    now, middle, first = scanned(DEMO), scanned(DEMO), scanned(DEMO)
    first["findings"] = first["findings"][:3]
    trend = audit_of(now, [("first.json", first), ("middle.json", middle)]).trend
    assert trend.against == "middle.json"
    assert (len(trend.new), len(trend.fixed), len(trend.unchanged)) == (0, 0, 11)
    assert [p.total for p in trend.points] == [3, 11, 11]


def test_the_same_address_in_two_root_modules_is_two_findings_in_the_trend():
    now = scanned(TWO_ROOTS)
    before = scanned(TWO_ROOTS)
    before["findings"] = [f for i, f in enumerate(before["findings"]) if i % 2 == 0]  # only envs/prod's
    trend = audit_of(now, [("prod-only.json", before)]).trend
    assert sorted((f.rule, f.root) for f in trend.new) == [
        ("sensitive-data-exposed-to-foreign-law", "envs/staging"),
        ("sensitive-data-without-secnumcloud", "envs/staging"),
    ]
    assert sorted((f.rule, f.root) for f in trend.unchanged) == [
        ("sensitive-data-exposed-to-foreign-law", "envs/prod"),
        ("sensitive-data-without-secnumcloud", "envs/prod"),
    ]
    assert [(r.root, r.findings) for r in audit_of(now).resources] == [("envs/prod", 2), ("envs/staging", 2)]


# --------------------------------------------------------------------------- language


def test_both_languages_have_the_same_words():
    assert set(i18n.TABLES["fr"]) == set(i18n.TABLES["en"])
    for key in i18n.TABLES["en"]:
        assert set(re.findall(r"{(\w+)}", i18n.TABLES["fr"][key])) == set(re.findall(r"{(\w+)}", i18n.TABLES["en"][key])), key


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "", "LC_MESSAGES": "fr_BE", "LANG": "en_US"}, "fr"),
    ],
)
def test_the_default_language_follows_the_locale(environ, expected):
    assert i18n.language_from_environment(environ) == expected


def test_plurals_follow_each_language():
    en, fr = i18n.Strings("en"), i18n.Strings("fr")
    assert [en.n("findings", n) for n in (0, 1, 2)] == ["0 findings", "1 finding", "2 findings"]
    assert [fr.n("findings", n) for n in (0, 1, 2)] == ["0 constat", "1 constat", "2 constats"]


def test_the_french_page_is_in_french():
    tree = parse(render_document(scanned(DEMO), "fr"))
    assert tree.get("lang") == "fr"
    assert words(tree.find(".//h1")) == "Audit de l'hébergement des données"
    assert words(tree.find(".//p[@class='verdict']")) == "✗ Non conforme : 8 constats de gravité élevée ou critique sur 4 ressources."
    assert [words(th) for th in tree.find(".//table[@data-table='matrix']/thead/tr")] == [
        "Niveau", "Qualifié SecNumCloud", "UE, non exposé", "UE, exposé", "Hors UE", "Inconnu", "Total"]


def test_render_takes_the_language_from_the_locale(monkeypatch):
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert parse(render_document(scanned(DEMO))).get("lang") == "fr"
    monkeypatch.setenv("LC_ALL", "C")
    assert parse(render_document(scanned(DEMO))).get("lang") == "en"


# --------------------------------------------------------------------------- how it is written

CASES = (DEMO, SUPPRESS, UNKNOWN_REGION, COPIES, TWO_ROOTS, NOT_DOWNLOADED)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", CASES)
def test_every_page_parses_as_strict_html5(case, lang):
    parse(render_document(scanned(case), lang, [("earlier.json", scanned(DEMO))]))


def test_headings_are_in_order_and_ids_unique():
    tree = parse(render_document(scanned(DEMO), "en", [("earlier.json", scanned(SUPPRESS))]))
    levels = [int(e.tag[1]) for e in tree.iter() if isinstance(e.tag, str) and re.fullmatch(r"h[1-6]", e.tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    ids = [e.get("id") for e in tree.iter() if isinstance(e.tag, str) and e.get("id")]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for section in tree.iter("section"):
        assert tree.find(f".//*[@id='{section.get('aria-labelledby')}']") is not None


def test_tables_have_captions_and_header_cells():
    tree = parse(render_document(scanned(DEMO), "en", [("earlier.json", scanned(DEMO))]))
    tables = list(tree.iter("table"))
    assert len(tables) >= 10
    for element in tables:
        assert words(element.find("caption")), "a table without caption"
        assert all(th.get("scope") == "col" for th in element.find("thead").iter("th"))
        for row in element.find("tbody"):
            assert row[0].tag == "th" and row[0].get("scope") == "row"


def test_colour_is_never_the_only_signal():
    tree = parse(render_document(scanned(DEMO), "en"))
    badges = [e for e in tree.iter("span") if "badge" in (e.get("class") or "").split()]
    assert len(badges) > 20
    for badge in badges:
        icon = badge.find("span[@aria-hidden='true']")
        assert icon is not None and words(icon), "a badge without its icon"
        assert "".join(badge.itertext()).replace(icon.text, "").strip(), "a badge without words"
    for svg in tree.iter(f"{SVG}svg"):
        assert svg.get("role") == "img"
        labels = svg.get("aria-labelledby").split()
        assert [e.tag for e in svg if e.get("id") in labels] == [f"{SVG}title", f"{SVG}desc"]
        # every drawn number is written as text, and the figure holds a table with the same numbers
        assert any(words(t).isdigit() for t in svg.iter(f"{SVG}text"))


def test_the_page_is_self_contained():
    html = render_document(scanned(DEMO), "en", [("earlier.json", scanned(DEMO))])
    tree = parse(html)
    assert [e.tag for e in tree.iter() if e.tag in ("script", "link", "img", "iframe", "object", "embed", "base", "form")] == []
    assert [e.tag for e in tree.iter() if isinstance(e.tag, str) and (e.get("src") or e.get("srcset"))] == []
    csp = tree.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'")
    assert "url(" not in words(tree.find(".//style")) and "@import" not in words(tree.find(".//style"))
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert {h[0] for h in hrefs} <= {"#", "h"} and all(h.startswith(("#", "https://", "http://")) for h in hrefs)
    assert "@media print" in words(tree.find(".//style"))


def test_values_from_the_report_are_escaped_and_never_linked_as_script():
    doc = scanned(DEMO)
    doc["resources"][0]["address"] = '<script>alert("address")</script>'
    doc["findings"][0]["address"] = '<script>alert("address")</script>'
    doc["findings"][0]["message"] = "<img src=x onerror=alert(1)>"
    doc["findings"][0]["evidence"]["facts"][0]["urls"] = ["javascript:alert(1)"]
    doc["inputs"] = ["</style><script>alert(2)</script>"]
    html = render_document(doc, "en")
    tree = parse(html)
    assert [e.tag for e in tree.iter() if e.tag in ("script", "img")] == []
    assert not [a for a in tree.iter("a") if a.get("href", "").startswith("javascript")]
    assert "javascript:alert(1)" in words(tree.find(".//section[@id='finding-1']"))  # shown as text, not a link
    assert '<script>alert("address")</script>' in words(tree.find(".//section[@id='finding-1']/h3"))


def test_render_and_render_document_give_the_same_page():
    from scanner.report.html import page as html_report
    from scanner.report.json_report import to_document

    report = _demo_report()
    assert html_report.render(report, lang="en") == render_document(to_document(report), "en")


def _demo_report():
    import os

    from scanner.pipeline import build_report, load_policy
    from scanner.sources import collect
    from scanner.sources.terraform.module.inputs import VariableOptions
    from tests.support import AS_OF, ROOT

    previous = os.getcwd()
    os.chdir(ROOT)
    try:
        policy = load_policy(None, None, AS_OF, search_from=ROOT / DEMO)
        result = collect(ROOT / DEMO, VariableOptions((), (), {}))
        return build_report([DEMO], result.resources, result.errors, policy)
    finally:
        os.chdir(previous)
