"""``sovscan inventory s3`` against a real moto server over HTTP: Scaleway, OVHcloud and a town hall's own S3.

Endpoints keep their real host names (tests/s3_clouds.py routes them to
127.0.0.1 through the fault proxy as an HTTP proxy), so which cloud and region
each belongs to comes from the catalog's ``detect.endpoints``, as in use.
Findings come from the real pipeline.
"""

from __future__ import annotations

import collections
import http.server
import json
import threading
import time

import boto3
import pytest

from scanner.pipeline import build_report, load_policy
from scanner.report import json_report
from scanner.sources.aws.s3compat import S3Options, audit_s3
from scanner.sources.aws.s3endpoints import resolve_target
from scanner.support.urls import BadEndpoint, parse_endpoint
from tests import s3_clouds as estate
from tests.moto_server import SilentServer, free_port


@pytest.fixture
def clouds(fault_proxy, monkeypatch, tmp_path):
    """The estate seeded on moto, its hosts routed through the proxy, and a policy reading the key ``sensibilite``."""
    estate.seed(f"http://127.0.0.1:{fault_proxy.upstream_port}")
    estate.route(fault_proxy, monkeypatch)
    (tmp_path / ".sovscan.yml").write_text(estate.CONFIG)
    return load_policy(tmp_path / ".sovscan.yml", None, "2026-11-27")


def audit(policy, *urls: str, options: S3Options | None = None, session=None, **given):
    session = session or boto3.Session()
    return audit_s3([(resolve_target(parse_endpoint(url), policy.catalog, **given), session) for url in urls], options or S3Options())


def judged(found, policy) -> dict:
    return json.loads(json_report.render(build_report([f"s3:{a}" for a in found.accounts], found.resources, found.errors, policy)))


def places(doc: dict) -> dict:
    return {r["address"]: (r["cloud"], r["region"], r["country"], r["sensitivity"], r["classification_status"]) for r in doc["resources"]}


def findings(doc: dict) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["address"]) for f in doc["findings"])


def errors(doc: dict) -> list[tuple[str, str]]:
    return [(e["file"], e["message"]) for e in doc["errors"]]


def test_the_catalog_says_which_cloud_and_region_each_endpoint_is(clouds, fault_proxy):
    found = audit(clouds, estate.SCW_PAR, estate.SCW_AMS, estate.OVH_GRA, estate.MAIRIE)
    doc = judged(found, clouds)
    assert places(doc) == {
        "http://s3.fr-par.scw.cloud/dossiers-patients": ("scaleway", "fr-par", "FR", "health", "classified"),
        "http://s3.fr-par.scw.cloud/exports-rh": ("scaleway", "fr-par", "FR", "personal", "classified"),
        "http://s3.nl-ams.scw.cloud/archives-ams": ("scaleway", "nl-ams", "NL", "internal", "classified"),
        "http://s3.gra.io.cloud.ovh.net/registre-dr": ("ovhcloud", "gra", "FR", "restricted", "classified"),
        # The town hall's S3 is in no catalog entry: an unknown cloud, never a pass.
        "http://s3.mairie-exemple.fr/etat-civil": ("unknown", "unknown", "unknown", "personal", "classified"),
        "http://s3.mairie-exemple.fr/brouillons": ("unknown", "unknown", "unknown", None, "unclassified"),
    }
    assert findings(doc) == [
        ("personal-data-hosting-unverified", "http://s3.mairie-exemple.fr/etat-civil"),
        ("restricted-data-without-homologation", "http://s3.gra.io.cloud.ovh.net/registre-dr"),
        ("sensitive-data-hosting-unverified", "http://s3.fr-par.scw.cloud/dossiers-patients"),
        ("sensitive-data-hosting-unverified", "http://s3.gra.io.cloud.ovh.net/registre-dr"),
        ("sensitive-data-outside-eu", "http://s3.gra.io.cloud.ovh.net/registre-dr"),  # its replica in Beauharnois
        ("sensitive-data-without-secnumcloud", "http://s3.fr-par.scw.cloud/dossiers-patients"),
        ("unclassified-resource", "http://s3.mairie-exemple.fr/brouillons"),
    ]
    unknown = next(f for f in doc["findings"] if f["address"] == "http://s3.mairie-exemple.fr/etat-civil")
    assert "endpoint s3.mairie-exemple.fr does not belong to a provider in the catalog" in unknown["message"]

    registre = next(r for r in doc["resources"] if r["address"].endswith("/registre-dr"))
    assert registre["copies"] == [{
        "kind": "s3-replication", "cloud": "ovhcloud", "region": "bhs", "country": "CA",
        "origin": {"account": "s3.gra.io.cloud.ovh.net", "api": "s3 replication rule vers-bhs to arn:aws:s3:::registre-dr-bhs"},
    }]
    # The endpoint's host is each bucket's origin (the "account"), and where its tags were read.
    health = next(r for r in doc["resources"] if r["address"].endswith("/dossiers-patients"))
    assert health["origin"] == {"account": "s3.fr-par.scw.cloud", "api": "s3:ListBuckets"}
    assert health["trace"]["sensitivity"] == [{
        "what": "tag classification (inventory) of http://s3.fr-par.scw.cloud/dossiers-patients",
        "value": "données de santé → health",
        "origin": {"account": "s3.fr-par.scw.cloud", "api": "s3:GetBucketTagging"},
    }]
    assert found.errors == [] and found.unjudged == []
    assert found.regions == {"s3.fr-par.scw.cloud": ["fr-par"], "s3.nl-ams.scw.cloud": ["nl-ams"], "s3.gra.io.cloud.ovh.net": ["gra"], "s3.mairie-exemple.fr": []}
    assert set(fault_proxy.hosts) == {"s3.fr-par.scw.cloud", "s3.nl-ams.scw.cloud", "s3.gra.io.cloud.ovh.net", "s3.mairie-exemple.fr"}


