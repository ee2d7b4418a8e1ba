"""The pipeline benchmark (`python -m bench.pipeline`, `make bench-pipeline`)."""
