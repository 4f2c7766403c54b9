"""The seeded sample-data generator: a standards workbook and four department workbooks of a
Chinese company's marketing department (``toolkit sample -o DIR``)."""

from .generate import DEFAULT_SEED, Sample, build_sample, department_file, generate_sample, sample_files

__all__ = ["DEFAULT_SEED", "Sample", "build_sample", "department_file", "generate_sample", "sample_files"]
