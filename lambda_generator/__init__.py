"""The source system: writes realistic raw CSV batches (DESIGN.md section 3) to a folder or S3."""
