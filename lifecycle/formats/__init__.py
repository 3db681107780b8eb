"""The product's date styles per language (FORMAT_MODULE_PATH): one style per kind, the
short one everywhere, so a table and a card never show the same day two ways. Numbers keep
Django's own separators. docs/architecture.md, "Numbers and dates on screen"."""
