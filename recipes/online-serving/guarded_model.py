"""The champion churn model behind a request guard, for MLflow's scoring server (a "model from code").

MLflow's scoring server already rejects invalid JSON, missing columns and values it cannot convert.
It accepts extra fields (drops them), converts 12.5 to 12 for an integer column, and has no batch size
limit. The pydantic type hints below make every request field explicit: the server validates each
customer before `predict` runs and answers 400 with the field that failed.
"""
import mlflow
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE
from pydantic import BaseModel, ConfigDict, Field

MAX_BATCH_ROWS = 1000  # bigger batches belong in the batch-inference flow


class Customer(BaseModel):
    """One request row. extra="forbid": a misspelt or unexpected field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", strict=True)

    contract: str = Field(pattern="^(month-to-month|one-year|two-year)$")
    tenure_months: int = Field(ge=0, le=120)
    monthly_charges: float = Field(ge=0, le=500)
    support_calls: int = Field(ge=0, le=30)
    age: int = Field(ge=18, le=100)


class GuardedChurnModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        self.model = mlflow.sklearn.load_model(context.artifacts["churn_model"])

    def predict(self, model_input: list[Customer], params=None) -> list[float]:
        """Churn probability per customer."""
        if not model_input:
            raise MlflowException("Empty batch: send at least one customer in 'inputs'.", INVALID_PARAMETER_VALUE)
        if len(model_input) > MAX_BATCH_ROWS:
            raise MlflowException(
                f"Batch of {len(model_input)} customers exceeds the limit of {MAX_BATCH_ROWS}; "
                "split it or use the batch-inference flow.",
                INVALID_PARAMETER_VALUE,
            )
        frame = pd.DataFrame([customer.model_dump() for customer in model_input])
        return self.model.predict_proba(frame)[:, 1].round(4).tolist()


mlflow.models.set_model(GuardedChurnModel())
