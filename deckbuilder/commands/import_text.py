"""``deckbuilder import`` (or ``import-text``): a quiz article, PDF or text, becomes a case."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deckbuilder.commands import reports_errors
from deckbuilder.commands.output import JsonOpt


@reports_errors
def import_text(
    article: Annotated[
        Path, typer.Argument(help="The article: a PDF (.pdf), or its text (any other name).")
    ],
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

    A PDF's figures are extracted beside the case file (<id>-fig1.png, ...) and matched
    to their captions. Every line of the article lands in the file or in the report, with
    the reason; what is not certain is a TODO. 'import-text' is the same command.

    Example: deckbuilder import article.pdf -o content/cases/alt.yaml
    """
    import shlex

    from deckbuilder.authoring.importtext import import_article
    from deckbuilder.authoring.importtext.importer import content_root
    from deckbuilder.commands.hints import quoted, require_deck_file
    from deckbuilder.commands.output import terminal_safe
    from deckbuilder.errors import counted, display_path

    if output is None:
        article_arg = shlex.quote(str(article))
        require_deck_file(content, f"deckbuilder import {article_arg} --content {{}}")
    result = import_article(article, output, content=content, force=force)
    report = result.quiz.report
    if as_json:
        from deckbuilder.commands.output import output_text
        from deckbuilder.commands.results import Dropped, FigureImage, ImportOutput, LeftOut

        def where(line: int, what: str) -> str:
            return f"{article}:{result.where(line)}: {what}"

        typer.echo(
            output_text(
                ImportOutput(
                    path=str(result.path),
                    questions=len(result.quiz.questions),
                    figures=len(result.quiz.figures),
                    facts_proposed=result.facts,
                    superscripts=report.superscripts,
                    warnings=[
                        *report.warnings,
                        *(where(n, what) for n, what in report.line_warnings),
                    ],
                    left_out=[
                        LeftOut(line=n, text=text, why=why) for n, text, why in report.left_out
                    ],
                    figure_images=[
                        FigureImage(
                            file=str(result.path.parent / placed.file),
                            page=placed.image.page,
                            width=placed.image.width,
                            height=placed.image.height,
                            figure=placed.figure,
                            caption_matched=placed.figure is not None,
                            why=placed.why,
                        )
                        for placed in result.images
                    ],
                    dropped=[
                        Dropped(page=page, text=text, why=why)
                        for page, text, why in (result.pdf.dropped if result.pdf else [])
                    ],
                    pages_without_text=result.pdf.no_text if result.pdf else [],
                    moved=[where(n, what) for n, what in report.moved],
                    uncertain_citations=[
                        where(n, f"'{token}': {why}") for n, token, why in report.citations
                    ],
                )
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
        typer.echo(terminal_safe(f"warning: {article}:{result.where(number)}: {what}"), err=True)
    if report.moved:
        typer.echo("Moved between a caption and the text, against the layout:", err=True)
        for number, what in report.moved:
            typer.echo(terminal_safe(f"  {article}:{result.where(number)}: {what}"), err=True)
    if report.citations:
        typer.echo("Numbers glued to words, left as written (citations?):", err=True)
        for number, token, why in report.citations:
            typer.echo(
                terminal_safe(f"  {article}:{result.where(number)}: '{token}': {why}"), err=True
            )
    if report.left_out:
        typer.echo("Left out of the content file:", err=True)
        for number, text, why in report.left_out:
            typer.echo(
                terminal_safe(f"  {article}:{result.where(number)}: {why}: {text[:70]}"), err=True
            )
    if result.pdf is not None:
        for page, text, why in result.pdf.dropped:
            typer.echo(
                terminal_safe(f"  {article}:page {page}: dropped ({why}): {text[:70]}"), err=True
            )
        for page, why in result.pdf.skipped_images:
            typer.echo(terminal_safe(f"  {article}:page {page}: not extracted: {why}"), err=True)
    for placed in result.images:
        caption = f"figure {placed.figure}" if placed.figure is not None else "no caption (TODO)"
        typer.echo(
            f"  {display_path(result.path.parent / placed.file)}: page {placed.image.page}, "
            f"{placed.image.width}x{placed.image.height} px, {caption}: {placed.why}"
        )