def test_requests_are_signed_for_the_region_the_host_names(clouds, fault_proxy):
    fault_proxy.seen.clear()
    audit(clouds, estate.SCW_AMS, estate.OVH_GRA)
    assert {region for region, service in fault_proxy.seen if service == "s3"} == {"nl-ams", "gra"}


def test_catalog_endpoints_of_each_eu_provider():
    """Hosts as each provider documents them (policies/catalog/sources.yml U23–U26, S74, S85) → catalog entry, region, country."""
    catalog = load_policy(None, None, "2026-11-27").catalog
    hosts = {
        "s3.fr-par.scw.cloud": ("scaleway", "fr-par", ("FR",)),
        "s3.pl-waw.scw.cloud": ("scaleway", "pl-waw", ("PL",)),
        "s3.gra.io.cloud.ovh.net": ("ovhcloud", "gra", ("FR",)),
        "s3.eu-west-par.io.cloud.ovh.net": ("ovhcloud", "eu-west-par", ("FR",)),
        "s3.eu-south-mil.io.cloud.ovh.net": ("ovhcloud", "eu-south-mil", ("IT",)),
        "s3.ca-east-tor.perf.cloud.ovh.net": ("ovhcloud", "ca-east-tor", ("CA",)),
        "sos-ch-gva-2.exo.io": ("exoscale", "ch-gva-2", ("CH",)),
        "sos-de-fra-1.exo.io": ("exoscale", "de-fra-1", ("DE",)),
        "s3.eu-central-1.ionoscloud.com": ("ionos", "de", ("DE",)),  # Frankfurt: the host says eu-central-1, the region is de
        "s3.eu-south-2.ionoscloud.com": ("ionos", "eu-south-2", ("ES",)),
        "oos.eu-west-2.outscale.com": ("outscale", "eu-west-2", ("FR",)),
        "oos.us-east-2.outscale.com": ("outscale-us", "us-east-2", ("US",)),
    }
    for host, (cloud, region, countries) in hosts.items():
        provider, found_region = catalog.for_endpoint(host) or (None, None)
        assert provider is not None, host
        assert (provider.id, found_region, provider.find_region(found_region).countries) == (cloud, region, countries), host
    assert catalog.for_endpoint("s3.mairie-exemple.fr") is None


