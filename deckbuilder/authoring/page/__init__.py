"""The preview page's template, style and script, as real files (read by ``preview``)."""
