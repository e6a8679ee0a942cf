"""The extraction pipeline: text -> typed tokens -> claim frames -> resolution -> rows (see pipeline.py)."""
from extractors import compiled

EXTRACTOR_VERSION = "0.1.0"

compiled.install()  # the per-document modules from their build, when it was made from this source