def test_list_buckets_follows_its_pages(clouds):
    counter = collections.Counter()
    lock = threading.Lock()
    session = boto3.Session()

    def count(model, **_):
        with lock:
            counter[model.name] += 1

    session.events.register("before-call.s3", count)
    found = audit(clouds, estate.MAIRIE, options=S3Options(page_size=1), session=session)
    assert sorted(r.address for r in found.resources) == ["http://s3.mairie-exemple.fr/brouillons", "http://s3.mairie-exemple.fr/etat-civil"]
    assert counter["ListBuckets"] == 2  # one bucket per page, the second page asked for with the first one's continuation token
    assert (counter["GetBucketLocation"], counter["GetBucketTagging"], counter["GetBucketReplication"]) == (2, 2, 2)


def test_a_private_endpoint_declared_as_hosting_is_recognised_by_its_host(clouds, tmp_path):
    """The town hall's own S3 declared under hosting: in .sovscan.yml: its detect.endpoints place it, no flag needed."""
    (tmp_path / ".sovscan.yml").write_text(estate.CONFIG + MAIRIE_HOSTING)
    policy = load_policy(tmp_path / ".sovscan.yml", None, "2026-11-27")
    assert policy.errors == []
    doc = judged(audit(policy, estate.MAIRIE), policy)
    assert places(doc) == {
        "http://s3.mairie-exemple.fr/etat-civil": ("datacentre-mairie", "salle-1", "FR", "personal", "classified"),
        "http://s3.mairie-exemple.fr/brouillons": ("datacentre-mairie", "salle-1", "FR", None, "unclassified"),
    }
    assert findings(doc) == [("unclassified-resource", "http://s3.mairie-exemple.fr/brouillons")]


MAIRIE_HOSTING = """
hosting:
  - id: datacentre-mairie
    name: Salle serveur de la mairie
    legal_name: Commune d'Exemple
    hq_country: FR
    commercial: false
    exposure: {status: not_exposed, rationale: "A French commune, on its own premises.", confidence: confirmed}
    detect:
      endpoints:
        - {host: 's3\\.mairie-exemple\\.fr', region: salle-1}
    regions:
      - {id: salle-1, country: FR, confidence: confirmed}
    verified_at: 2026-10-01
    confidence: confirmed
"""


def test_cloud_and_region_given_override_the_host(clouds, fault_proxy):
    """A provider reached at an address the catalog cannot know (a private link, here moto's 127.0.0.1): --cloud and --region place it."""
    found = audit(clouds, f"http://127.0.0.1:{fault_proxy.upstream_port}", cloud="scaleway", region="fr-par")
    assert places(judged(found, clouds)) == {
        "http://127.0.0.1/dossiers-patients": ("scaleway", "fr-par", "FR", "health", "classified"),
        "http://127.0.0.1/exports-rh": ("scaleway", "fr-par", "FR", "personal", "classified"),
        # moto shows every bucket at 127.0.0.1; the Amsterdam one stays in nl-ams, the town hall's in the region given
        "http://127.0.0.1/archives-ams": ("scaleway", "nl-ams", "NL", "internal", "classified"),
        "http://127.0.0.1/brouillons": ("scaleway", "fr-par", "FR", None, "unclassified"),
        "http://127.0.0.1/etat-civil": ("scaleway", "fr-par", "FR", "personal", "classified"),
        "http://127.0.0.1/registre-dr": ("scaleway", "gra", "unknown", "restricted", "classified"),
        "http://127.0.0.1/registre-dr-bhs": ("scaleway", "bhs", "unknown", None, "unclassified"),
    }
    assert all(r.hints == {"endpoint": "127.0.0.1", "cloud": "scaleway"} for r in found.resources)


def test_an_endpoint_that_does_not_answer_is_missing_and_the_rest_goes_on(clouds):
    silent = SilentServer()
    refused = f"http://127.0.0.1:{free_port()}"
    try:
        started = time.monotonic()
        found = audit(clouds, estate.SCW_AMS, refused, silent.url, options=S3Options(timeout=1, attempts=2))
        elapsed = time.monotonic() - started
    finally:
        silent.stop()
    assert elapsed < 10  # two attempts of one second each at most, for each endpoint, in parallel
    assert [r.address for r in found.resources] == ["http://s3.nl-ams.scw.cloud/archives-ams"]
    assert errors(judged(found, clouds)) == [
        ("s3:127.0.0.1", "ListBuckets: 127.0.0.1 did not answer within 1 s; the buckets of this endpoint are missing from the inventory"),
        ("s3:127.0.0.1", "ListBuckets: cannot connect to 127.0.0.1 (refused, no route or closed); the buckets of this endpoint are missing from the inventory"),
    ]
    assert found.covered == 1 and found.unjudged == ["endpoint 127.0.0.1: not read", "endpoint 127.0.0.1: not read"]


