"""The recipe suite: every recipe under recipes/ is one test item, run by the recipebook runner.

Select with -k (e.g. `pytest tests/test_recipes.py -k train-register`); choose the target with --target.
"""
import pytest

from recipebook import spec
from recipebook.pytest_plugin import run_recipe_item

RECIPES = spec.discover()
ORDER = spec.order_with_needs(list(RECIPES), RECIPES)


@pytest.mark.parametrize("recipe_name", ORDER)
def test_recipe(recipe_name: str, recipe_session) -> None:
    run_recipe_item(recipe_session, recipe_name)
