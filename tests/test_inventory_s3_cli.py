"""``sovscan inventory s3`` as users run it: a real process, endpoints listed in .sovscan.yml with their profiles,
credentials from a profile file and the environment, one snapshot that ``scan``, ``diff``, ``merge`` and
``--against`` read; and no credential anywhere in what it prints or writes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests import s3_clouds as estate
from tests.moto_server import free_port
from tests.test_inventory_cli import run

# Recognisable credentials: none of them may appear in any output, file or error.
PROFILE_SECRETS = {
    "scaleway": ("SCWPLANTEDACCESSKEY01", "planted-scaleway-secret-8f3c1d"),
    "ovh": ("OVHPLANTEDACCESSKEY02", "planted-ovh-secret-2b7e90"),
}
ENV_SECRETS = ("ENVPLANTEDACCESSKEY03", "planted-environment-secret-5d41", "planted-session-token-9a0f")
PLANTED = [value for pair in PROFILE_SECRETS.values() for value in pair] + list(ENV_SECRETS)

CONFIG = estate.CONFIG + textwrap.dedent("""\
    inventory:
      s3:
        - endpoint_url: http://s3.fr-par.scw.cloud
          profile: scaleway
        - endpoint_url: http://s3.nl-ams.scw.cloud
          profile: scaleway
        - endpoint_url: http://s3.gra.io.cloud.ovh.net
          profile: ovh
        - endpoint_url: http://s3.mairie-exemple.fr   # the environment's credentials
    """)

FINDINGS = [
    ("personal-data-hosting-unverified", "http://s3.mairie-exemple.fr/etat-civil"),
    ("restricted-data-without-homologation", "http://s3.gra.io.cloud.ovh.net/registre-dr"),
    ("sensitive-data-hosting-unverified", "http://s3.fr-par.scw.cloud/dossiers-patients"),
    ("sensitive-data-hosting-unverified", "http://s3.gra.io.cloud.ovh.net/registre-dr"),
    ("sensitive-data-outside-eu", "http://s3.gra.io.cloud.ovh.net/registre-dr"),
    ("sensitive-data-without-secnumcloud", "http://s3.fr-par.scw.cloud/dossiers-patients"),
    ("unclassified-resource", "http://s3.mairie-exemple.fr/brouillons"),
]


@pytest.fixture
def estate_dir(fault_proxy, monkeypatch, tmp_path):
    """A working folder with .sovscan.yml and a profile file, the planted environment, the estate seeded and routed."""
    estate.seed(f"http://127.0.0.1:{fault_proxy.upstream_port}")
    estate.route(fault_proxy, monkeypatch)
    profiles = "".join(f"[{name}]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n" for name, (key, secret) in PROFILE_SECRETS.items())
    (tmp_path / "credentials").write_text(profiles)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for name, value in zip(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"), ENV_SECRETS, strict=True):
        monkeypatch.setenv(name, value)
    (tmp_path / ".sovscan.yml").write_text(CONFIG)
    return tmp_path


def no_secret_in(*texts: str) -> None:
    for text in texts:
        for secret in PLANTED:
            assert secret not in text


def outputs_of(folder: Path, done) -> list[str]:
    return [done.stdout, done.stderr] + [p.read_text() for p in folder.glob("*.json")] + [p.read_text() for p in folder.glob("*.sarif")] + [p.read_text() for p in folder.glob("*.html")]


def pairs(doc: dict, key: str = "findings") -> list[tuple[str, str]]:
    return sorted((f["rule"], f["address"]) for f in doc[key])


def test_endpoints_of_sovscan_yml_make_one_snapshot_that_scan_reads_back(estate_dir, fault_proxy):
    done = run("inventory", "s3", "--format", "json", "-o", "report.json", "--output", "sarif=report.sarif", "--save", "snapshot.json", cwd=estate_dir)
    assert done.returncode == 1, done.stderr
    # stderr is not a terminal: no progress bar, only what every command says of the files it wrote
    assert (done.stdout, done.stderr) == ("", "sovscan: 7 findings; wrote json to report.json, sarif to report.sarif\n")
    report = json.loads((estate_dir / "report.json").read_text())
    assert pairs(report) == FINDINGS
    assert report["inputs"] == ["s3:s3.fr-par.scw.cloud", "s3:s3.gra.io.cloud.ovh.net", "s3:s3.mairie-exemple.fr", "s3:s3.nl-ams.scw.cloud"]
    assert report["errors"] == []
    assert set(fault_proxy.hosts) == {"s3.fr-par.scw.cloud", "s3.nl-ams.scw.cloud", "s3.gra.io.cloud.ovh.net", "s3.mairie-exemple.fr"}

    snapshot = json.loads((estate_dir / "snapshot.json").read_text())
    assert (snapshot["kind"], snapshot["api"], snapshot["accounts"]) == ("sovscan-inventory", "s3", ["s3.fr-par.scw.cloud", "s3.gra.io.cloud.ovh.net", "s3.mairie-exemple.fr", "s3.nl-ams.scw.cloud"])
    registre = next(r for r in snapshot["resources"] if r["address"] == "http://s3.gra.io.cloud.ovh.net/registre-dr")
    assert registre == {
        "address": "http://s3.gra.io.cloud.ovh.net/registre-dr", "type": "s3:bucket", "provider": "s3", "region": "gra",
        "account": "s3.gra.io.cloud.ovh.net", "api": "s3:ListBuckets", "tags": {"sensibilite": "DR", "workload": "registre"},
        "tags_api": "s3:GetBucketTagging", "tags_complete": True, "hints": {"endpoint": "s3.gra.io.cloud.ovh.net"}, "holds_data": True,
        "copies": [{"kind": "s3-replication", "provider": "s3", "region": "bhs", "hints": {"endpoint": "s3.gra.io.cloud.ovh.net", "cloud": "ovhcloud", "destination": "arn:aws:s3:::registre-dr-bhs"},
                    "declared_by": "s3 replication rule vers-bhs to arn:aws:s3:::registre-dr-bhs"}],
    }

    scanned = run("scan", "snapshot.json", "--format", "json", cwd=estate_dir)
    assert scanned.returncode == 1, scanned.stderr
    again = json.loads(scanned.stdout)
    assert again["resources"] == report["resources"] and again["findings"] == report["findings"]
    no_secret_in(*outputs_of(estate_dir, done), scanned.stdout, scanned.stderr)


def test_snapshots_of_each_endpoint_merge_into_the_snapshot_of_all(estate_dir):
    runs = {
        "scaleway.json": ("--endpoint-url", estate.SCW_PAR, "--endpoint-url", estate.SCW_AMS, "--profile", "scaleway"),
        "ovh.json": ("--endpoint-url", estate.OVH_GRA, "--profile", "ovh"),
        "mairie.json": ("--endpoint-url", estate.MAIRIE),
        "all.json": (),
    }
    for name, args in runs.items():
        done = run("inventory", "s3", *args, "--fail-on", "never", "--save", name, "-o", f"report-{name}", "--format", "json", cwd=estate_dir)
        assert done.returncode == 0, done.stderr
    merged = run("merge", "scaleway.json", "ovh.json", "mairie.json", "-o", "merged.json", cwd=estate_dir)
    assert merged.returncode == 0, merged.stderr
    assert merged.stderr == "sovscan: merged 3 snapshots into merged.json (6 resources)\n"
    together, alone = (json.loads((estate_dir / n).read_text()) for n in ("merged.json", "all.json"))
    key = lambda r: r["address"]  # noqa: E731
    assert sorted(together["resources"], key=key) == sorted(alone["resources"], key=key)
    assert (together["accounts"], together["regions"]) == (alone["accounts"], alone["regions"])
    judged = run("scan", "merged.json", "--format", "json", cwd=estate_dir)
    assert pairs(json.loads(judged.stdout)) == FINDINGS

    reports = run("merge", "report-scaleway.json", "report-ovh.json", "report-mairie.json", "-o", "merged-report.json", cwd=estate_dir)
    assert reports.returncode == 0, reports.stderr
    assert pairs(json.loads((estate_dir / "merged-report.json").read_text())) == FINDINGS


def test_diff_of_two_audits_names_what_changed(estate_dir, fault_proxy):
    before = run("inventory", "s3", "--format", "json", "-o", "before.json", cwd=estate_dir)
    assert before.returncode == 1, before.stderr
    moto = f"http://127.0.0.1:{fault_proxy.upstream_port}"
    estate.client(moto, "fr-par").put_bucket_tagging(Bucket="exports-rh", Tagging=estate.tags(data_classification="sensible"))  # now sensitive
    estate.client(moto, "us-east-1").delete_bucket(Bucket="brouillons")
    after = run("inventory", "s3", "--format", "json", "-o", "after.json", cwd=estate_dir)
    assert after.returncode == 1, after.stderr
    diff = run("diff", "before.json", "after.json", "--format", "json", cwd=estate_dir)
    assert diff.returncode == 1, diff.stderr  # new high findings
    changes = json.loads(diff.stdout)
    assert pairs(changes, "new_findings") == [("sensitive-data-without-secnumcloud", "http://s3.fr-par.scw.cloud/exports-rh")]
    assert pairs(changes, "fixed_findings") == [("unclassified-resource", "http://s3.mairie-exemple.fr/brouillons")]
    assert [r["address"] for r in changes["resources_gone"]] == ["http://s3.mairie-exemple.fr/brouillons"]


def test_terraform_against_an_s3_snapshot(estate_dir):
    """Terraform declares the patients' bucket in Amsterdam; the audit finds it in Paris, and undeclared sensitive buckets."""
    (estate_dir / "infra").mkdir()
    (estate_dir / "infra" / "main.tf").write_text(textwrap.dedent("""\
        terraform {
          required_providers {
            scaleway = { source = "scaleway/scaleway" }
          }
        }

        provider "scaleway" {
          region = "nl-ams"
        }

        resource "scaleway_object_bucket" "dossiers" {
          name = "dossiers-patients"
          tags = {
            classification = "données de santé"
            workload       = "dossier-medical"
          }
        }
        """))
    saved = run("inventory", "s3", "--fail-on", "never", "--save", "snapshot.json", cwd=estate_dir)
    assert saved.returncode == 0, saved.stderr
    done = run("scan", "infra", "--against", "snapshot.json", "--format", "json", cwd=estate_dir)
    doc = json.loads(done.stdout)
    compared = [(f["rule"], f["address"], f["origin"]) for f in doc["findings"] if f["rule"] in ("deployed-location-differs-from-declared", "sensitive-resource-not-declared")]
    assert sorted(compared, key=lambda f: (f[0], f[1])) == [
        ("deployed-location-differs-from-declared", "scaleway_object_bucket.dossiers", {"file": "infra/main.tf", "line": 11}),
        ("sensitive-resource-not-declared", "http://s3.fr-par.scw.cloud/exports-rh", {"account": "s3.fr-par.scw.cloud", "api": "s3:ListBuckets"}),
        ("sensitive-resource-not-declared", "http://s3.gra.io.cloud.ovh.net/registre-dr", {"account": "s3.gra.io.cloud.ovh.net", "api": "s3:ListBuckets"}),
        ("sensitive-resource-not-declared", "http://s3.mairie-exemple.fr/etat-civil", {"account": "s3.mairie-exemple.fr", "api": "s3:ListBuckets"}),
    ]
    drift = next(f for f in doc["findings"] if f["rule"] == "deployed-location-differs-from-declared")
    assert drift["message"] == "Declared in scaleway nl-ams (NL) but deployed in scaleway fr-par (FR) (http://s3.fr-par.scw.cloud/dossiers-patients, matched by workload)."