class _WebPage(http.server.BaseHTTPRequestHandler):
    """A web server where an S3 endpoint was expected (the console's address, a typo): 200 and HTML."""

    def do_GET(self) -> None:
        body = b"<html><body>Welcome to the console</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_an_endpoint_that_is_not_s3_is_an_error_not_an_empty_cloud(clouds):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WebPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        found = audit(clouds, f"http://127.0.0.1:{server.server_address[1]}", options=S3Options(timeout=2, attempts=1))
    finally:
        server.shutdown()
        server.server_close()
    assert (found.resources, found.covered) == ([], 0)
    assert errors(judged(found, clouds)) == [(
        "s3:127.0.0.1",
        "ListBuckets: 127.0.0.1 answered with something that is not an S3 bucket list (is it an S3 endpoint?); the buckets of this endpoint are missing from the inventory",
    )]


def test_throttling_is_retried_and_when_it_never_ends_the_rest_goes_on(clouds, fault_proxy):
    fault_proxy.throttle[("nl-ams", "s3")] = 2  # the first two calls signed for nl-ams
    found = audit(clouds, estate.SCW_AMS)
    assert ([r.address for r in found.resources], found.errors) == (["http://s3.nl-ams.scw.cloud/archives-ams"], [])
    fault_proxy.throttle[("nl-ams", "s3")] = 1000
    found = audit(clouds, estate.SCW_AMS, estate.SCW_PAR, options=S3Options(attempts=2))
    assert [r.address for r in found.resources] == ["http://s3.fr-par.scw.cloud/dossiers-patients", "http://s3.fr-par.scw.cloud/exports-rh"]
    assert errors(judged(found, clouds)) == [(
        "s3:s3.nl-ams.scw.cloud",
        "ListBuckets answered Throttling (Rate exceeded); still throttled after botocore's retries; the buckets of this endpoint are missing from the inventory",
    )]


def test_refused_credentials_are_one_error_that_never_echoes_the_key(clouds, fault_proxy):
    fault_proxy.refused_keys.add(estate.KEY_ID)
    found = audit(clouds, estate.SCW_PAR)
    assert found.resources == [] and found.covered == 0
    assert errors(judged(found, clouds)) == [(
        "s3:s3.fr-par.scw.cloud",
        "ListBuckets answered InvalidAccessKeyId (The access key (redacted) does not exist in our records); the credentials were refused; "
        "the buckets of this endpoint are missing from the inventory",
    )]


def test_unreadable_tags_make_the_classification_unresolved_never_unclassified(clouds, fault_proxy):
    fault_proxy.denied_subresources.add(("exports-rh", "tagging"))
    found = audit(clouds, estate.SCW_PAR)
    doc = judged(found, clouds)
    assert places(doc)["http://s3.fr-par.scw.cloud/exports-rh"] == ("scaleway", "fr-par", "FR", None, "unresolved")
    finding = next(f for f in doc["findings"] if f["address"] == "http://s3.fr-par.scw.cloud/exports-rh")
    assert (finding["rule"], finding["message"]) == (
        "unclassified-resource",
        "The sensitivity of this resource cannot be read: some tags are unknown (the tags of bucket exports-rh could not be read: "
        "GetBucketTagging answered AccessDenied (Access Denied)).",
    )
    assert errors(doc) == [("s3:s3.fr-par.scw.cloud", "1 bucket (exports-rh): GetBucketTagging answered AccessDenied (Access Denied): their classification is unreadable")]
    assert found.unjudged == ["bucket http://s3.fr-par.scw.cloud/exports-rh: classification unreadable"]


