"""Create the team's MLflow users. Run it as the admin (MLFLOW_TRACKING_USERNAME=admin and its password).

    pipelines  the account flows, notebooks and CI sign in with; it owns what it creates
    viewer     a person who reads runs and models (basic_auth.ini: default_permission = READ)

Each password comes from the environment (secrets.env), never from this file.
"""
import os

from mlflow.server import get_app_client

auth = get_app_client("basic-auth", tracking_uri=os.environ["MLFLOW_TRACKING_URI"])
for username, variable in [("pipelines", "MLFLOW_PIPELINES_PASSWORD"), ("viewer", "MLFLOW_VIEWER_PASSWORD")]:
    user = auth.create_user(username, os.environ[variable])
    print(f"created MLflow user {user.username} (admin: {user.is_admin})")