def test_no_credential_appears_in_any_output_or_error(estate_dir, fault_proxy):
    """Profiles and environment hold planted secrets; every path that prints or writes is checked, errors included (no --debug)."""
    seen: list[str] = []

    def keep(done, *files: str) -> None:
        seen.extend([done.stdout, done.stderr] + [(estate_dir / f).read_text() for f in files if (estate_dir / f).exists()])

    ok = run("inventory", "s3", "--format", "json", "-o", "ok.json", "--output", "html=ok.html", "--output", "sarif=ok.sarif", "--save", "ok-snapshot.json", cwd=estate_dir)
    keep(ok, "ok.json", "ok.html", "ok.sarif", "ok-snapshot.json")
    text = run("inventory", "s3", "--endpoint-url", estate.OVH_GRA, "--profile", "ovh", cwd=estate_dir)
    keep(text)

    # The server refuses the key and quotes it in its message, as some S3 servers do.
    fault_proxy.refused_keys.update({PROFILE_SECRETS["ovh"][0], ENV_SECRETS[0]})
    refused = run("inventory", "s3", "--format", "json", "-o", "refused.json", "--save", "refused-snapshot.json", cwd=estate_dir)
    assert refused.returncode == 1  # Scaleway's findings; OVH's and the town hall's endpoints are errors
    report = json.loads((estate_dir / "refused.json").read_text())
    assert [(e["file"], e["message"]) for e in report["errors"]] == [
        ("s3:s3.gra.io.cloud.ovh.net", "ListBuckets answered InvalidAccessKeyId (The access key (redacted) does not exist in our records); the credentials were refused; "
                                       "the buckets of this endpoint are missing from the inventory"),
        ("s3:s3.mairie-exemple.fr", "ListBuckets answered InvalidAccessKeyId (The access key (redacted) does not exist in our records); the credentials were refused; "
                                    "the buckets of this endpoint are missing from the inventory"),
    ]
    keep(refused, "refused.json", "refused-snapshot.json")
    text_refused = run("inventory", "s3", "--endpoint-url", estate.MAIRIE, "--fail-on", "never", cwd=estate_dir)
    assert text_refused.returncode == 2 and "nothing could be audited" in text_refused.stderr
    keep(text_refused)

    unreachable = run("inventory", "s3", "--endpoint-url", f"http://127.0.0.1:{free_port()}", "--profile", "scaleway", "--timeout", "1", cwd=estate_dir)
    assert unreachable.returncode == 2
    keep(unreachable)
    in_url = run("inventory", "s3", "--endpoint-url", f"https://{ENV_SECRETS[0]}:{ENV_SECRETS[1]}@s3.fr-par.scw.cloud", cwd=estate_dir)
    assert (in_url.returncode, in_url.stderr) == (2, "Error: --endpoint-url for s3.fr-par.scw.cloud carries a user name or password; give credentials through a profile or the environment, never in the URL\n")
    keep(in_url)
    (estate_dir / "secret-config").mkdir()
    (estate_dir / "secret-config" / ".sovscan.yml").write_text(f"inventory:\n  s3:\n    - endpoint_url: https://{PROFILE_SECRETS['ovh'][0]}:{PROFILE_SECRETS['ovh'][1]}@s3.gra.io.cloud.ovh.net\n      profile: missing\n")
    in_config = run("inventory", "s3", cwd=estate_dir / "secret-config")
    assert in_config.returncode == 2
    keep(in_config)
    missing_profile = run("inventory", "s3", "--endpoint-url", estate.SCW_PAR, "--profile", "nobody", cwd=estate_dir)
    assert (missing_profile.returncode, missing_profile.stderr) == (2, "Error: --profile nobody: no such profile in the AWS configuration\n")
    keep(missing_profile)
    assert len(seen) > 20
    no_secret_in(*seen)


