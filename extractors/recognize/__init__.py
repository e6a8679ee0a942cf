"""Recognisers that find typed pieces in normalized text: numbers, periods, and the lexicon of words."""
