"""``sovscan init`` writes a commented starter .sovscan.yml that loads with no problem, whose every
example is valid too, and never overwrites a file without --force."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from scanner.cli.app import cli
from scanner.cli.init import starter
from scanner.pipeline import load_policy


def _run(*args: str):
    return CliRunner().invoke(cli, ["init", *args])


def _uncommented(text: str) -> str:
    """The starter with every example switched on: '# ' removed, '##' explanations kept."""
    return "\n".join(line[2:] if line.startswith("# ") else line for line in text.splitlines()) + "\n"


def test_init_writes_a_starter_that_loads_cleanly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run()
    assert result.exit_code == 0, result.output
    assert result.output == "wrote .sovscan.yml (pack fr-state); edit it, then run: sovscan scan .\n"
    written = (tmp_path / ".sovscan.yml").read_text(encoding="utf-8")
    assert written == starter("fr-state")
    policy = load_policy(None, search_from=tmp_path)
    assert policy.config.file == ".sovscan.yml"
    assert policy.errors == []
    assert policy.pack.id == "fr-state"


def test_every_example_of_the_starter_is_valid(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".sovscan.yml").write_text(_uncommented(starter("fr-state")), encoding="utf-8")
    policy = load_policy(tmp_path / ".sovscan.yml")
    assert policy.errors == []
    config = policy.config
    assert (config.fail_on, config.untagged_level) == ("high", "internal")
    assert policy.vocabulary.synonyms["c3"] == "sensitive"
    assert policy.pack.rule("personal-data-exposed-to-foreign-law").enabled is False
    assert [a.scheme for a in config.attestations] == ["DR-homologation", "IGI1300-homologation"]
    assert [o.offer for o in config.offers] == ["ovhcloud-hpc-vmware-snc"]
    assert policy.catalog.providers["s3ns"].csf_seal.provenance == "tender"
    assert policy.catalog.for_endpoint("vcenter.interieur.gouv.fr")[0].id == "ministere-dc"
    assert [(e.endpoint_url, e.profile, e.cloud, e.region) for e in config.inventory_s3] == [
        ("https://s3.fr-par.scw.cloud", "scaleway", None, None),
        ("https://s3.gra.io.cloud.ovh.net", "ovh", None, None),
        ("https://s3.ministere.gouv.fr", "ministere", "ministere-dc", "paris"),
    ]


def test_init_refuses_to_overwrite_without_force(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".sovscan.yml").write_text("pack: eu\n", encoding="utf-8")
    result = _run()
    assert result.exit_code == 2
    assert "Error: .sovscan.yml already exists; use --force to overwrite it" in result.output
    assert (tmp_path / ".sovscan.yml").read_text(encoding="utf-8") == "pack: eu\n"
    forced = _run("--force", "--pack", "eu")
    assert forced.exit_code == 0, forced.output
    assert "pack: eu\n" in (tmp_path / ".sovscan.yml").read_text(encoding="utf-8")
    assert load_policy(tmp_path / ".sovscan.yml").pack.id == "eu"


def test_init_in_a_folder(tmp_path):
    (tmp_path / "infra").mkdir()
    result = _run(str(tmp_path / "infra"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "infra" / ".sovscan.yml").is_file()


def test_init_will_not_shadow_a_sovscan_yaml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".sovscan.yaml").write_text("pack: eu\n", encoding="utf-8")
    result = _run("--force")
    assert result.exit_code == 2
    assert "Error: .sovscan.yaml already exists, and a new .sovscan.yml would silently replace it; edit it instead" in result.output
    assert not (tmp_path / ".sovscan.yml").exists()


def test_init_unknown_pack(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run("--pack", "france")
    assert result.exit_code == 2
    assert "Error: --pack france: unknown policy pack; expected one of: eu, fr-state" in result.output
    assert not Path(tmp_path / ".sovscan.yml").exists()