def test_config_errors_name_file_and_line_and_the_other_endpoints_are_audited(estate_dir):
    (estate_dir / ".sovscan.yml").write_text(estate.CONFIG + textwrap.dedent("""\
        inventory:
          s3:
            - endpoint_url: http://s3.fr-par.scw.cloud
              profile: scaleway
            - endpoint_url: https://user:hunter2@s3.gra.io.cloud.ovh.net
            - endpoint_url: http://s3.nl-ams.scw.cloud
              cloud: nowhere-cloud
            - endpoint_url: http://s3.mairie-exemple.fr
              profile: absent
            - {endpoint: http://s3.bhs.io.cloud.ovh.net}
            - endpoint_url: http://s3.fr-par.scw.cloud
              profile: scaleway
        """))
    done = run("inventory", "s3", "--format", "json", cwd=estate_dir)
    assert done.returncode == 1, done.stderr  # the Paris endpoint was audited: its health bucket's findings
    assert done.stderr == ""
    doc = json.loads(done.stdout)
    assert [(e["file"], e["line"], e["message"]) for e in doc["errors"]] == [
        (".sovscan.yml", 7, "key 'inventory.s3[1].endpoint_url' for s3.gra.io.cloud.ovh.net carries a user name or password; "
                            "give credentials through a profile or the environment, never in the URL"),
        (".sovscan.yml", 12, "unknown key 'inventory.s3[4].endpoint' in inventory endpoint; expected one of: endpoint_url, profile, region, cloud"),
        (".sovscan.yml", 12, "inventory endpoint 'inventory.s3[4]' lacks the required key 'endpoint_url' (an endpoint URL such as https://s3.fr-par.scw.cloud)"),
        (".sovscan.yml", 13, "duplicate endpoint 'http://s3.fr-par.scw.cloud (profile scaleway)' in 'inventory.s3' (first at line 5)"),
        (".sovscan.yml", 9, "key 'inventory.s3[2].cloud' is 'nowhere-cloud', which is not a provider of the catalog or of 'hosting:'; "
                            "expected a provider id such as scaleway or ovhcloud (see `sovscan catalog`); this endpoint is not audited"),
        (".sovscan.yml", 11, "key 'inventory.s3[3].profile' is 'absent', which is not a profile of the AWS configuration; s3.mairie-exemple.fr is not audited"),
    ]
    assert "hunter2" not in done.stdout + done.stderr
    assert sorted(r["address"] for r in doc["resources"]) == ["http://s3.fr-par.scw.cloud/dossiers-patients", "http://s3.fr-par.scw.cloud/exports-rh"]


