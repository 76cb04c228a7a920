"""``deckbuilder import-text``: a quiz article as plain text becomes a content file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deckbuilder.commands import reports_errors
from deckbuilder.commands.output import JsonOpt


@reports_errors
def import_text(
    article: Annotated[Path, typer.Argument(help="The article as plain text (e.g. from a PDF).")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Case file to write [default: CONTENT/cases/<id>.yaml]."
        ),
    ] = None,
    content: Annotated[
        Path,
        typer.Option(
            "--content", "-c", help="The content folder the case goes into, without --output."
        ),
    ] = Path("content"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Turn a quiz article (case, numbered questions, options, critiques) into a case file.

    Every line of the article lands in the file or in the report, with the reason.

    Example: deckbuilder import-text article.txt -o content/cases/alt.yaml
    """
    import shlex

    from deckbuilder.authoring.importtext import import_article
    from deckbuilder.authoring.importtext.importer import content_root
    from deckbuilder.commands.hints import quoted, require_deck_file
    from deckbuilder.commands.output import terminal_safe
    from deckbuilder.errors import counted, display_path

    if output is None:
        article_arg = shlex.quote(str(article))
        require_deck_file(content, f"deckbuilder import-text {article_arg} --content {{}}")
    result = import_article(article, output, content=content, force=force)
    report = result.quiz.report
    if as_json:
        from deckbuilder.commands.output import json_text

        where = f"{article}:{{}}: {{}}".format
        typer.echo(
            json_text(
                {
                    "command": "import-text",
                    "outcome": "written",
                    "path": str(result.path),
                    "questions": len(result.quiz.questions),
                    "figures": len(result.quiz.figures),
                    "facts_proposed": result.facts,
                    "superscripts": report.superscripts,
                    "warnings": [
                        *report.warnings,
                        *(where(n, what) for n, what in report.line_warnings),
                    ],
                    "left_out": [
                        {"line": n, "text": text, "why": why} for n, text, why in report.left_out
                    ],
                    "moved": [where(n, what) for n, what in report.moved],
                    "uncertain_citations": [
                        where(n, f"'{token}': {why}") for n, token, why in report.citations
                    ],
                }
            )
        )
        return
    typer.echo(
        f"Wrote {result.path}: {counted(len(result.quiz.questions), 'question')}, "
        f"{counted(len(result.quiz.figures), 'figure caption')}, "
        f"{counted(result.facts, 'fact')} proposed "
        "(commented out: uncomment the good ones). Run "
        f"{quoted('deckbuilder check ' + shlex.quote(display_path(content_root(result.path))))}"
        " next."
    )
    typer.echo(
        f"{counted(len(report.structure), 'line')} read as structure (headings, question "
        f"numbers, answers, captions), {len(report.left_out):,} left out; "
        f"{counted(report.superscripts, 'citation number')} set as superscripts."
    )
    for warning in report.warnings:
        typer.echo(terminal_safe(f"warning: {warning}"), err=True)
    for number, what in report.line_warnings:
        typer.echo(terminal_safe(f"warning: {article}:{number}: {what}"), err=True)
    if report.moved:
        typer.echo("Moved between a caption and the text, against the layout:", err=True)
        for number, what in report.moved:
            typer.echo(terminal_safe(f"  {article}:{number}: {what}"), err=True)
    if report.citations:
        typer.echo("Numbers glued to words, left as written (citations?):", err=True)
        for number, token, why in report.citations:
            typer.echo(terminal_safe(f"  {article}:{number}: '{token}': {why}"), err=True)
    if report.left_out:
        typer.echo("Left out of the content file:", err=True)
        for number, text, why in report.left_out:
            typer.echo(terminal_safe(f"  {article}:{number}: {why}: {text[:70]}"), err=True)