def test_operations_the_endpoint_does_not_implement(clouds, fault_proxy):
    """Tags not implemented (501): classification unreadable; replication refused (405): said once; location (501): the endpoint's region."""
    host = "s3.fr-par.scw.cloud"
    fault_proxy.unsupported.update({(host, "tagging"): "NotImplemented", (host, "replication"): "MethodNotAllowed", (host, "location"): "NotImplemented"})
    found = audit(clouds, estate.SCW_PAR, estate.SCW_AMS)
    doc = judged(found, clouds)
    assert places(doc) == {
        "http://s3.fr-par.scw.cloud/dossiers-patients": ("scaleway", "fr-par", "FR", None, "unresolved"),
        "http://s3.fr-par.scw.cloud/exports-rh": ("scaleway", "fr-par", "FR", None, "unresolved"),
        "http://s3.nl-ams.scw.cloud/archives-ams": ("scaleway", "nl-ams", "NL", "internal", "classified"),  # the other endpoint implements them all
    }
    assert errors(doc) == [
        ("s3:s3.fr-par.scw.cloud", "2 buckets (dossiers-patients, exports-rh): GetBucketLocation is not implemented by this endpoint (NotImplemented): placed in fr-par, the endpoint's region"),
        ("s3:s3.fr-par.scw.cloud", "2 buckets (dossiers-patients, exports-rh): GetBucketReplication is not implemented by this endpoint (MethodNotAllowed): where copies of their data go is unknown"),
        ("s3:s3.fr-par.scw.cloud", "2 buckets (dossiers-patients, exports-rh): GetBucketTagging is not implemented by this endpoint (NotImplemented): their classification is unreadable"),
    ]


def test_no_tag_set_is_a_bucket_without_tags_not_an_error(clouds):
    found = audit(clouds, estate.MAIRIE)
    brouillons = next(r for r in found.resources if r.address.endswith("/brouillons"))
    assert (brouillons.tags, brouillons.tags_complete) == ((), True)
    assert found.errors == []


def test_a_bucket_in_a_location_the_endpoint_does_not_serve(clouds, fault_proxy):
    """Scaleway's Paris endpoint lists an Amsterdam bucket: judged in nl-ams, noted, and audited by the Amsterdam endpoint when the run has it."""
    fault_proxy.visible["s3.fr-par.scw.cloud"].add("archives-ams")
    alone = audit(clouds, estate.SCW_PAR)
    doc = judged(alone, clouds)
    assert places(doc)["http://s3.fr-par.scw.cloud/archives-ams"] == ("scaleway", "nl-ams", "NL", "internal", "classified")
    assert errors(doc) == [(
        "s3:s3.fr-par.scw.cloud",
        "1 bucket (archives-ams): in location nl-ams, which this endpoint (region fr-par) does not serve and no endpoint of this run does: "
        "read through s3.fr-par.scw.cloud and judged in nl-ams; add the endpoint of nl-ams to audit them there",
    )]
    both = audit(clouds, estate.SCW_PAR, estate.SCW_AMS)
    assert sorted(r.address for r in both.resources) == [
        "http://s3.fr-par.scw.cloud/dossiers-patients", "http://s3.fr-par.scw.cloud/exports-rh", "http://s3.nl-ams.scw.cloud/archives-ams",
    ]
    assert both.errors == []


def test_endpoint_urls_never_carry_credentials_or_queries():
    assert (parse_endpoint("https://S3.FR-PAR.scw.cloud").host, parse_endpoint("http://127.0.0.1:9000/s3").host) == ("s3.fr-par.scw.cloud", "127.0.0.1")
    refused = {
        "https://AKIAPLANTED:planted-secret@s3.fr-par.scw.cloud": "for s3.fr-par.scw.cloud carries a user name or password",
        "https://s3.gra.io.cloud.ovh.net/?X-Amz-Credential=planted-secret": "for s3.gra.io.cloud.ovh.net carries a query string or fragment",
        "s3.fr-par.scw.cloud": "does not start with https:// or http://",
        "https://:9000": "names no host",
        "https://host:port": "is not a URL sovscan can read",
    }
    for url, problem in refused.items():
        with pytest.raises(BadEndpoint) as caught:
            parse_endpoint(url)
        assert str(caught.value).startswith(problem), url
        assert "planted" not in str(caught.value)