def test_an_unreadable_classification_fails_the_default_gate(estate_dir, fault_proxy):
    """Internal data only, but one bucket's tags cannot be read: exit 3 (incomplete) unless --allow-incomplete."""
    fault_proxy.denied_subresources.add(("archives-ams", "tagging"))
    done = run("inventory", "s3", "--endpoint-url", estate.SCW_AMS, "--profile", "scaleway", cwd=estate_dir)
    assert done.returncode == 3, done.stderr
    assert done.stderr == ("sovscan: incomplete: bucket http://s3.nl-ams.scw.cloud/archives-ams: classification unreadable "
                           "(see the report's errors); --allow-incomplete accepts it\n")
    assert "LOW      unclassified-resource" in done.stdout
    accepted = run("inventory", "s3", "--endpoint-url", estate.SCW_AMS, "--profile", "scaleway", "--allow-incomplete", cwd=estate_dir)
    assert (accepted.returncode, accepted.stderr) == (0, "")


def test_an_endpoint_not_read_makes_the_run_incomplete(estate_dir):
    done = run("inventory", "s3", "--endpoint-url", estate.SCW_AMS, "--endpoint-url", f"http://127.0.0.1:{free_port()}", "--profile", "scaleway", "--timeout", "1", cwd=estate_dir)
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("sovscan: incomplete: endpoint 127.0.0.1: not read")


