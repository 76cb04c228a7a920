// `deckbuilder serve`: the page follows every save. Updates arrive as server-sent events
// (/events): each names every card in order (when the order changed) and carries the
// sections of the new or changed ones, which replace theirs in place (preview.js sets them up); the changed
// cards are marked and the first is scrolled into view; content problems show above
// the cards, which stay as they last were good. Nothing here reloads the page, but a
// page too far behind (it slept) loads again where it was scrolled to.
(function () {
  var live = window.deckbuilderLive;
  var version = live.version;
  var main = document.querySelector(".pv-cards");
  var errors = document.querySelector(".pv-errors");
  var status = document.createElement("p");
  status.className = "pv-live";
  status.setAttribute("role", "status");
  document.querySelector(".pv-head").appendChild(status);

  function say(text, state) {
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  function showErrors(list) {
    var ul = errors.querySelector("ul");
    ul.textContent = "";
    list.forEach(function (p) {
      var li = document.createElement("li");
      var where = document.createElement("code");
      where.textContent = p.where;
      li.appendChild(where);
      li.appendChild(document.createTextNode(" " + (p.key ? p.key + ": " : "") + p.message));
      ul.appendChild(li);
    });
    errors.hidden = list.length === 0;
  }

  function cards() {
    var out = {};
    Array.prototype.forEach.call(main.querySelectorAll(".pv-card"), function (section) {
      out[section.getAttribute("data-ref")] = section;
    });
    return out;
  }

  function inView(el) {
    var box = el.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }

  // The section made from `html`, in place of `section` (a card's old one), or after
  // `previous` (a new card).
  function replaced(section, html, previous) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var fresh = template.content.firstElementChild;
    if (section) {
      window.deckbuilderPreview.forget(section);
      section.replaceWith(fresh);
    } else {
      previous.after(fresh);
    }
    return fresh;
  }

  function apply(update) {
    var old = cards();
    var changed = [];
    Array.prototype.forEach.call(main.querySelectorAll(".pv-changed"), function (el) {
      el.classList.remove("pv-changed");
    });
    if (update.order) {  // cards came, went or moved: every card is put in its place
      var previous = errors;
      update.order.forEach(function (ref) {
        var section = old[ref];
        delete old[ref];
        if (Object.prototype.hasOwnProperty.call(update.cards, ref)) {
          section = replaced(section, update.cards[ref], previous);
          changed.push(section);
        }
        if (previous.nextElementSibling !== section) {
          previous.after(section);
        }
        previous = section;
      });
      Object.keys(old).forEach(function (ref) {
        window.deckbuilderPreview.forget(old[ref]);
        old[ref].remove();
      });
    } else {  // the same cards in the same order: only the changed ones are replaced
      Object.keys(update.cards).forEach(function (ref) {
        if (old[ref]) { changed.push(replaced(old[ref], update.cards[ref])); }
      });
    }
    window.deckbuilderPreview.grown();
    changed.forEach(function (section) {
      window.deckbuilderPreview.setup(section);
      section.classList.add("pv-changed");
    });
    // The first changed card is about to be scrolled to: its frame loads now, not a
    // frame later when the page notices it near the screen.
    if (changed.length) { window.deckbuilderPreview.attach(changed[0]); }
    if (update.title) {
      document.title = update.title + " — preview";
      document.querySelector(".pv-head h1").textContent = update.title;
    }
    showErrors(update.errors);
    if (changed.length && !inView(changed[0])) {
      changed[0].scrollIntoView({ block: "center" });
    } else if (update.errors.length && !inView(errors)) {
      errors.scrollIntoView({ block: "start" });
    }
    version = update.version;
    document.documentElement.setAttribute("data-version", String(version));
    say("Live: updated at " + new Date().toLocaleTimeString() + ".", "live");
  }

  var scrolled = sessionStorage.getItem("pv-scroll");
  if (scrolled !== null) {
    sessionStorage.removeItem("pv-scroll");
    window.addEventListener("load", function () { window.scrollTo(0, Number(scrolled)); });
  }
  document.documentElement.setAttribute("data-version", String(version));
  say("Live: the page follows every save.", "live");
  var events = new EventSource("/events?since=" + version);
  events.onmessage = function (event) { apply(JSON.parse(event.data)); };
  events.addEventListener("reload", function () {
    sessionStorage.setItem("pv-scroll", String(window.scrollY));
    window.location.reload();
  });
  events.onopen = function () { say("Live: the page follows every save.", "live"); };
  events.onerror = function () {
    say("Not connected: is 'deckbuilder serve' still running? (it reconnects by itself)", "lost");
  };
})();
