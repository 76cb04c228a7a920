"""What a hostile card is audited for, on every engine: the DOM audit run in the page
once the side is shown (and typeset), and every side of a deck's cards as the ``anki``
package renders them, for the engines that load each side as a page of its own."""

from __future__ import annotations

from pathlib import Path

from tests.ankiengine import collection, import_apkg

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
