"""The GitHub Action (action.yml) and the GitLab CI template (docs/gitlab-ci.yml): their shell commands, run for real.

The scripts are taken from the files and run with bash against a copy of the
demo, with the installed sovscan on PATH. The install steps are not run (they
would reinstall sovscan into this environment); ``uses:`` steps are GitHub's
and only their inputs are checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.support import ROOT

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BIN = str(Path(sys.executable).parent)  # where the installed sovscan script is


INCOMPLETE = (  # no finding, but a registry module nobody ran terraform init for: exit code 3
    'provider "aws" {\n  region = "eu-west-3"\n}\n\nresource "aws_s3_bucket" "ok" {\n  tags = { data_classification = "public" }\n}\n\n'
    'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'
)


def _workspace(tmp_path: Path, main_tf: str | None = None) -> Path:
    """A repository holding the demo (or one main.tf), as a CI job checks it out."""
    workspace = tmp_path / "workspace"
    if main_tf is None:
        shutil.copytree(ROOT / "fixtures" / "demo", workspace / "infra")
    else:
        (workspace / "infra").mkdir(parents=True)
        (workspace / "infra" / "main.tf").write_text(main_tf, encoding="utf-8")
    (workspace / ".git").mkdir()
    return workspace


# --------------------------------------------------------------------------- GitHub Action


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def _evaluate(text: str, context: dict[str, str]) -> str:
    """The few ${{ }} expressions the action's env blocks use: plain context lookups."""
    return EXPRESSION.sub(lambda m: context[m.group(1)], text)


def _run_action(tmp_path: Path, inputs: dict[str, str], main_tf: str | None = None) -> dict:
    action = _action()
    workspace = _workspace(tmp_path, main_tf)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    files = {name: tmp_path / name for name in ("github_output", "step_summary")}
    for file in files.values():
        file.write_text("", encoding="utf-8")
    context = {f"inputs.{k}": str(v["default"]) for k, v in action["inputs"].items()}
    context.update({f"inputs.{k}": v for k, v in inputs.items()})
    context.update({"github.action_path": str(ROOT), "runner.temp": str(temp)})
    ran = []
    for step in action["runs"]["steps"]:
        if "run" not in step or step.get("id") == "install":
            continue
        outputs = dict(line.split("=", 1) for line in files["github_output"].read_text(encoding="utf-8").splitlines() if "=" in line)
        context.update({f"steps.scan.outputs.{k}": v for k, v in outputs.items()})
        env = {k: _evaluate(str(v), context) for k, v in (step.get("env") or {}).items()}
        env.update({"PATH": BIN + os.pathsep + os.environ["PATH"], "GITHUB_OUTPUT": str(files["github_output"]), "GITHUB_STEP_SUMMARY": str(files["step_summary"]), "GITHUB_WORKSPACE": str(workspace)})
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],  # GitHub's `shell: bash`
            cwd=workspace,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        ran.append((step["name"], result))
    outputs = dict(line.split("=", 1) for line in files["github_output"].read_text(encoding="utf-8").splitlines())
    return {"workspace": workspace, "steps": dict(ran), "outputs": outputs, "summary": files["step_summary"].read_text(encoding="utf-8"), "context": context}


