// deckbuilder card script: shuffles the options, carries the learner's taps from the
// front to the back, and marks them there.
//
// Anki desktop keeps one page for both sides and re-runs this script on every side and
// card, so everything lives inside this function (no top-level let/const, no globals but
// one). AnkiDroid and AnkiMobile may load each side as a new page: plain globals are lost
// there, but sessionStorage survives, so the state of a showing — the order the options
// were shown in and the letters tapped — is kept in sessionStorage with a window property
// as fallback where storage is unavailable. It is stored with the note's Ref and ignored
// on any other card; every front starts a new showing. The state never holds the answer:
// the front's page has no trace of it.
// Without this script the back still works: options in the written order, the correct
// ones marked by CSS, explanations listed under the critique.
(function () {
  var KEY = "deckbuilder-card";
  var LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var card = document.querySelector(".db-card");
  if (!card) { return; }
  var ref = card.getAttribute("data-ref");
  var list = card.querySelector(".db-options");
  var items = list ? Array.prototype.slice.call(list.querySelectorAll(".db-option")) : [];
  var multi = !!list && list.getAttribute("data-select") === "all";

  function written(li) { return li.getAttribute("data-letter"); }
  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }

  function save(state) {
    try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* no storage */ }
    window.deckbuilderCard = state;
  }
  function load() {
    var state = null;
    try { state = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { state = null; }
    state = state || window.deckbuilderCard || null;
    return state && state.ref === ref ? state : null;
  }

  // Puts the options in the given order of written letters and letters them A, B, C…
  // as shown; returns the shown letter of each written one.
  function show(order) {
    var byLetter = {};
    var shown = {};
    each(items, function (li) { byLetter[written(li)] = li; });
    var valid = order && order.length === items.length;
    each(order || [], function (w) { valid = valid && !!byLetter[w]; });
    if (!valid) { order = items.map(written); }
    order.forEach(function (w, i) {
      var li = byLetter[w];
      list.appendChild(li);
      var label = li.querySelector(".db-letter");
      if (label) { label.textContent = LETTERS.charAt(i); }
      shown[w] = LETTERS.charAt(i);
    });
    return shown;
  }

  // A new order for this showing: pinned options keep their place, the others are
  // shuffled among the remaining places.
  function shuffled() {
    var order = items.map(written);
    if (!list || list.getAttribute("data-shuffle") !== "1") { return order; }
    var free = [];
    items.forEach(function (li, i) { if (li.getAttribute("data-pin") !== "1") { free.push(i); } });
    var moving = free.map(function (i) { return order[i]; });
    for (var i = moving.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var t = moving[i]; moving[i] = moving[j]; moving[j] = t;
    }
    free.forEach(function (place, k) { order[place] = moving[k]; });
    return order;
  }

  // Figures: a tap shows the image full screen, another tap closes it.
  each(card.querySelectorAll(".db-zoom"), function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      event.stopPropagation();
      button.classList.toggle("db-zoomed");
    });
  });

  if (card.classList.contains("db-front")) {
    var state = { ref: ref, order: shuffled(), chosen: [] };
    show(state.order);
    save(state);
    each(card.querySelectorAll(".db-choice"), function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        var letter = button.getAttribute("data-letter");
        var at = state.chosen.indexOf(letter);
        if (multi) {
          if (at >= 0) { state.chosen.splice(at, 1); } else { state.chosen.push(letter); }
        } else {
          state.chosen = [letter];
        }
        each(items, function (li) {
          var on = state.chosen.indexOf(written(li)) >= 0;
          li.classList.toggle("db-selected", on);
          var b = li.querySelector(".db-choice");
          if (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); }
        });
        save(state);
      });
    });
    return;
  }

  // The back.
  var shownState = load();
  var shown = list ? show(shownState ? shownState.order : null) : {};
  var wrap = card.querySelector(".db-options-wrap");
  var answers = wrap ? (wrap.getAttribute("data-answer") || "").split(/[^A-Z]+/).filter(Boolean) : [];
  each(card.querySelectorAll(".db-choice"), function (button) {
    button.setAttribute("tabindex", "-1");
    button.setAttribute("aria-disabled", "true");
  });
  // Each option's explanation goes under it.
  each(card.querySelectorAll(".db-explanations dd"), function (dd) {
    var li = list && list.querySelector('.db-option[data-letter="' + dd.getAttribute("data-letter") + '"]');
    if (!li) { return; }
    var box = document.createElement("div");
    box.className = "db-explanation";
    while (dd.firstChild) { box.appendChild(dd.firstChild); }
    li.appendChild(box);
  });
  var explained = card.querySelector(".db-explanations");
  if (explained && !explained.querySelector("dd *, dd:not(:empty)")) {
    explained.parentNode.removeChild(explained);
  }

  // The verdict names options with copies of their nodes, never with their text: text
  // the script writes is read afresh by MathJax, and an option's "\" and "(" kept apart
  // by a tag would join into a formula once copied as text. The verdict is marked for
  // MathJax to skip (mathjax_ignore), so nothing the script writes is typeset; only the
  // copies, whose nodes are those of the option as checked, are (mathjax_process).
  function named(w) {
    var text = list && list.querySelector('.db-option[data-letter="' + w + '"] .db-option-text');
    var copy = document.createElement("span");
    copy.className = "db-named mathjax_process";
    each(text ? text.childNodes : [], function (node) { copy.appendChild(node.cloneNode(true)); });
    return [(shown[w] || w) + " \u2014 ", copy];
  }
  function namedAll(ws) {
    var parts = [];
    ws.forEach(function (w, i) { parts = parts.concat(i ? ["; "] : [], named(w)); });
    return parts;
  }
  function letters(ws) { return ws.map(function (w) { return shown[w] || w; }).sort().join(", "); }

  var chosen = shownState ? shownState.chosen : [];
  var right = chosen.filter(function (w) { return answers.indexOf(w) >= 0; });
  var wrong = chosen.filter(function (w) { return answers.indexOf(w) < 0; });
  var missed = answers.filter(function (w) { return chosen.indexOf(w) < 0; });
  each(items, function (li) {
    var w = written(li);
    if (chosen.indexOf(w) >= 0) {
      li.classList.add("db-chosen", answers.indexOf(w) >= 0 ? "db-right" : "db-wrong");
    } else if (chosen.length && multi && answers.indexOf(w) >= 0) {
      li.classList.add("db-missed");
    }
  });
  var verdict = card.querySelector("#db-verdict");
  if (!verdict || !answers.length) { return; }
  var parts;
  if (!chosen.length) {
    parts = [answers.length > 1 ? "Correct answers: " : "Correct answer: "]
      .concat(namedAll(answers), ["."]);
  } else if (!multi) {
    parts = !wrong.length
      ? ["You chose " + letters(chosen) + ": correct."]
      : ["You chose " + letters(chosen) + ": incorrect. The correct answer is "]
        .concat(named(answers[0]), ["."]);
  } else if (!wrong.length && !missed.length) {
    parts = ["You chose " + letters(chosen) + ": all " + answers.length + " correct."];
  } else {
    var text = "You chose " + letters(chosen) + ": " + right.length + " of " + answers.length + " correct.";
    if (wrong.length) { text += " Wrong: " + letters(wrong) + "."; }
    if (missed.length) { text += " Missed: " + letters(missed) + "."; }
    parts = [text];
  }
  verdict.classList.add("mathjax_ignore");
  while (verdict.firstChild) { verdict.removeChild(verdict.firstChild); }
  parts.forEach(function (part) {
    verdict.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
  });
  verdict.classList.add(!wrong.length && !missed.length && chosen.length ? "db-verdict-right"
    : chosen.length ? "db-verdict-wrong" : "db-verdict-shown");
  card.classList.add(!chosen.length ? "db-unanswered" : !wrong.length && !missed.length
    ? "db-answered-right" : "db-answered-wrong");
})();
