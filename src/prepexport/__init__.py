"""prepexport: compile one YAML knowledge base into an Anki deck and a printable workbook."""

__version__ = "0.1.0"
