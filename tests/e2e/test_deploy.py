"""The deployment files `mcpgen new` writes for an HTTP server, checked by the tools that read them: nginx's own
`nginx -t` on the server block (inside a main config like the official image's), `kubernetes-validate` (PyPI) on the
Kubernetes manifests against the API's schemas, and YAML parsing of the Compose file. The Compose topology itself runs
in test_http_scale.py (the generated nginx.conf in front of three replicas and Redis)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from http_support import SPECS, mcpgen_binary, nginx_main_config

SCALE = (SPECS / "scale.yaml").read_text()
STORE = "    sessionStore:\n      redisUrlEnv: SCALE_REDIS_URL\n"
VARIANTS = {
    "stateful-redis": SCALE.replace("stateful: false", "stateful: true"),
    "stateless": SCALE.replace(STORE, ""),
    "stateful-alone": SCALE.replace("stateful: false", "stateful: true").replace(STORE, ""),
}
SSE_ONLY = """mcpgen: 1
server: {name: legacy-only}
tools:
  - name: hello
transports:
  sse: {port: 8102}
"""


def generate(mcpgen: Path, tmp_path: Path, name: str, text: str) -> Path:
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(text)
    crate = tmp_path / name
    subprocess.run([str(mcpgen), "new", str(spec), "--out", str(crate), "--no-verify"],
                   check=True, stdout=subprocess.DEVNULL)
    return crate


@pytest.fixture(scope="module")
def crates(tmp_path_factory):
    mcpgen = mcpgen_binary()
    workdir = tmp_path_factory.mktemp("deploy")
    made = {name: generate(mcpgen, workdir, name, text) for name, text in VARIANTS.items()}
    made["sse-only"] = generate(mcpgen, workdir, "sse-only", SSE_ONLY)
    return made


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_generated_nginx_config_passes_nginx_t(crates, variant, tmp_path):
    conf = nginx_main_config(tmp_path, crates[variant] / "deploy" / "nginx.conf", ["127.0.0.1:8101"])
    check = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(conf)],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    assert "syntax is ok" in check.stderr
    # nginx drops an idle upstream connection before the server's idle timeout (the spec's default, 60 s) closes it:
    # the other way round, a POST sent on a connection the server is closing gets a 502.
    keepalive = re.search(r"^    keepalive_timeout (\d+)ms;$", conf.with_name("default.conf").read_text(), re.M)
    assert keepalive and int(keepalive.group(1)) < 60_000, keepalive


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_generated_kubernetes_manifests_validate(crates, variant):
    manifests = sorted((crates[variant] / "deploy" / "k8s").glob("*.yaml"))
    kinds = {yaml.safe_load(m.read_text())["kind"] for m in manifests}
    expected = {"Deployment", "Service", "PodDisruptionBudget"}
    if variant != "stateful-alone":
        expected.add("HorizontalPodAutoscaler")
    if variant == "stateful-redis":
        expected.add("Secret")
    assert kinds == expected, kinds
    validate = Path(sys.executable).parent / "kubernetes-validate"
    check = subprocess.run([str(validate), "--strict", *map(str, manifests)], capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr

    deployment = yaml.safe_load((crates[variant] / "deploy" / "k8s" / "deployment.yaml").read_text())
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["ports"] == [{"name": "http", "containerPort": 8101}]
    env = {e["name"]: e for e in container["env"]}
    if variant == "stateful-redis":
        ref = env["SCALE_REDIS_URL"]["valueFrom"]["secretKeyRef"]
        secret = yaml.safe_load((crates[variant] / "deploy" / "k8s" / "secret.yaml").read_text())
        assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["stringData"]
    else:
        assert "SCALE_REDIS_URL" not in env
    assert deployment["spec"]["replicas"] == (1 if variant == "stateful-alone" else 3)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_generated_compose_file_names_the_image_ports_and_services(crates, variant):
    crate = crates[variant]
    compose = yaml.safe_load((crate / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    app, nginx = services["app"], services["nginx"]
    assert app["image"] == "scale-e2e:latest"
    # The build context is the crate, where the Dockerfile is.
    assert (crate / "deploy" / app["build"]["context"] / "Dockerfile").resolve() == (crate / "Dockerfile").resolve()
    assert nginx["ports"] == [{"target": 8101, "published": "8101"}]
    mount = nginx["volumes"][0].split(":")
    assert (crate / "deploy" / mount[0]).resolve() == (crate / "deploy" / "nginx.conf").resolve()
    assert mount[1] == "/etc/nginx/conf.d/default.conf"
    block = (crate / "deploy" / "nginx.conf").read_text()
    assert re.search(r"^    server app:8101;$", block, re.M) and re.search(r"^    listen 8101;$", block, re.M)
    # Replicas that share the load share the request-state key, which Compose refuses to start without.
    var = "SCALE_E2E_REQUEST_STATE_KEY"
    key = {var: f"${{{var}:?set {var} to one random key of 32 or more bytes, shared by every replica}}"}
    if variant == "stateful-redis":
        assert app["environment"] == {"SCALE_REDIS_URL": "redis://redis:6379", **key}
        assert "redis" in services and app["deploy"]["replicas"] == 3
    elif variant == "stateless":
        assert "redis" not in services and app["environment"] == key and app["deploy"]["replicas"] == 3
    else:
        assert "redis" not in services and "environment" not in app and app["deploy"]["replicas"] == 1


def test_dockerignore_keeps_target_out_of_the_build_context(crates):
    for crate in crates.values():
        ignored = (crate / ".dockerignore").read_text().split()
        assert "/target" in ignored and "/.git" in ignored
    assert not (crates["sse-only"] / "deploy").exists()