def test_progress_bar_only_on_a_terminal(estate_dir):
    done = run("inventory", "s3", "--fail-on", "never", cwd=estate_dir, stderr_tty=True)
    assert done.returncode == 0
    assert "Auditing S3 endpoints" in done.stderr
    no_secret_in(done.stderr)


def test_usage_errors_exit_2(estate_dir, tmp_path_factory):
    empty = tmp_path_factory.mktemp("no-config")
    cases = {
        (): (empty, "Error: name an S3 endpoint with --endpoint-url URL, or list them under inventory: s3: in .sovscan.yml\n"),
        ("--region", "fr-par"): (estate_dir, "Error: --region applies to the --endpoint-url given; for the endpoints of .sovscan.yml set it under inventory: s3:\n"),
        ("--endpoint-url", estate.SCW_PAR, "--cloud", "nowhere"): (estate_dir, "Error: --cloud nowhere: not a provider of the catalog or of hosting: in .sovscan.yml; "
                                                                  "expected an id such as scaleway or ovhcloud (see `sovscan catalog`)\n"),
        ("--endpoint-url", "ftp://s3.fr-par.scw.cloud"): (estate_dir, "Error: --endpoint-url does not start with https:// or http://; expected https://HOST[:PORT][/PATH]\n"),
    }
    for args, (folder, message) in cases.items():
        done = run("inventory", "s3", *args, cwd=folder)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", message), args
