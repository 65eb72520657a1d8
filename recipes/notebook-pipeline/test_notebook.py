"""Run the notebook top to bottom in a fresh kernel and check what it computed."""
import sys

from testbook import testbook


@testbook("explore_and_train.ipynb", execute=True, timeout=180)
def test_notebook_explores_trains_and_registers(tb):
    # The kernel is this environment's Python, so the notebook imports what the flow imports.
    assert tb.value("__import__('sys').executable") == sys.executable
    churn_by_contract = tb.ref("churn_by_contract.to_dict()")
    assert churn_by_contract["month-to-month"] > churn_by_contract["two-year"]
    assert tb.ref("metrics")["test_roc_auc"] > 0.75
    assert int(tb.ref("version")) >= 1
