"""Image requirement sets may only pin what requirements.lock pins (one place for versions)."""
from recipebook.k8s import images

LOCK = "mlflow==3.17.2 \\\n    --hash=sha256:aa\nscikit-learn==1.9.1 \\\n    --hash=sha256:bb\n"


def test_subset_of_the_lock_passes():
    assert images.subset_problems("mlflow==3.17.2 \\\n    --hash=sha256:aa\n", LOCK) == []


def test_other_version_or_unknown_package_is_named():
    problems = images.subset_problems("mlflow==3.18.0\nflask==3.0.0\n", LOCK)
    assert problems == ["flask==3.0.0 is not in requirements.lock",
                        "mlflow==3.18.0 but requirements.lock has mlflow==3.17.2"]


def test_names_are_normalised():
    assert images.pins("Scikit_Learn==1.9.1\n") == {"scikit-learn": "1.9.1"}


def test_cli_fails_on_an_empty_set(tmp_path, capsys):
    (tmp_path / "req.txt").write_text("# nothing\n")
    (tmp_path / "lock.txt").write_text(LOCK)
    assert images.main(["check-subset", str(tmp_path / "req.txt"), str(tmp_path / "lock.txt")]) == 1
    assert "no pinned requirement" in capsys.readouterr().err
