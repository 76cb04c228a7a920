"""What a hostile card is audited for, on every engine: the DOM audit run in the page
once the side is shown (and typeset), and every side of a deck's cards as the ``anki``
package renders them, for the engines that load each side as a page of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.ankiengine import collection, import_apkg

# After MathJax has typeset the side: everything in the card that could run, load or
# play. Links may go to http(s)/mailto (a click opens the browser, nothing loads).
AUDIT = r"""(() => {
  const qa = document.getElementById("qa");
  const bad = [];
  const scheme = (v) => v.replace(/[\u0000-\u0020]/g, "").toLowerCase();
  const local = (url) => {
    try { return new URL(url, location.href).origin === location.origin; }
    catch (e) { return false; }
  };
  const loaders = "img,script,link,iframe,frame,object,embed,audio,video,source,track,"
    + "image,use,input,base,meta,form";
  for (const el of qa.querySelectorAll("*")) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = scheme(attr.value);
      if (name.startsWith("on")) bad.push(`${el.tagName} ${name}`);
      if (/^(javascript|data|vbscript):/.test(value)
          && /href|src|action|data|poster|background|srcset|formaction/.test(name)) {
        bad.push(`${el.tagName} ${name}=${attr.value.slice(0, 40)}`);
      }
      if (name === "style" && /url\s*\(/i.test(attr.value)) bad.push(`${el.tagName} style url`);
    }
    if (el.matches(loaders)) {
      const url = el.getAttribute("src") || el.getAttribute("href") || el.getAttribute("data")
        || el.getAttribute("action") || "";
      if (el.matches("script")) {
        if (url || !el.textContent.includes("deckbuilder card script")) bad.push("script");
      } else if (el.matches("audio,video,object,embed,iframe,frame,base,meta,form,link")) {
        bad.push(el.tagName);
      } else if (url && !local(url)) {
        bad.push(`${el.tagName} loads ${url.slice(0, 60)}`);
      }
    }
    if (el.matches("a[href]")) {
      const href = scheme(el.getAttribute("href"));
      if (!/^(https?:|mailto:|#)/.test(href) && !local(el.getAttribute("href"))) {
        bad.push(`link ${href.slice(0, 40)}`);
      }
    }
  }
  if (document.querySelector(".soundLink, .replay-button, audio")) bad.push("audio");
  for (const img of qa.querySelectorAll("img")) {
    if (/^latex-/i.test(img.getAttribute("src") || "")) bad.push("LaTeX image");
  }
  const card = qa.querySelector(".db-card");
  return {
    bad,
    card: !!card,
    typeset: qa.querySelectorAll("mjx-container").length,
    text: qa.innerText.slice(0, 2000),
    location: location.href,
  };
})()"""


def engine_sides(apkg: Path, cids: list[int], tmp: Path) -> tuple[dict, dict[str, bytes]]:
    """Every side of the cards ``cids`` as the ``anki`` package renders them (by
    "/<cid>/front" and "/<cid>/back"), framed as Anki's reviewer frames them; the media."""
    from deckbuilder.authoring.preview import side_document

    pages, media = {}, {}
    with collection(tmp / "sides.anki2") as col:
        import_apkg(col, apkg)
        for cid in cids:
            card = col.get_card(cid)
            pages[f"/{cid}/front"] = side_document(card.question(), "")
            pages[f"/{cid}/back"] = side_document(card.answer(), "")
        for path in Path(col.media.dir()).iterdir():
            media[path.name] = path.read_bytes()
    return pages, media


@dataclass
class ChromiumAudit:
    """What :func:`audit_in_chromium` saw: each page's audit (and the value of the script
    run before it, if any), every request that left the cards' origin, every dialog and
    every uncaught script error."""

    audits: dict[str, dict] = field(default_factory=dict)
    before: dict[str, object] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def audit_in_chromium(
    pages: dict[str, str],
    media: dict[str, bytes],
    *,
    scripts: Path | None = None,
    before_audit: str | None = None,
) -> ChromiumAudit:
    """Every page of ``pages`` loaded as a page of its own at phone size (AnkiDroid loads
    the back as a new page) and audited with :data:`AUDIT`. The cards' own origin, exactly,
    is served (the pages, the media, and ``/_anki/js/`` from ``scripts``, Anki's own
    scripts); anything else — another host, port or user — is logged and refused.
    ``before_audit`` runs on each page first (to typeset, say)."""
    from playwright.sync_api import sync_playwright

    from tests.support.browser import LAUNCH_ARGS, ORIGIN, chromium_path

    seen = ChromiumAudit()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 360, "height": 740})

            def handle(route) -> None:
                url = urlsplit(route.request.url)
                name = url.path.rsplit("/", 1)[-1]
                if f"{url.scheme}://{url.netloc}" != ORIGIN:
                    seen.outside.append(route.request.url)
                    route.abort()
                elif url.path in pages:
                    route.fulfill(body=pages[url.path], content_type="text/html")
                elif scripts and url.path.startswith("/_anki/js/") and ".." not in url.path:
                    file = scripts / url.path[len("/_anki/js/") :]
                    if file.is_file():
                        route.fulfill(path=file)
                    else:
                        route.fulfill(status=404, body="")
                elif name in media:
                    route.fulfill(body=media[name], content_type="image/png")
                else:
                    route.fulfill(status=404, body="")

            context.route("**/*", handle)
            page = context.new_page()
            page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: seen.errors.append(str(e)))
            for path in pages:
                page.goto(f"{ORIGIN}{path}")
                if before_audit is not None:
                    seen.before[path] = page.evaluate(before_audit)
                seen.audits[path] = page.evaluate(AUDIT)
        finally:
            browser.close()
    return seen
