"""dbt-duckdb plugin for the lakehouse's local target (see ``plugin.py``)."""
