"""The extraction pipeline: documents -> normalize -> numbers -> rules -> periods/entities -> table."""

EXTRACTOR_VERSION = "0.1.0"
