// The preview's drawing aid for occluded figures: drag on the picture to draw a
// rectangle; the YAML lines of that region (fractions of the picture, and its pixels)
// are shown to copy into the figure's regions. It writes nothing anywhere. The preview
// runs a side's script each time the side is shown: set up each figure once.
(function () {
  function round(value) {
    return Math.round(Math.min(1, Math.max(0, value)) * 10000) / 10000;
  }

  function setup(figure) {
    if (figure.getAttribute("data-ready")) { return; }
    figure.setAttribute("data-ready", "1");
    var img = figure.querySelector("img");
    var svg = figure.querySelector("svg");
    var out = figure.parentNode.querySelector(".pv-io-yaml");
    var start = null;
    var box = null;

    function at(event) {
      var r = img.getBoundingClientRect();
      return { x: (event.clientX - r.left) / r.width, y: (event.clientY - r.top) / r.height };
    }

    function draw(a, b) {
      var left = round(Math.min(a.x, b.x)), top = round(Math.min(a.y, b.y));
      var width = round(Math.abs(a.x - b.x)), height = round(Math.abs(a.y - b.y));
      if (!box) {
        box = document.createElementNS("http://www.w3.org/2000/svg", "rect");
        box.setAttribute("class", "pv-io-drawn");
        box.setAttribute("vector-effect", "non-scaling-stroke");
        svg.appendChild(box);
      }
      box.setAttribute("x", left); box.setAttribute("y", top);
      box.setAttribute("width", width); box.setAttribute("height", height);
      return [left, top, width, height];
    }

    function show(rect) {
      if (!out || rect[2] <= 0 || rect[3] <= 0) { return; }
      var w = img.naturalWidth, h = img.naturalHeight;
      var px = [rect[0] * w, rect[1] * h, rect[2] * w, rect[3] * h].map(Math.round);
      out.hidden = false;
      out.textContent =
        "        - label: \n          rect: [" + rect.join(", ") + "]\n" +
        "# or, with 'units: px' (the picture is " + w + " x " + h + " pixels):\n" +
        "          rect: [" + px.join(", ") + "]\n";
    }

    figure.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      start = at(event);
      if (figure.setPointerCapture) { figure.setPointerCapture(event.pointerId); }
    });
    figure.addEventListener("pointermove", function (event) {
      if (start) { draw(start, at(event)); }
    });
    figure.addEventListener("pointerup", function (event) {
      if (!start) { return; }
      var rect = draw(start, at(event));
      start = null;
      show(rect);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".pv-io-figure[data-aid]"), setup);
})();
