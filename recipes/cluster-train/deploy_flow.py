"""Register the pipeline with Prefect as a deployment of the Kubernetes work pool.

Each run becomes a Kubernetes Job in the namespace recipebook, from the flow-runner image that holds the flow code
(loaded into kind, so never pulled). MLflow is reached by its in-cluster name; the model name comes from env.sh.
"""
import os

from train_pipeline import churn_train_pipeline

if __name__ == "__main__":
    churn_train_pipeline.deploy(
        name="kubernetes",
        work_pool_name="kubernetes",
        image="recipebook/flow-runner:0.1.0",
        build=False,  # the image is built by scripts/build-images.sh and loaded with kind
        push=False,
        job_variables={
            "namespace": "recipebook",
            "image_pull_policy": "IfNotPresent",
            "env": {"MLFLOW_TRACKING_URI": "http://mlflow:5000", "MODEL_NAME": os.environ["MODEL_NAME"]},
        },
    )
