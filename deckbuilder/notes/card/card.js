// deckbuilder card script: carries the learner's tapped option from front to back.
//
// Anki desktop keeps one page for both sides and re-runs this script on every side and
// card, so everything lives inside this function (no top-level let/const, no globals but
// one). AnkiDroid loads each side as a new page: plain globals are lost there, but
// sessionStorage survives, so the choice is kept in sessionStorage with a window
// property as fallback where storage is unavailable. The choice is stored with the
// note's Ref and ignored on any other card, and a front clears any stale choice.
// Without this script the back still shows the correct answer: it is marked by CSS.
(function () {
  var KEY = "deckbuilder-choice";
  var card = document.querySelector(".db-card");
  if (!card) { return; }
  var ref = card.getAttribute("data-ref");

  function save(value) {
    try { sessionStorage.setItem(KEY, JSON.stringify(value)); } catch (e) { /* no storage */ }
    window.deckbuilderChoice = value;
  }
  function load() {
    var value = null;
    try { value = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { value = null; }
    return value || window.deckbuilderChoice || null;
  }
  function options() { return card.querySelectorAll(".db-option"); }

  if (card.classList.contains("db-front")) {
    save(null);
    Array.prototype.forEach.call(card.querySelectorAll(".db-choice"), function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        var letter = button.getAttribute("data-letter");
        Array.prototype.forEach.call(options(), function (li) {
          var chosen = li.getAttribute("data-letter") === letter;
          li.classList.toggle("db-selected", chosen);
          var b = li.querySelector(".db-choice");
          if (b) { b.setAttribute("aria-pressed", chosen ? "true" : "false"); }
        });
        save({ ref: ref, letter: letter });
      });
    });
    return;
  }

  var answer = card.getAttribute("data-answer");
  Array.prototype.forEach.call(card.querySelectorAll(".db-choice"), function (button) {
    button.setAttribute("tabindex", "-1");
    button.setAttribute("aria-disabled", "true");
  });
  var choice = load();
  if (!choice || choice.ref !== ref || !choice.letter) { return; }
  var right = choice.letter === answer;
  Array.prototype.forEach.call(options(), function (li) {
    if (li.getAttribute("data-letter") === choice.letter) {
      li.classList.add("db-chosen", right ? "db-right" : "db-wrong");
    }
  });
  card.classList.add(right ? "db-answered-right" : "db-answered-wrong");
  var verdict = card.querySelector("#db-verdict");
  if (verdict) {
    verdict.textContent = right
      ? "You chose " + choice.letter + ": correct."
      : "You chose " + choice.letter + ": incorrect. The correct answer is " + answer + ".";
    verdict.classList.add(right ? "db-verdict-right" : "db-verdict-wrong");
  }
})();
