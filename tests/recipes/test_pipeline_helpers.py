"""Unit tests of the pipeline recipes' helpers (fast, no servers): the recipes themselves run in tests/test_recipes.py."""
import importlib.util
import sys

import pandas as pd
import pytest

from recipebook import RECIPES_DIR


def load(relative: str):
    """Import a recipe file as a module, the way the recipe's own folder would."""
    path = RECIPES_DIR / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data():
    return load("data-validation/make_customers.py")


@pytest.fixture(scope="module")
def validate():
    return load("data-validation/validate_flow.py")


def test_generator_is_deterministic_and_damages_known_rows(data):
    first = data.add_faults(data.generate_customers(300, seed=3), seed=3)
    second = data.add_faults(data.generate_customers(300, seed=3), seed=3)
    pd.testing.assert_frame_equal(first, second)
    assert len(first) == 300 + 30  # 30 duplicated rows appended
    assert first["monthly_charges"].isna().sum() == 30


def test_drift_shifts_the_population(data):
    same, shifted = data.generate_customers(2000, seed=1), data.generate_customers(2000, seed=1, drift=1.0)
    assert shifted["monthly_charges"].mean() > same["monthly_charges"].mean() + 30
    assert shifted["support_calls"].mean() > same["support_calls"].mean() + 2


@pytest.mark.parametrize(
    ("check", "kind"),
    [("coerce_dtype('Int64')", "wrong_type"), ("dtype('float64')", "wrong_type"), ("not_nullable", "missing_value"),
     ("multiple_fields_uniqueness", "duplicate"), ("in_range(18, 100)", "out_of_range"), ("isin(['a'])", "out_of_range")],
)
def test_fault_kind_names_each_pandera_check(validate, check, kind):
    assert validate.fault_kind(check) == kind


def test_every_row_is_kept_or_quarantined_with_a_reason(validate):
    raw = pd.DataFrame(
        {
            "customer_id": ["1", "2", "3", "4", "4", "5"],
            "tenure_months": ["10", "twelve", "5", "7", "7", "500"],
            "monthly_charges": ["50", "60", None, "20", "20", "30"],
            "support_calls": ["0", "1", "2", "3", "3", "1"],
            "contract": ["one-year", "two-year", "one-year", "one-year", "one-year", "two-year"],
            "age": ["30", "40", "50", "60", "60", "35"],
            "churned": ["0", "1", "0", "1", "1", "0"],
        }
    )
    clean, quarantined = validate.split_valid_rows.fn(raw)
    assert len(clean) + len(quarantined) == len(raw)
    assert clean["customer_id"].tolist() == [1, 4]
    assert quarantined["fault"].to_dict() == {1: "wrong_type", 2: "missing_value", 4: "duplicate", 5: "out_of_range"}
    assert quarantined["reason"].str.len().gt(0).all()


def test_online_request_row_rejects_extra_fields_fractions_and_impossible_values():
    pytest.importorskip("pydantic")
    guarded = load("online-serving/guarded_model.py")
    good = {"contract": "one-year", "tenure_months": 12, "monthly_charges": 70, "support_calls": 1, "age": 40}
    assert guarded.Customer.model_validate(good).monthly_charges == 70.0
    for bad in (good | {"colour": "red"}, good | {"tenure_months": 12.5}, good | {"age": 400}, good | {"contract": "lifetime"}):
        with pytest.raises(Exception, match="validation error"):
            guarded.Customer.model_validate(bad)
