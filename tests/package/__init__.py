"""The .apkg package: its formats, the zip writer, reading packages, sharing them."""
