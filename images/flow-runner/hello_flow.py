"""The smallest flow: proves the image's Prefect can reach a Prefect server and finish a run."""
import json

from prefect import flow, task


@task
def add(a: int, b: int) -> int:
    return a + b


@flow(name="hello-flow-runner", log_prints=True)
def hello(a: int = 2, b: int = 3) -> int:
    total = add(a, b)
    print(f"{a} + {b} = {total}")
    return total


if __name__ == "__main__":
    state = hello(return_state=True)
    print(json.dumps({"flow_run_state": state.type.value, "result": state.result()}))