def test_action_is_a_composite_that_installs_scans_and_uploads():
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"] == "actions/setup-python@v6"
    install = next(s for s in steps if s.get("id") == "install")
    assert install["env"]["SOVSCAN_SOURCE"] == "${{ github.action_path }}"
    assert 'pip install' in install["run"] and '"$SOVSCAN_SOURCE"' in install["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert "always()" in upload["if"]
    for step in steps:
        assert "${{" not in step.get("run", ""), f"step {step['name']!r}: expressions go through env:, never into the script"
        if "run" in step:
            assert step["shell"] == "bash"


def test_action_scan_fails_on_findings_after_uploading(tmp_path):
    run = _run_action(tmp_path, {"path": "infra"})
    scan, fail = run["steps"]["Scan"], run["steps"]["Fail on findings"]
    assert scan.returncode == 0, scan.stderr  # the scan step records the code and lets the upload run
    assert run["outputs"]["exit-code"] == "1"
    assert "infra/main.tf:46  aws_s3_bucket.payroll" in scan.stdout
    sarif = json.loads((run["workspace"] / "sovscan.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]} == {"infra/main.tf"}
    assert run["summary"].startswith("### sovscan: 11 findings\n")
    assert "| 🔴 high | `sensitive-data-without-secnumcloud` | `aws_s3_bucket.payroll` | `infra/main.tf:46` |" in run["summary"]
    assert fail.returncode == 1
    assert "::error title=sovscan::sovscan exited with 1" in fail.stdout


def test_action_soft_fail_and_fail_on_inputs(tmp_path):
    soft = _run_action(tmp_path / "soft", {"path": "infra", "soft-fail": "true"})
    assert soft["outputs"]["exit-code"] == "0" and soft["steps"]["Fail on findings"].returncode == 0
    lenient = _run_action(tmp_path / "lenient", {"path": "infra", "fail-on": "critical", "sarif-file": "reports/out.sarif"})
    assert lenient["outputs"]["exit-code"] == "0"
    assert (lenient["workspace"] / "reports" / "out.sarif").is_file()


def test_action_fails_on_incomplete_input_unless_allowed(tmp_path):
    run = _run_action(tmp_path / "strict", {"path": "infra"}, INCOMPLETE)
    assert run["outputs"]["exit-code"] == "3"
    fail = run["steps"]["Fail on findings"]
    assert fail.returncode == 3 and "part of the input could not be judged (exit code 3" in fail.stdout and "allow-incomplete: true" in fail.stdout
    allowed = _run_action(tmp_path / "allowed", {"path": "infra", "allow-incomplete": "true"}, INCOMPLETE)
    assert allowed["outputs"]["exit-code"] == "0" and allowed["steps"]["Fail on findings"].returncode == 0


def test_action_input_cannot_inject_shell(tmp_path):
    run = _run_action(tmp_path, {"path": "infra", "fail-on": 'high"; touch injected; echo "'})
    assert not (run["workspace"] / "injected").exists()
    assert run["outputs"]["exit-code"] == "2"  # an invalid --fail-on is a usage error
    assert run["steps"]["Fail on findings"].returncode == 2


# --------------------------------------------------------------------------- GitLab CI template


GITLAB_SAST_SCHEMA = json.loads((ROOT / "tests" / "data" / "gitlab-sast-report-format-15.0.7.json").read_text(encoding="utf-8"))


def _merged(base: dict, override: dict) -> dict:
    """GitLab's ``extends:``: mappings merge key by key, everything else (lists, strings) is replaced."""
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merged(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def _resolve(jobs: dict, name: str) -> dict:
    job = dict(jobs[name])
    parents = job.pop("extends", [])
    for parent in [parents] if isinstance(parents, str) else parents:
        job = _merged(_resolve(jobs, parent), job)
    return job


def _gitlab_jobs() -> dict:
    return yaml.safe_load((ROOT / "docs" / "gitlab-ci.yml").read_text(encoding="utf-8"))


def _gitlab_job(name: str = "sovscan", extra: dict | None = None) -> dict:
    jobs = _gitlab_jobs()
    if extra is not None:
        jobs = {**jobs, name: extra}
    return _resolve(jobs, name)


def test_gitlab_template_offers_a_hidden_job_to_extend():
    jobs = _gitlab_jobs()
    assert jobs["sovscan"] == {"extends": ".sovscan"}  # the default job is the hidden one, unchanged
    hidden = jobs[".sovscan"]
    assert hidden["artifacts"]["when"] == "always"
    assert hidden["artifacts"]["reports"] == {"sast": "gl-sast-report.json", "codequality": "gl-code-quality-report.json", "junit": "sovscan-junit.xml"}
    assert "pip install" in hidden["before_script"][0] and "$SOVSCAN_REQUIREMENT" in hidden["before_script"][0]


def test_gitlab_template_installs_a_pinned_release():
    from scanner import __version__

    variables = _gitlab_jobs()[".sovscan"]["variables"]
    assert variables["SOVSCAN_VERSION"] == f"v{__version__}"  # a release bumps both; never a branch
    assert variables["SOVSCAN_REQUIREMENT"] == "sovscan @ git+https://github.com/sovscan/sovscan.git@${SOVSCAN_VERSION}"
    assert "@main" not in (ROOT / "docs" / "gitlab-ci.yml").read_text(encoding="utf-8")
    assert f"sovscan/v{__version__}/docs/gitlab-ci.yml" in (ROOT / "docs" / "gitlab-ci.yml").read_text(encoding="utf-8")  # the include line too


def test_gitlab_template_caches_per_branch_and_never_sovscans_cache():
    job = _gitlab_job()
    assert job["cache"]["key"] == "sovscan-pip-$CI_COMMIT_REF_SLUG"  # a merge request cannot fill the default branch's cache
    assert job["cache"]["paths"] == [".cache/pip/"] and job["variables"]["PIP_CACHE_DIR"] == "$CI_PROJECT_DIR/.cache/pip"
    assert "SOVSCAN_CACHE_DIR" not in job["variables"]  # GitLab would restore it into the checkout


def _run_gitlab_script(tmp_path: Path, job: dict, main_tf: str | None = None, **overrides: str) -> tuple[subprocess.CompletedProcess, Path]:
    workspace = _workspace(tmp_path, main_tf)
    variables = {k: str(v) for k, v in job["variables"].items()}
    variables.update({"SOVSCAN_PATHS": "infra", **overrides})
    result = subprocess.run(
        ["bash", "-e", "-c", "\n".join(job["script"])],
        cwd=workspace,
        env={**os.environ, **variables, "PATH": BIN + os.pathsep + os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, workspace


@pytest.mark.parametrize("fail_on, code, failures", [("high", 1, "8"), ("never", 0, "0")])
def test_gitlab_script_produces_the_reports_gitlab_reads(tmp_path, fail_on, code, failures):
    job = _gitlab_job()
    result, workspace = _run_gitlab_script(tmp_path, job, SOVSCAN_FAIL_ON=fail_on)
    assert result.returncode == code, result.stderr
    for path in [*job["artifacts"]["reports"].values(), *job["artifacts"]["paths"]]:
        assert (workspace / path).is_file(), path
    quality = json.loads((workspace / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert (quality[0]["check_name"], quality[0]["location"]) == ("sensitive-data-exposed-to-foreign-law", {"path": "infra/main.tf", "lines": {"begin": 46}})
    sast = json.loads((workspace / "gl-sast-report.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(GITLAB_SAST_SCHEMA).validate(sast)
    assert (sast["vulnerabilities"][0]["location"], sast["vulnerabilities"][0]["severity"]) == ({"file": "infra/main.tf", "start_line": 46, "end_line": 46}, "High")
    junit = ET.parse(workspace / "sovscan-junit.xml").getroot()
    assert (junit.get("tests"), junit.get("failures")) == ("21", failures)  # only what fails the job is a failed test
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads((workspace / "sovscan.sarif").read_text(encoding="utf-8")))


def test_gitlab_soft_fail_variable_keeps_the_job_green_and_the_reports(tmp_path):
    job = _gitlab_job()
    result, workspace = _run_gitlab_script(tmp_path, job, SOVSCAN_SOFT_FAIL="true")
    assert result.returncode == 0, result.stderr
    assert "infra/main.tf:46  aws_s3_bucket.payroll" in result.stdout
    assert json.loads((workspace / "gl-sast-report.json").read_text(encoding="utf-8"))["vulnerabilities"]
    assert ET.parse(workspace / "sovscan-junit.xml").getroot().get("failures") == "8"  # the findings are still reported as failed tests
    broken, _ = _run_gitlab_script(tmp_path / "usage", job, SOVSCAN_SOFT_FAIL="true", SOVSCAN_FAIL_ON="severe")
    assert broken.returncode == 2  # a usage error still fails the job


def test_a_job_extending_the_hidden_one_runs_with_its_own_variables(tmp_path):
    """What docs/gitlab-ci.yml's header shows: a job per environment, extending .sovscan."""
    job = _gitlab_job("sovscan-lenient", {"extends": ".sovscan", "variables": {"SOVSCAN_FAIL_ON": "critical"}})
    assert job["variables"]["SOVSCAN_FAIL_ON"] == "critical" and job["variables"]["SOVSCAN_VERSION"] == _gitlab_jobs()[".sovscan"]["variables"]["SOVSCAN_VERSION"]
    assert job["script"] == _gitlab_jobs()[".sovscan"]["script"] and job["cache"] == _gitlab_jobs()[".sovscan"]["cache"]
    result, workspace = _run_gitlab_script(tmp_path, job)
    assert result.returncode == 0, result.stderr  # no critical finding in the demo
    assert ET.parse(workspace / "sovscan-junit.xml").getroot().get("failures") == "0"


@pytest.mark.parametrize("allow, code", [("false", 3), ("true", 0)])
def test_gitlab_job_fails_on_incomplete_input_unless_allowed(tmp_path, allow, code):
    result, workspace = _run_gitlab_script(tmp_path, _gitlab_job(), main_tf=INCOMPLETE, SOVSCAN_ALLOW_INCOMPLETE=allow)
    assert result.returncode == code, result.stderr
    assert json.loads((workspace / "sovscan.json").read_text(encoding="utf-8"))["summary"]["incomplete"] is True
