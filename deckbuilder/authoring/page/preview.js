// The preview page: each card is a frame holding one side, framed as Anki's reviewer
// frames it. "Show answer" puts the back into the same frame in place of the front and
// runs its script again, as Anki desktop does, so the taps made on the front are marked
// on the back; frames always take the height of their card, so nothing scrolls inside.
(function () {
  function fit(frame) {
    var doc = frame.contentDocument;
    if (!doc || !doc.documentElement) { return; }
    frame.style.height = "0px";
    frame.style.height = doc.documentElement.scrollHeight + "px";
  }

  function show(frame, html) {
    var qa = frame.contentDocument.getElementById("qa");
    qa.innerHTML = html;
    Array.prototype.forEach.call(qa.querySelectorAll("script"), function (old) {
      var script = frame.contentDocument.createElement("script");
      script.textContent = old.textContent;
      old.parentNode.replaceChild(script, old);
    });
    fit(frame);
  }

  function setup(section) {
    var frame = section.querySelector("iframe");
    var sides = {
      front: section.querySelector("template.pv-front").innerHTML,
      back: section.querySelector("template.pv-back").innerHTML
    };
    function ready() {
      show(frame, sides.front);
      var body = frame.contentDocument.body;
      if (window.ResizeObserver) {
        new ResizeObserver(function () { fit(frame); }).observe(body);
      }
      body.addEventListener("toggle", function () { fit(frame); }, true);
      body.addEventListener("click", function () { setTimeout(function () { fit(frame); }, 0); });
    }
    frame.addEventListener("load", ready);
    // A frame `serve` loads from its server may have loaded before this ran.
    var doc = frame.contentDocument;
    if (doc && doc.readyState === "complete" && doc.getElementById("qa")) { ready(); }
    section.querySelector(".pv-show-answer").addEventListener("click", function () {
      show(frame, sides.back);
    });
    section.querySelector(".pv-show-question").addEventListener("click", function () {
      show(frame, sides.front);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".pv-card"), setup);
  // `deckbuilder serve` adds and replaces cards after the page has loaded (live.js).
  window.deckbuilderPreview = { setup: setup };

  Array.prototype.forEach.call(document.querySelectorAll('input[name="pv-width"]'), function (input) {
    input.addEventListener("change", function () {
      document.querySelector(".pv-cards").setAttribute("data-width", input.value);
      Array.prototype.forEach.call(document.querySelectorAll(".pv-card iframe"), fit);
    });
  });
  window.addEventListener("resize", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".pv-card iframe"), fit);
  });
})();
