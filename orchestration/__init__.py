"""The lakehouse job: the Databricks Asset Bundle (databricks.yml, resources/) and the local runner.

`python -m orchestration run` executes the bundle job's DAG locally (see runner.py).
"""
