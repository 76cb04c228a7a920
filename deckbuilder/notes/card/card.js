// deckbuilder card script: shuffles the options (or statements), carries the learner's
// taps, strike-outs and true/false marks from the front to the back, and judges them
// there. One script for the multiple-choice and the true/false note types: the order,
// shuffle, state and explanations are the same code for both.
//
// Anki desktop keeps one page for both sides and re-runs this script on every side and
// card, so everything lives inside this function (no top-level let/const, no globals but
// one). AnkiDroid and AnkiMobile may load each side as a new page: plain globals are lost
// there, but sessionStorage survives, so the state of a showing — the order the options
// were shown in, the letters tapped and struck out, the statements' marks — is kept in
// sessionStorage with a window property as fallback where storage is unavailable. It is
// stored with the note's Ref and ignored on any other card; every front starts a new
// showing. The state never holds the answer: the front's page has no trace of it.
// Without this script the back still works: options in the written order, the correct
// ones marked by CSS (the statements' truths in the verdict line), explanations listed
// under the critique.
(function () {
  var KEY = "deckbuilder-card";
  var LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var LONG_PRESS_MS = 500;
  var card = document.querySelector(".db-card");
  if (!card) { return; }
  var ref = card.getAttribute("data-ref");
  var list = card.querySelector(".db-options, .db-statements");
  var statements = !!list && list.classList.contains("db-statements");
  var items = list ? Array.prototype.slice.call(list.querySelectorAll(".db-option, .db-statement")) : [];
  var multi = !!list && list.getAttribute("data-select") === "all";

  function written(li) { return li.getAttribute("data-letter"); }
  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }
  function item(w) {
    for (var i = 0; i < items.length; i++) { if (written(items[i]) === w) { return items[i]; } }
    return null;
  }
  function has(ws, w) { return ws.indexOf(w) >= 0; }
  function without(ws, w) { return ws.filter(function (x) { return x !== w; }); }

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

  // Puts the items in the given order of written letters and letters them A, B, C…
  // as shown; returns the shown letter of each written one.
  function show(order) {
    var shown = {};
    var valid = order && order.length === items.length;
    each(order || [], function (w) { valid = valid && !!item(w); });
    if (!valid) { order = items.map(written); }
    order.forEach(function (w, i) {
      var li = item(w);
      list.appendChild(li);
      var label = li.querySelector(".db-letter");
      if (label) { label.textContent = LETTERS.charAt(i); }
      shown[w] = LETTERS.charAt(i);
    });
    return shown;
  }

  // A new order for this showing: pinned items keep their place, the others are
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

  // Asks the Anki app to show the answer: Anki desktop's reviewer takes pycmd("ans"),
  // AnkiDroid (2.11 on, and its new study screen from 2.24) offers a global
  // showAnswer(). Elsewhere (AnkiMobile, AnkiWeb, a preview) nothing happens and the
  // learner shows the answer as usual; the tap is already marked and saved.
  function revealAnswer() {
    try {
      if (typeof pycmd === "function") { pycmd("ans"); }
      else if (typeof showAnswer === "function") { showAnswer(); }
    } catch (e) { /* the app refused: the learner shows the answer as usual */ }
  }

  // A long press (touch) or right-click calls fn; Chromium (desktop, AnkiDroid) reports
  // both as a context menu, WebKit on iOS does not, hence the timer. Returns whether a
  // long press has just fired, so that the click it ends with is not also a tap.
  function onLongPress(el, fn) {
    var timer = null;
    var fired = 0;
    function cancel() { if (timer) { clearTimeout(timer); timer = null; } }
    el.addEventListener("touchstart", function () {
      cancel();
      timer = setTimeout(function () { timer = null; fired = Date.now(); fn(); }, LONG_PRESS_MS);
    }, { passive: true });
    each(["touchend", "touchmove", "touchcancel"], function (type) {
      el.addEventListener(type, cancel, { passive: true });
    });
    el.addEventListener("contextmenu", function (event) {
      event.preventDefault();
      if (Date.now() - fired > 1000) { fn(); }
    });
    return function () { return Date.now() - fired < 1000; };
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
    var state = { ref: ref, order: shuffled(), chosen: [], struck: [], marks: {} };
    show(state.order);
    save(state);
    if (statements) { markStatements(state); } else { chooseOptions(state); }
    return;
  }

  // The front of a true/false card: each statement's True and False; a second tap on
  // the same mark takes it back.
  function markStatements(state) {
    each(card.querySelectorAll(".db-mark"), function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        var w = button.getAttribute("data-letter");
        var value = button.getAttribute("data-mark") === "true";
        if (state.marks[w] === value) { delete state.marks[w]; } else { state.marks[w] = value; }
        var li = item(w);
        each(li ? li.querySelectorAll(".db-mark") : [], function (b) {
          var on = state.marks[w] === (b.getAttribute("data-mark") === "true");
          b.setAttribute("aria-pressed", on ? "true" : "false");
        });
        save(state);
      });
    });
  }

  // The front of a multiple-choice card: a tap chooses an option; a right-click, a long
  // press or the option's strike control strikes it out (struck options are not chosen).
  function chooseOptions(state) {
    var reveal = !multi && !!list && list.getAttribute("data-reveal") === "tap";
    var revealed = false;
    function refresh() {
      each(items, function (li) {
        var w = written(li);
        var on = has(state.chosen, w);
        li.classList.toggle("db-selected", on);
        li.classList.toggle("db-struck", has(state.struck, w));
        var b = li.querySelector(".db-choice");
        if (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); }
        var s = li.querySelector(".db-strike");
        if (s) { s.setAttribute("aria-pressed", has(state.struck, w) ? "true" : "false"); }
      });
    }
    function strike(w) {
      if (has(state.struck, w)) { state.struck = without(state.struck, w); }
      else { state.struck.push(w); state.chosen = without(state.chosen, w); }
      refresh();
      save(state);
    }
    each(items, function (li) {
      var w = written(li);
      var button = li.querySelector(".db-choice");
      if (!button) { return; }
      var control = document.createElement("button");
      control.type = "button";
      control.className = "db-strike tappable";
      control.setAttribute("aria-label", "Strike out");
      control.setAttribute("aria-pressed", "false");
      control.title = "Strike out (or right-click, or long-press, the option)";
      control.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        strike(w);
      });
      li.appendChild(control);
      var pressed = onLongPress(button, function () { strike(w); });
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        if (pressed()) { return; }
        state.struck = without(state.struck, w);
        if (multi) {
          state.chosen = has(state.chosen, w) ? without(state.chosen, w) : state.chosen.concat([w]);
        } else {
          state.chosen = [w];
        }
        refresh();
        save(state);
        if (reveal && !revealed) {
          revealed = true;
          revealAnswer();
        }
      });
    });
  }

  // The back.
  var shownState = load();
  var shown = list ? show(shownState ? shownState.order : null) : {};
  each(card.querySelectorAll(".db-choice, .db-mark"), function (button) {
    button.setAttribute("tabindex", "-1");
    button.setAttribute("aria-disabled", "true");
  });
  // Each explanation goes under its option or statement.
  each(card.querySelectorAll(".db-explanations dd"), function (dd) {
    var li = item(dd.getAttribute("data-letter"));
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
  var verdict = card.querySelector("#db-verdict");

  // Writes the verdict from text nodes and copied nodes only: text the script writes is
  // read afresh by MathJax, and an option's "\" and "(" kept apart by a tag would join
  // into a formula once copied as text. The verdict is marked for MathJax to skip
  // (mathjax_ignore), so nothing the script writes is typeset; only the copies, whose
  // nodes are those of the option as checked, are (mathjax_process).
  function say(parts, right, answered) {
    if (!verdict) { return; }
    verdict.classList.add("mathjax_ignore");
    while (verdict.firstChild) { verdict.removeChild(verdict.firstChild); }
    parts.forEach(function (part) {
      verdict.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
    verdict.classList.add(right && answered ? "db-verdict-right"
      : answered ? "db-verdict-wrong" : "db-verdict-shown");
    card.classList.add(!answered ? "db-unanswered" : right ? "db-answered-right" : "db-answered-wrong");
  }

  if (statements) { judgeStatements(); return; }

  function named(w) {
    var li = item(w);
    var text = li && li.querySelector(".db-option-text");
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

  var wrap = card.querySelector(".db-options-wrap");
  var answers = wrap ? (wrap.getAttribute("data-answer") || "").split(/[^A-Z]+/).filter(Boolean) : [];
  var chosen = shownState ? shownState.chosen || [] : [];
  var struck = shownState ? shownState.struck || [] : [];
  var right = chosen.filter(function (w) { return has(answers, w); });
  var wrong = chosen.filter(function (w) { return !has(answers, w); });
  var missed = answers.filter(function (w) { return !has(chosen, w); });
  each(items, function (li) {
    var w = written(li);
    if (has(struck, w)) { li.classList.add("db-struck"); }
    if (has(chosen, w)) {
      li.classList.add("db-chosen", has(answers, w) ? "db-right" : "db-wrong");
    } else if (chosen.length && multi && has(answers, w)) {
      li.classList.add("db-missed");
    }
  });
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
  say(parts, !wrong.length && !missed.length, chosen.length > 0);

  // The back of a true/false card: each statement right, wrong or not marked, its truth
  // shown; the score, by the Kprim rule for a Kprim question.
  function judgeStatements() {
    var wrapper = card.querySelector(".db-statements-wrap");
    var truths = {};
    ((wrapper && wrapper.getAttribute("data-answer")) || "").replace(
      /([A-Z]): (true|false)/g, function (all, w, truth) { truths[w] = truth === "true"; return all; });
    var marks = (shownState && shownState.marks) || {};
    var kprim = list.getAttribute("data-kind") === "kprim";
    var count = 0;
    var answered = false;
    each(items, function (li) {
      var w = written(li);
      var truth = truths[w];
      var marked = Object.prototype.hasOwnProperty.call(marks, w);
      var ok = marked && marks[w] === truth;
      answered = answered || marked;
      if (ok) { count += 1; }
      li.classList.add(!marked ? "db-unmarked" : ok ? "db-right" : "db-wrong");
      each(li.querySelectorAll(".db-mark"), function (b) {
        var value = b.getAttribute("data-mark") === "true";
        if (value === truth) { b.classList.add("db-truth"); }
        if (marked && marks[w] === value) { b.classList.add("db-chosen"); }
        b.setAttribute("aria-pressed", marked && marks[w] === value ? "true" : "false");
      });
      var judged = document.createElement("span");
      judged.className = "db-judged mathjax_ignore";
      judged.textContent = (truth ? "True" : "False") +
        (!marked ? " \u2014 not marked" : ok ? " \u2014 you were right" : " \u2014 you were wrong");
      var head = li.querySelector(".db-marks");
      li.insertBefore(judged, head ? head.nextSibling : null);
    });
    var total = items.length;
    var score = count === total ? "1 point" : count === total - 1 ? "half a point" : "no point";
    var key = items.map(function (li) {
      var w = written(li);
      return (shown[w] || w) + " " + (truths[w] ? "true" : "false");
    }).sort().join(", ");
    var text = !answered
      ? "Not marked. The answer: " + key + "."
      : kprim
        ? count + " of " + total + " \u2014 " + score + "."
        : count + " of " + total + " right.";
    say([text], count === total, answered);
  }
})();
