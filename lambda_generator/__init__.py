"""The source system: writes realistic raw CSV batches (docs/raw-contract.md) to a folder or S3."""
