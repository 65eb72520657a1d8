"""Every kustomization renders, passes the strict schema of the pinned Kubernetes version and the policy;
a typo or a disallowed setting fails with the kustomization, the object and the field named."""
import shutil
from pathlib import Path

import pytest

from recipebook import PROJECT_ROOT
from recipebook.k8s import check, render, versions

KUBERNETES = versions.load()["KUBERNETES_VERSION"]
ALL = render.discover()


def test_every_kustomization_is_found():
    names = {render.display(d) for d in ALL}
    assert {"deploy/base", "deploy/overlays/kind", "deploy/overlays/production", "deploy/overlays/oauth2-proxy"} <= names
    assert "recipes/cluster-serve" in names


@pytest.mark.parametrize("directory", ALL, ids=[render.display(d) for d in ALL])
def test_kustomization_is_valid_and_follows_policy(directory):
    count, problems = check.check_directory(directory, KUBERNETES)
    assert count > 0, f"{render.display(directory)} rendered no objects"
    assert not problems, "\n".join(map(str, problems))


@pytest.fixture
def deploy_copy(tmp_path) -> Path:
    """A scratch copy of deploy/ to break on purpose."""
    shutil.copytree(PROJECT_ROOT / "deploy", tmp_path / "deploy")
    return tmp_path / "deploy"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def problems_of(directory: Path) -> list[str]:
    _count, problems = check.check_directory(directory, KUBERNETES)
    return [str(p) for p in problems]


def test_typo_in_a_field_name_is_named_with_file_and_field(deploy_copy):
    edit(deploy_copy / "base" / "mlflow.yaml", "      containers:", "      contaners:")
    problems = problems_of(deploy_copy / "overlays" / "kind")
    typo = [p for p in problems if "spec.template.spec.contaners: unknown field" in p]
    assert typo, problems
    assert "overlays/kind/kustomization.yaml" in typo[0] and "base/mlflow.yaml" in typo[0]
    assert "Deployment/mlflow" in typo[0]


def test_privileged_container_is_refused(deploy_copy):
    edit(deploy_copy / "base" / "mlflow.yaml", "            allowPrivilegeEscalation: false",
         "            allowPrivilegeEscalation: false\n            privileged: true")
    problems = problems_of(deploy_copy / "overlays" / "kind")
    assert any("Deployment/mlflow spec.template.spec.containers[0].securityContext.privileged: privileged" in p
               and "kustomization.yaml" in p for p in problems), problems


def test_latest_tag_is_refused(deploy_copy):
    edit(deploy_copy / "base" / "kustomization.yaml", "newTag: v3.17.2", "newTag: latest")
    problems = problems_of(deploy_copy / "overlays" / "kind")
    assert any("Deployment/mlflow spec.template.spec.containers[0].image: image 'ghcr.io/mlflow/mlflow:latest' uses the tag 'latest'" in p
               for p in problems), problems


def test_untagged_image_is_refused(deploy_copy):
    edit(deploy_copy / "base" / "kustomization.yaml", "  - name: prefecthq/prefect\n    newTag: 3.9.1-python3.11\n", "")
    problems = problems_of(deploy_copy / "base")
    assert any("Deployment/prefect-server spec.template.spec.containers[0].image: image 'prefecthq/prefect' has no tag" in p
               for p in problems), problems


def test_root_user_and_privilege_escalation_are_refused(deploy_copy):
    edit(deploy_copy / "base" / "prefect-server.yaml", "runAsUser: 10001", "runAsUser: 0")
    edit(deploy_copy / "base" / "prefect-server.yaml", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true")
    problems = problems_of(deploy_copy / "base")
    assert any("Deployment/prefect-server spec.template.spec.containers[0].securityContext.runAsUser: runs as root" in p for p in problems), problems
    assert any("Deployment/prefect-server spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: must be set to false" in p
               for p in problems), problems


def test_missing_limits_are_named(deploy_copy):
    edit(deploy_copy / "base" / "mlflow.yaml", "            limits:\n              cpu: \"1\"\n              memory: 1Gi\n", "")
    problems = problems_of(deploy_copy / "base")
    assert any("Deployment/mlflow spec.template.spec.containers[0].resources.limits: limits.cpu is not set" in p for p in problems), problems


def test_literal_password_in_env_is_refused(deploy_copy):
    patch = deploy_copy / "overlays" / "production" / "prefect-server-postgres.yaml"
    edit(patch, """              valueFrom:
                secretKeyRef:
                  name: prefect-postgres
                  key: connection-url""", "              value: postgresql+asyncpg://prefect:hunter2@db:5432/prefect")
    problems = problems_of(deploy_copy / "overlays" / "production")
    assert any("overlays/production/kustomization.yaml" in p and ".env[" in p and "looks like a credential" in p for p in problems), problems


def test_secret_with_values_in_the_repository_is_refused(deploy_copy):
    (deploy_copy / "base" / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n")
    edit(deploy_copy / "base" / "kustomization.yaml", "  - mlflow.yaml\n", "  - mlflow.yaml\n  - secret.yaml\n")
    problems = problems_of(deploy_copy / "base")
    assert any("Secret/db stringData: a Secret with its values in the repository" in p for p in problems), problems


def test_render_error_names_the_kustomization(deploy_copy):
    edit(deploy_copy / "overlays" / "kind" / "kustomization.yaml", "../../base", "../../no-such-base")
    problems = problems_of(deploy_copy / "overlays" / "kind")
    assert len(problems) == 1 and "overlays/kind/kustomization.yaml: kubectl kustomize failed" in problems[0], problems


def test_check_cli_exit_status(deploy_copy, capsys):
    assert check.main([str(PROJECT_ROOT / "deploy" / "overlays" / "kind")]) == 0
    edit(deploy_copy / "base" / "mlflow.yaml", "      containers:", "      contaners:")
    assert check.main([str(deploy_copy / "overlays" / "kind")]) == 1
    assert "contaners: unknown field" in capsys.readouterr().err
