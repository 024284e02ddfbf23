/* The HTML stepper: Previous / Play / Next walk the states that stepper.py wrote as JSON;
   zoom, fit, mouse wheel and drag move the picture (svg-pan-zoom), and every step brings the
   current node into view with its text large enough to read. */
(function () {
  "use strict";
  var LEAST_TEXT_PX = 10;   // the smallest font the camera shows, in screen pixels
  var GOOD_TEXT_PX = 14;    // the font of the current node and its operands when the whole graph is too large
  var LARGEST_TEXT_PX = 18; // a small graph shown whole is not blown up past this
  var MARGIN_PX = 16;       // room kept between what is shown and the picture's edge

  var data = JSON.parse(document.getElementById("stepper-data").textContent);
  var states = data.states;
  var hiddenData = {};
  data.hiddenData.forEach(function (id) { hiddenData[id] = true; });
  var svg = document.querySelector("#graph svg");
  var panZoom = null;
  var position = 0;
  var timer = null;
  var limit = states.length - 1;  // the last state Next reaches (practice mode holds it back until answered)
  var shownData = {};  // id -> the picture's "data ..." text, kept while forward steps hide it
  // layer mode: id -> {grad: line, data: [lines]}, the label lines holding numbers (the network view's)
  var texts = data.texts || {};
  var labels = {};  // id -> the original text of each of its label lines

  function lineAt(id, index) {
    var group = document.getElementById(id);
    return group ? group.querySelectorAll("text")[index] || null : null;
  }

  function prefix(text) {
    // "z = 0.1234" -> "z = "; a line without " = " (a bare value) has none
    var at = text.lastIndexOf(" = ");
    return at < 0 ? "" : text.slice(0, at + 3);
  }

  function unknown(text) {
    // "z = 0.1   a = 0.2" -> "z = ?   a = ?"; a bare value -> "?"
    return text.indexOf(" = ") < 0 ? "?" : text.replace(/ = \S+/g, " = ?");
  }

  function setLine(id, index, known, shown) {
    // line index of node id: shown after its prefix when given, else its original text when known, else ?s
    var text = lineAt(id, index);
    if (!text) { return; }
    var original = labels[id][index];
    text.textContent = shown !== undefined ? prefix(original) + shown : (known ? original : unknown(original));
  }

  Object.keys(texts).forEach(function (id) {
    var group = document.getElementById(id);
    labels[id] = group ? Array.prototype.map.call(group.querySelectorAll("text"), function (t) {
      return t.textContent;
    }) : [];
  });

  function line(id, prefix) {
    var group = document.getElementById(id);
    if (!group) { return null; }
    var texts = group.querySelectorAll("text");
    for (var i = 0; i < texts.length; i++) {
      if (texts[i].textContent.indexOf(prefix) === 0) { return texts[i]; }
    }
    return null;
  }

  data.valueIds.forEach(function (id) {
    var text = line(id, "data ");
    if (text) { shownData[id] = text.textContent; }
  });

  function ensurePanZoom() {
    if (panZoom || !svg || typeof window.svgPanZoom !== "function") { return panZoom !== null; }
    var box = svg.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) { return false; }  // hidden: wait for a resize
    panZoom = window.svgPanZoom(svg, {
      zoomEnabled: true, panEnabled: true, mouseWheelZoomEnabled: true, dblClickZoomEnabled: true,
      fit: true, center: true, minZoom: 0.05, maxZoom: 5000, zoomScaleSensitivity: 0.25
    });
    return true;
  }

  function syncNow() {
    // svg-pan-zoom draws on the next animation frame; draw now so the page is right at once
    var viewport = svg.querySelector(".svg-pan-zoom_viewport");
    if (!panZoom || !viewport) { return; }
    var zoom = panZoom.getSizes().realZoom, pan = panZoom.getPan();
    var matrix = "matrix(" + [zoom, 0, 0, zoom, pan.x, pan.y].join(",") + ")";
    viewport.setAttribute("transform", matrix);
    viewport.style.transform = matrix;
  }

  function contentBox(ids) {
    // the union of the groups' boxes in the picture's own units, and their smallest font there
    var viewport = svg.querySelector(".svg-pan-zoom_viewport");
    var toContent = viewport.getCTM().inverse();
    var box = null, font = Infinity;
    ids.forEach(function (id) {
      var group = document.getElementById(id);
      if (!group || !group.getCTM()) { return; }
      var m = toContent.multiply(group.getCTM()), b = group.getBBox();
      var x0 = m.a * b.x + m.e, y0 = m.d * b.y + m.f;
      var x1 = m.a * (b.x + b.width) + m.e, y1 = m.d * (b.y + b.height) + m.f;
      box = box === null ? { x0: x0, y0: y0, x1: x1, y1: y1 }
        : { x0: Math.min(box.x0, x0), y0: Math.min(box.y0, y0), x1: Math.max(box.x1, x1), y1: Math.max(box.y1, y1) };
      group.querySelectorAll("text").forEach(function (text) {
        var size = parseFloat(text.getAttribute("font-size") || window.getComputedStyle(text).fontSize);
        if (size > 0) { font = Math.min(font, size * Math.abs(m.a)); }
      });
    });
    return box === null ? null : { box: box, font: font === Infinity ? 11 : font };
  }

  function allNodeIds() {
    return Array.prototype.map.call(svg.querySelectorAll(".node"), function (g) { return g.id; })
      .filter(function (id) { return id; });
  }

  function focusIds() {
    // the current state's nodes; a state that highlights nothing: the first node of the picture
    var ids = states[position].highlight;
    if (ids.length) { return ids; }
    var first = svg.querySelector(".node");
    return first && first.id ? [first.id] : [];
  }

  function fitZoom(box) {
    // the zoom (screen pixels per picture unit) at which box fills the picture area, margins kept
    var sizes = panZoom.getSizes();
    return Math.min((sizes.width - 2 * MARGIN_PX) / Math.max(box.x1 - box.x0, 1e-9),
                    (sizes.height - 2 * MARGIN_PX) / Math.max(box.y1 - box.y0, 1e-9));
  }

  function place(box, target, keep) {
    // zoom to target and centre box on each axis where it fits, else show its start (top or left) with a
    // margin; keep (optional): a box moved just into view if that centring leaves it out
    var sizes = panZoom.getSizes();
    var along = function (low, high, size, keepLow, keepHigh) {
      var extent = (high - low) * target;
      var pan = extent <= size - 2 * MARGIN_PX ? (size - extent) / 2 - low * target : MARGIN_PX - low * target;
      if (keepLow !== undefined) {
        pan = Math.min(pan, size - MARGIN_PX - keepHigh * target);  // its far end inside
        pan = Math.max(pan, MARGIN_PX - keepLow * target);          // its start inside, first
      }
      return pan;
    };
    panZoom.zoom(panZoom.getZoom() * target / sizes.realZoom);
    panZoom.pan({
      x: keep ? along(box.x0, box.x1, sizes.width, keep.x0, keep.x1) : along(box.x0, box.x1, sizes.width),
      y: keep ? along(box.y0, box.y1, sizes.height, keep.y0, keep.y1) : along(box.y0, box.y1, sizes.height)
    });
    syncNow();
  }

  function frame() {
    // the camera, on load, after every step and on every resize of the picture area: the whole graph when
    // its text stays >= LEAST_TEXT_PX there; else the current node with its operands, centred (text up to
    // GOOD_TEXT_PX); else (they are too far apart) text at LEAST_TEXT_PX, centred on them as far as the
    // current node stays in view (data-view says which: whole, operands, current, part)
    if (!ensurePanZoom()) { return; }
    panZoom.resize();
    var whole = contentBox(allNodeIds());
    if (whole === null) { return; }
    var zoom = fitZoom(whole.box), view = "whole", box = whole.box, keep = null;
    if (whole.font * zoom >= LEAST_TEXT_PX) {
      zoom = Math.min(zoom, LARGEST_TEXT_PX / whole.font);
    } else {
      var current = contentBox(focusIds()) || whole;
      var both = contentBox(focusIds().concat(states[position].context || [])) || current;
      var fits = fitZoom(both.box);
      if (both.font * fits >= LEAST_TEXT_PX) {
        view = "operands"; box = both.box; zoom = Math.min(fits, GOOD_TEXT_PX / both.font);
      } else {
        // too far apart: text at LEAST_TEXT_PX, centred on them all as far as the current node stays in view
        fits = fitZoom(current.box);
        view = current.font * fits >= LEAST_TEXT_PX ? "current" : "part";
        box = both.box; keep = current.box; zoom = LEAST_TEXT_PX * 1.0005 / Math.min(both.font, current.font);
      }
    }
    place(box, zoom, keep);
    document.body.setAttribute("data-view", view);
    note();
  }

  function note() {
    // say so when some highlighted nodes are out of view (a layer too tall to show whole at a readable size)
    var area = document.getElementById("graph").getBoundingClientRect();
    var ids = states[position].highlight, seen = 0;
    ids.forEach(function (id) {
      var group = document.getElementById(id);
      if (!group) { return; }
      var r = group.getBoundingClientRect();
      if (r.top >= area.top - 1 && r.bottom <= area.bottom + 1 && r.left >= area.left - 1 && r.right <= area.right + 1) {
        seen += 1;
      }
    });
    document.getElementById("view-note").textContent = seen < ids.length
      ? "showing " + seen + " of the " + ids.length + " highlighted nodes, from the top: drag or zoom out for the rest"
      : "";
  }

  function show(k) {
    position = Math.max(0, Math.min(limit, k));
    var state = states[position];
    var grads = {}, fills = {}, revealed = {}, done = {};
    for (var i = 0; i <= position; i++) {
      var s = states[i];
      Object.keys(s.updates).forEach(function (id) { grads[id] = s.updates[id]; fills[id] = s.fills[id]; });
      s.reveal.forEach(function (id) { revealed[id] = true; });
      if (i < position && s.phase === state.phase) { s.highlight.forEach(function (id) { done[id] = true; }); }
    }
    data.valueIds.forEach(function (id) {
      var group = document.getElementById(id);
      if (id in texts) {
        var spec = texts[id];
        if (spec.grad !== undefined) { setLine(id, spec.grad, false, id in grads ? grads[id] : "?"); }
        (spec.data || []).forEach(function (index) { setLine(id, index, !hiddenData[id] || revealed[id]); });
        if (group) {
          group.classList.toggle("known", id in grads);
          group.classList.toggle("unknown", !(id in grads));
          if (id in grads) { group.style.setProperty("--grad-fill", fills[id]); }
        }
        return;
      }
      var grad = line(id, "grad");
      if (grad) { grad.textContent = "grad " + (id in grads ? grads[id] : "?"); }
      var value = line(id, "data ");
      if (value && id in shownData) {
        value.textContent = hiddenData[id] && !revealed[id] ? "data ?" : shownData[id];
      }
      if (group) {
        group.classList.toggle("known", id in grads);
        if (id in grads) { group.style.setProperty("--grad-fill", fills[id]); }
      }
    });
    document.querySelectorAll("#graph .node").forEach(function (group) {
      group.classList.remove("current");
      group.classList.toggle("done", group.id in done);
    });
    state.highlight.forEach(function (id) {
      var group = document.getElementById(id);
      if (group) { group.classList.remove("done"); group.classList.add("current"); }
    });
    document.getElementById("step-title").textContent = state.title;
    fillList("step-rule", state.rule);
    fillList("step-lines", state.lines);
    document.getElementById("position").textContent = "step " + position + " of " + (states.length - 1);
    document.getElementById("prev").disabled = position === 0;
    document.getElementById("next").disabled = position >= limit;
    document.body.setAttribute("data-position", String(position));
    document.body.setAttribute("data-phase", state.phase);
    document.body.classList.toggle("wrong-step", !!state.wrong);  // the naive walk's mistakes, in red
    frame();
  }

  function fillList(id, lines) {
    var list = document.getElementById(id);
    list.textContent = "";
    lines.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      if (text.indexOf("wrong:") === 0 || / wrong$/.test(text)) { item.className = "wrong"; }
      list.appendChild(item);
    });
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    document.getElementById("play").textContent = "Play";
  }

  function play() {
    if (timer !== null) { stop(); return; }
    if (position >= limit) { show(0); }
    document.getElementById("play").textContent = "Pause";
    var interval = Number(document.body.dataset.interval) || 900;
    timer = setInterval(function () {
      show(position + 1);
      if (position >= limit) { stop(); }
    }, interval);
  }

  function zoomBy(action) {
    if (!ensurePanZoom()) { return; }
    if (action === "in") { panZoom.zoomIn(); }
    else if (action === "out") { panZoom.zoomOut(); }
    else { panZoom.resize(); panZoom.fit(); panZoom.center(); }
    syncNow();
  }

  document.getElementById("prev").addEventListener("click", function () { stop(); show(position - 1); });
  document.getElementById("next").addEventListener("click", function () { stop(); show(position + 1); });
  document.getElementById("play").addEventListener("click", play);
  document.getElementById("zoom-in").addEventListener("click", function () { zoomBy("in"); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomBy("out"); });
  document.getElementById("fit").addEventListener("click", function () { zoomBy("fit"); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight" || event.key === "ArrowDown") { stop(); show(position + 1); }
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") { stop(); show(position - 1); }
    else if (event.key === "Home") { stop(); show(0); }
    else if (event.key === "End") { stop(); show(limit); }
    else if (event.key === " ") { play(); }
    else if (event.key === "+" || event.key === "=") { zoomBy("in"); }
    else if (event.key === "-") { zoomBy("out"); }
    else if (event.key === "0") { zoomBy("fit"); }
    else { return; }
    event.preventDefault();
  });
  // a notebook may show the page before it has a size, or change its width: frame again whenever the
  // picture area's size changes
  var lastSize = "";
  function resized() {
    var area = document.getElementById("graph").getBoundingClientRect();
    var size = Math.round(area.width) + "x" + Math.round(area.height);
    if (size !== lastSize) { lastSize = size; frame(); }
  }
  window.addEventListener("resize", resized);
  if (typeof window.ResizeObserver === "function") {
    new window.ResizeObserver(resized).observe(document.getElementById("graph"));
  }
  // practice mode (practice.js) drives the page through these
  window.micrograd_stepper = {
    show: function (k) { stop(); show(k); },
    limit: function () { return limit; },
    setLimit: function (k) { limit = Math.max(0, Math.min(states.length - 1, k)); },
    position: function () { return position; }
  };
  show(0);
})();
