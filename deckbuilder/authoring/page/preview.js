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
    var qa = frame.contentDocument && frame.contentDocument.getElementById("qa");
    if (!qa) { return; }  // a frame just put in place, still loading: it shows its front
    qa.innerHTML = html;
    Array.prototype.forEach.call(qa.querySelectorAll("script"), function (old) {
      var script = frame.contentDocument.createElement("script");
      // The card's own script is kept once in the page (deckbuilderShared), not per side.
      var shared = old.getAttribute("data-pv-shared");
      script.textContent = shared ? window.deckbuilderShared[shared] : old.textContent;
      old.parentNode.replaceChild(script, old);
    });
    fit(frame);
  }

  // Chromium gives a page at most 1,000 frames, and a frame costs memory: on a page of
  // more cards than LAZY_FROM, a card has its frame only while it is near the screen
  // (a card far from it shows its last height, empty, and its taps are forgotten).
  var LAZY_FROM = 400;
  var main = document.querySelector(".pv-cards");
  var nearby = null;

  // Called once the page's cards are there, and by `serve` after each update: a page
  // that grows past LAZY_FROM cards turns lazy then.
  function grown() {
    if (nearby || !window.IntersectionObserver) { return; }
    var all = document.querySelectorAll(".pv-card");
    if (all.length <= LAZY_FROM) { return; }
    main.classList.add("pv-lazy");
    nearby = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { attach(entry.target); } else { detach(entry.target); }
      });
    }, { rootMargin: "150% 0px" });
    Array.prototype.forEach.call(all, function (section) { nearby.observe(section); });
  }
  grown();

  function sides(section) {
    return {
      front: section.querySelector("template.pv-front").innerHTML,
      back: section.querySelector("template.pv-back").innerHTML
    };
  }

  function attach(section) {
    if (section.querySelector("iframe")) { return; }
    var frame = section.querySelector("template.pv-frame").content.firstElementChild.cloneNode(true);
    if (!frame.hasAttribute("src")) { frame.srcdoc = window.deckbuilderSide; }
    var held = section.querySelector(".pv-held");
    frame.addEventListener("load", function () {
      show(frame, sides(section).front);
      var body = frame.contentDocument.body;
      if (window.ResizeObserver) {
        new ResizeObserver(function () { fit(frame); }).observe(body);
      }
      body.addEventListener("toggle", function () { fit(frame); }, true);
      body.addEventListener("click", function () { setTimeout(function () { fit(frame); }, 0); });
    });
    if (held) {
      frame.style.height = held.style.height;
      held.replaceWith(frame);
    } else {
      section.querySelector("template.pv-frame").after(frame);
    }
  }

  function detach(section) {
    var frame = section.querySelector("iframe");
    if (!frame) { return; }
    var held = document.createElement("div");
    held.className = "pv-held";
    held.style.height = frame.offsetHeight + "px";
    frame.replaceWith(held);
  }

  function setup(section) {
    section.querySelector(".pv-show-answer").addEventListener("click", function () {
      var frame = section.querySelector("iframe");
      if (frame) { show(frame, sides(section).back); }
    });
    section.querySelector(".pv-show-question").addEventListener("click", function () {
      var frame = section.querySelector("iframe");
      if (frame) { show(frame, sides(section).front); }
    });
    if (nearby) { nearby.observe(section); } else { attach(section); }
  }

  function forget(section) {
    if (nearby) { nearby.unobserve(section); }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".pv-card"), setup);
  // `deckbuilder serve` adds and replaces cards after the page has loaded (live.js).
  window.deckbuilderPreview = { setup: setup, forget: forget, grown: grown, attach: attach };

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
