"""``sovscan init``: write a commented starter ``.sovscan.yml``.

Every section of the configuration is shown with a short explanation
(lines starting with ``##``) and a working example (lines starting with
``# ``: remove those two characters to use it). An existing file is never
overwritten without ``--force``. tests/test_config_init.py checks that the
file loads with no problem, and that it still does with every example
switched on.
"""

from __future__ import annotations

from pathlib import Path

import click

from scanner.cli.app import UsageProblem

STARTER = """\
## sovscan configuration. sovscan reads the nearest .sovscan.yml at or above
## the folder it scans, or the file given with --config. Every key is checked:
## a mistake is reported with its line. Rules and their options: docs/rules.md,
## `sovscan rules`, `sovscan explain RULE_ID`.
##
## Lines starting with "##" explain; lines starting with "# " are examples:
## remove the "# " to use one.
version: 1

## The policy pack: fr-state (the French State's doctrine: R9, SREN art. 31,
## SecNumCloud, HDS, GDPR, II 901, IGI 1300) or eu (GDPR and the EU Cloud
## Sovereignty Framework). --pack overrides it.
pack: {pack}

## Exit with code 1 when a finding is at or above this severity (info, low,
## medium, high, critical, or never). --fail-on overrides it.
# fail_on: high

## The level of a resource that carries no classification tag, instead of
## reporting it unclassified: public, internal, personal, health, sensitive,
## restricted (Diffusion Restreinte) or classified. vSphere VMs have no tags
## sovscan can read: this is how they get a level.
# untagged_level: internal

## Your own tags: more keys that carry a classification, more keys that name a
## workload (resources of one workload share its highest level), and your own
## values mapped to sovscan's levels.
# vocabulary:
#   classification_keys: [niveau_dicp]
#   workload_keys: [application_name]
#   values:
#     c3: sensitive
#     c2: internal

## Rules of the pack: change a severity, switch a rule off, or change its
## options (for the eu pack, the minimum SEAL level of one objective).
# rules:
#   unclassified-resource: {{severity: medium}}
#   personal-data-exposed-to-foreign-law: {{enabled: false}}

## Decisions sovscan cannot see in the code: the homologation of a Diffusion
## Restreinte system (DR-homologation, II 901) or of a classified system
## (IGI1300-homologation, IGI 1300), for a workload or an address pattern,
## until its end date. An expired one no longer counts.
# attestations:
#   - {{scheme: DR-homologation, workload: messagerie, reference: HOMOL-DR-2026-04, valid_until: 2029-04-01}}
#   - {{scheme: IGI1300-homologation, address: "module.vault.*", reference: HOMOL-S-2026-07, valid_until: 2028-07-01}}

## Resources that run on a catalog offer the code does not reveal (see
## `sovscan catalog`), by workload or address pattern.
# offers:
#   - {{offer: ovhcloud-hpc-vmware-snc, workload: dossiers}}

## SEAL levels (0-4) of the EU Cloud Sovereignty Framework that your own
## tender evaluation gave a provider; only official or tender assessments
## count (eu pack). The levels below are placeholders.
# seal:
#   - provider: s3ns
#     provenance: tender
#     reference: Evaluation report of our tender, lot 2
#     levels: {{SOV-1: 2, SOV-2: 3, SOV-3: 3, SOV-4: 2, SOV-5: 2, SOV-6: 2, SOV-7: 3, SOV-8: 2}}

## Your own hosting, judged like any cloud of sovscan's catalog (same keys as
## policies/catalog/providers/*.yml): a ministry data centre or a private
## cloud, with its country, recognised only by the endpoint your resources use
## (a vSphere provider's vsphere_server, an OpenStack auth_url, an AWS
## endpoints {{}} block). commercial: false marks a State system, the only
## place classified data may go; list the qualifications it holds.
# hosting:
#   - id: ministere-dc
#     name: Ministry data centre
#     legal_name: Ministère de l'Intérieur
#     hq_country: FR
#     commercial: false
#     exposure:
#       status: not_exposed
#       rationale: A State data centre run by the ministry's own staff.
#       confidence: confirmed
#     detect:
#       endpoints:
#         - {{host: 'vcenter\\.interieur\\.gouv\\.fr', region: paris}}
#         - {{host: 'keystone\\.cloud\\.interieur\\.gouv\\.fr'}}
#     regions:
#       - {{id: paris, country: FR, city: Paris, confidence: confirmed}}
#     offers:
#       - id: ministere-private-cloud
#         name: Ministry private cloud
#         certifications: []
#     verified_at: 2026-01-15
#     confidence: confirmed

## S3-compatible endpoints that `sovscan inventory s3` audits when no
## --endpoint-url is given, each with the AWS CLI profile holding its keys
## (none: the environment's). Which cloud and region each is comes from the
## catalog (s3.fr-par.scw.cloud is Scaleway fr-par); give region and cloud
## (a catalog id or one of your hosting ids) for an endpoint it cannot know.
# inventory:
#   s3:
#     - {{endpoint_url: https://s3.fr-par.scw.cloud, profile: scaleway}}
#     - {{endpoint_url: https://s3.gra.io.cloud.ovh.net, profile: ovh}}
#     - {{endpoint_url: https://s3.ministere.gouv.fr, profile: ministere, cloud: ministere-dc, region: paris}}
"""


def starter(pack: str) -> str:
    """The text of a starter .sovscan.yml for ``pack``."""
    return STARTER.format(pack=pack)


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--pack", default=None, help="Policy pack to write in the file [default: fr-state].")
@click.option("--force", is_flag=True, help="Overwrite an existing .sovscan.yml.")
def init(folder: Path, pack: str | None, force: bool) -> None:
    """Write a commented starter .sovscan.yml in FOLDER (default: the current folder)."""
    from scanner.pipeline import DEFAULT_PACK
    from scanner.policy.config import CONFIG_NAMES
    from scanner.policy.pack import available_packs

    pack = pack or DEFAULT_PACK
    if pack not in available_packs():
        raise UsageProblem(f"--pack {pack}: unknown policy pack; expected one of: {', '.join(available_packs())}")
    if not folder.is_dir():
        raise UsageProblem(f"{folder}: no such folder")
    target = folder / CONFIG_NAMES[0]
    for name in CONFIG_NAMES[1:]:
        if (folder / name).exists():
            raise UsageProblem(f"{folder / name} already exists, and a new {target.name} would silently replace it; edit it instead")
    if target.exists() and not force:
        raise UsageProblem(f"{target} already exists; use --force to overwrite it")
    target.write_text(starter(pack), encoding="utf-8")
    click.echo(f"wrote {target} (pack {pack}); edit it, then run: sovscan scan {folder}")
