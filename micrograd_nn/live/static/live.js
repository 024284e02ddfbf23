/* micrograd_nn live training page: one front end for the local server, the notebook widget and recorded pages.
 * createLiveView(root, timeline, host) draws everything from the timeline JSON (see micrograd_nn/live/recorder.py)
 * and returns {addSteps(steps), finish(), setStatus(text)}; hosts feed it new steps as training runs.
 * Every number shown is read from a recorded step or computed from its weights (one sample's forward and backward
 * pass, the decision boundary, the accuracy), with the engine's activation rules. Needs uPlot (bundled).
 * The facts kept in Python come in the timeline, not copied here: timeline.page holds the activations and losses
 * there are (nn.ACTIVATIONS, training.losses.LOSSES), the number format (format.py) and the colour scale
 * (colours.py); timeline.labels holds every input's and parameter's label (labels.py). */
"use strict";

function createLiveView(root, timeline, host) {
  host = host || {};
  const page = timeline.page;
  if (!page) throw new Error("micrograd_nn live page: the timeline has no page facts (timeline.page)");
  // The math of each activation rules.OPS holds (code cannot travel in JSON); which activations there are is
  // page.activations. The value a = f(z) and the slope f'(z), written with a where the rule is (tanh: 1 - a^2).
  const ACTIVATION_MATH = {
    relu: [(z) => (z > 0 ? z : 0), (z) => (z > 0 ? 1 : 0)],
    tanh: [Math.tanh, (z, a) => 1 - a * a],
    sigmoid: [(z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))), (z, a) => a * (1 - a)],
    leaky_relu: [(z) => (z > 0 ? z : LEAKY_SLOPE * z), (z) => (z > 0 ? 1 : LEAKY_SLOPE)],
    linear: [(z) => z, () => 1],
  };
  const LEAKY_SLOPE = timeline.architecture ? timeline.architecture.leaky_slope : NaN;  // rules.LEAKY_SLOPE
  const known = (name) => page.activations.includes(name) && Object.hasOwn(ACTIVATION_MATH, name);
  // a network whose every activation the page can compute is drawn as one; any other model as its parameters
  const arch = timeline.architecture && timeline.architecture.activations.every(known) ? timeline.architecture : null;
  const labelsOf = timeline.labels;
  const names = timeline.parameters || [];
  const steps = (timeline.steps || []).slice();
  const data = timeline.data;
  const X = data ? data.X : [];
  const Y = data ? data.y : [];
  const lossName = timeline.loss;
  const running = !!host.live && !timeline.finished;  // a live run still training: play along with it
  const state = {
    index: 0, playing: running, follow: running, sample: 0, selected: null,
    finished: !!timeline.finished, edgeMode: "weight", renders: 0, scheduled: false, pendingForward: false,
  };

  // --- small helpers -------------------------------------------------------------------------------
  const SVGNS = "http://www.w3.org/2000/svg";
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fmt(x, precision) {  // micrograd_nn.format.format_number: `precision` decimals, else scientific
    if (x === null || x === undefined) return "?";
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    const p = precision === undefined ? page.format.precision : precision;
    const a = Math.abs(x);
    if (a === 0) return (0).toFixed(p);  // -0 too
    if (a >= 10 ** -p && a < page.format.scientific_at) return x.toFixed(p);
    const [mantissa, exponent] = x.toExponential(p).split("e");
    const e = Number(exponent);
    return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  function $(id) { return root.querySelector("#" + id); }
  function put(node, name, value) {  // set an attribute only when it changes: fewer style recalculations per step
    const memo = node.__mg || (node.__mg = {});
    if (memo[name] !== value) { memo[name] = value; node.setAttribute(name, value); }
  }
  function putText(node, text) {
    if (node.__mgText !== text) { node.__mgText = text; node.textContent = text; }
  }
  function colour(v, largest, light) {  // micrograd_nn.colours: the level of sqrt(|v| / largest), per sign
    const scale = page.colours, shade = light ? "fill" : "line";
    if (!v || !Number.isFinite(v) || !(largest > 0) || !Number.isFinite(largest)) return scale.neutral[shade];
    const level = Math.round(scale.levels * Math.min(1, Math.sqrt(Math.abs(v) / largest)));
    return scale.stops[shade][v > 0 ? "positive" : "negative"][level];
  }

  // --- the network's numbers, from one step's weights ------------------------------------------------
  function activation(name, z) { return ACTIVATION_MATH[name][0](z); }
  function slope(name, z, a) { return ACTIVATION_MATH[name][1](z, a); }
  const matrixCache = new Map();
  function matrices(step) {  // W[l][j][i], B[l][j] of a step, cached by step object
    if (!arch) return null;
    if (matrixCache.has(step)) return matrixCache.get(step);
    const w = step.weights, W = [], B = [];
    let fanIn = arch.nin;
    arch.sizes.forEach((size, l) => {
      const rows = [], bias = [];
      for (let j = 1; j <= size; j++) {
        const row = [];
        const neuron = labelsOf.neurons[l][j - 1];
        for (let i = 1; i <= fanIn; i++) row.push(w[neuron.weights[i - 1]]);
        rows.push(row);
        bias.push(neuron.bias === null ? 0 : w[neuron.bias]);
      }
      W.push(rows); B.push(bias); fanIn = size;
    });
    const m = { W, B };
    if (matrixCache.size > 400) matrixCache.clear();
    matrixCache.set(step, m);
    return m;
  }
  function forward(m, x) {
    const zs = [], as = [];
    let input = x;
    m.W.forEach((rows, l) => {
      const act = arch.activations[l], z = [], a = [];
      rows.forEach((row, j) => {
        let s = m.B[l][j];
        for (let i = 0; i < row.length; i++) s += row[i] * input[i];
        z.push(s); a.push(activation(act, s));
      });
      zs.push(z); as.push(a); input = a;
    });
    return { zs, as, out: input };
  }
  // The math of each loss in micrograd_nn.training.losses, for one sample alone: an entry's loss and its slope
  // d/ds for output s, target y, k outputs (softmax_cross_entropy takes the whole output and a class index).
  // Which losses there are is page.losses; one without math here shows no per-sample numbers.
  const LOSS_MATH = {
    hinge: [(s, y, k) => Math.max(0, 1 - y * s) / k, (s, y, k) => (1 - y * s > 0 ? -y / k : 0)],
    mse: [(s, y, k) => (s - y) ** 2 / k, (s, y, k) => 2 * (s - y) / k],
    sse: [(s, y) => (s - y) ** 2, (s, y) => 2 * (s - y)],
    half_sse: [(s, y) => (s - y) ** 2 / 2, (s, y) => s - y],
    binary_cross_entropy: [(s, y, k) => -(y * Math.log(s) + (1 - y) * Math.log(1 - s)) / k,
      (s, y, k) => (-y / s + (1 - y) / (1 - s)) / k],
    binary_cross_entropy_with_logits: [(s, y, k) => (Math.max(s, 0) + Math.log1p(Math.exp(-Math.abs(s))) - s * y) / k,
      (s, y, k) => (activation("sigmoid", s) - y) / k],
  };
  const SOFTMAX = "softmax_cross_entropy";
  const lossMath = page.losses.includes(lossName) ? LOSS_MATH[lossName] : undefined;
  function targetVector(t, k) {
    if (Array.isArray(t)) return t;
    if (lossName === SOFTMAX) return null;
    return k === 1 ? [t] : null;
  }
  function lossSlope(out, t) {  // d(this sample's loss alone)/d(output), as micrograd_nn.training.losses defines it
    const k = out.length;
    if (lossName === SOFTMAX) {
      const m = Math.max(...out), e = out.map((z) => Math.exp(z - m)), s = e.reduce((p, q) => p + q, 0);
      return e.map((v, c) => v / s - (c === t ? 1 : 0));
    }
    const tv = targetVector(t, k);
    if (!tv || !lossMath) return null;
    return out.map((s, c) => lossMath[1](s, tv[c], k));
  }
  function sampleLoss(out, t) {  // this sample's loss alone, as micrograd_nn.training.losses defines it
    const k = out.length;
    if (lossName === SOFTMAX) {
      const m = Math.max(...out);
      return m + Math.log(out.reduce((s, z) => s + Math.exp(z - m), 0)) - out[t];
    }
    const tv = targetVector(t, k);
    if (!tv || !lossMath) return null;
    return out.reduce((total, s, c) => total + lossMath[0](s, tv[c], k), 0);
  }
  function backward(m, fw, t) {  // dloss/dz of every neuron for one sample
    const last = m.W.length - 1;
    const da = lossSlope(fw.out, t);
    if (!da || da.some(Number.isNaN)) return null;
    const dzs = new Array(m.W.length);
    let upstream = da;
    for (let l = last; l >= 0; l--) {
      const act = arch.activations[l];
      const dz = fw.zs[l].map((z, j) => upstream[j] * slope(act, z, fw.as[l][j]));
      dzs[l] = dz;
      if (l > 0) {
        const prev = new Array(m.W[l][0].length).fill(0);
        m.W[l].forEach((row, j) => row.forEach((w, i) => { prev[i] += w * dz[j]; }));
        upstream = prev;
      }
    }
    return dzs;
  }
  const outputs = arch ? arch.sizes[arch.sizes.length - 1] : 0;
  const labelsPm = Y.length && Y.every((v) => v === 1 || v === -1);
  const labels01 = Y.length && Y.every((v) => v === 0 || v === 1);
  const rule = (() => {  // how an output becomes a class, as the rules of micrograd_nn.training.train.accuracy
    if (!arch || !data) return null;
    if (lossName === "softmax_cross_entropy" || (outputs > 1 && Y.every(Array.isArray))) return "argmax";
    if (outputs !== 1) return null;
    if (lossName === "hinge" || labelsPm) return "sign";
    if (lossName === "binary_cross_entropy") return "threshold";
    if (lossName === "binary_cross_entropy_with_logits") return "logit";
    if (labels01) return "threshold";
    return null;
  })();
  function predictedClass(out) {
    if (rule === "argmax") return out.indexOf(Math.max(...out));
    if (rule === "sign") return out[0] > 0 ? 1 : -1;
    if (rule === "threshold") return out[0] > 0.5 ? 1 : 0;
    if (rule === "logit") return out[0] > 0 ? 1 : 0;
    return null;
  }
  function trueClass(t) {
    if (rule === "argmax") return Array.isArray(t) ? t.indexOf(Math.max(...t)) : t;
    if (rule === "sign") return t > 0 ? 1 : -1;
    return t > 0.5 ? 1 : 0;
  }
  const accuracyCache = new Map();
  function accuracy(step) {
    if (!rule) return null;
    if (accuracyCache.has(step)) return accuracyCache.get(step);
    const m = matrices(step);
    let hits = 0;
    X.forEach((x, i) => { if (predictedClass(forward(m, x).out) === trueClass(Y[i])) hits += 1; });
    const result = hits / X.length;
    accuracyCache.set(step, result);
    return result;
  }

  // --- the page's parts ----------------------------------------------------------------------------
  root.classList.add("mg-live");
  root.innerHTML = "";
  const bar = el("header", { class: "mg-bar" });
  bar.append(el("h1", { class: "mg-title", title: host.title || "Training, live" }, host.title || "Training, live"));
  const play = el("button", { id: "play", type: "button", title: "play / pause (space)" }, "Play");
  const forwardButton = el("button", { id: "step-forward", type: "button", title: "one step forward (→)" }, "Step ▸");
  const slider = el("input", { id: "timeline", type: "range", min: "0", max: "0", step: "1", value: "0",
    "aria-label": "recorded step" });
  const followBox = el("input", { id: "follow", type: "checkbox" });
  const followLabel = el("label", { class: "mg-follow", title: "always show the newest step" });
  followLabel.append(followBox, document.createTextNode(" follow"));
  const stepStat = el("span", { class: "mg-stat" });
  stepStat.append("step ", el("b", { id: "step-number" }, "–"), el("span", { id: "step-count" }, ""));
  const lossStat = el("span", { class: "mg-stat" });
  lossStat.append("loss ", el("b", { id: "loss-value" }, "–"));
  const status = el("span", { id: "status", class: "mg-status" }, "");
  bar.append(play, forwardButton, slider, followLabel, stepStat, lossStat, status);
  const main = el("div", { class: "mg-main" });
  const netPanel = el("section", { class: "mg-net-panel" });
  const tools = el("div", { class: "mg-tools" });
  const sampleSelect = el("select", { id: "sample", "aria-label": "sample shown in the network" });
  X.forEach((x, i) => {
    const t = Y[i];
    sampleSelect.append(el("option", { value: String(i) },
      `sample ${i}: x = (${x.map((v) => fmt(v, 3)).join(", ")}), y = ${Array.isArray(t) ? "[" + t.join(", ") + "]" : t}`));
  });
  const edgeSelect = el("select", { id: "edge-mode", "aria-label": "what the edges show" });
  edgeSelect.append(el("option", { value: "weight" }, "colours: weights"),
    el("option", { value: "grad" }, "colours: gradients dL/dw"));
  if (data && arch) tools.append(el("label", { for: "sample" }, "Sample "), sampleSelect);
  tools.append(edgeSelect);
  tools.append(el("span", { class: "mg-help" }, arch
    ? "neuron: z = w·x + b, a = act(z), dL/dz of the chosen sample's loss; edges and each neuron's cells (weights, " +
      "then bias): blue > 0, red < 0, stronger = larger. Click a weight for its history."
    : "the model's parameters (blue > 0, red < 0, stronger = larger): click one for its history"));
  const network = el("div", { id: "network", class: "mg-network" });
  netPanel.append(tools, network);
  const side = el("aside", { class: "mg-side" });
  const lossChart = el("div", { id: "loss-chart", class: "mg-chart" });
  const row = el("div", { class: "mg-row" });
  const numbers = el("div", { id: "numbers", class: "mg-numbers" });
  let boundary = null;
  if (arch && data && arch.nin === 2) {
    boundary = el("canvas", { id: "boundary", width: "220", height: "220",
      title: "decision boundary over the data; click a point to choose that sample" });
    row.append(boundary);
  }
  row.append(numbers);
  const weightChart = el("div", { id: "weight-chart", class: "mg-weight-chart" });
  weightChart.hidden = true;
  const weightHead = el("div", { class: "mg-wc-head" });
  const weightTitle = el("span", { class: "mg-wc-title" });
  const weightClose = el("button", { type: "button", class: "mg-wc-close", title: "close" }, "×");
  weightHead.append(weightTitle, weightClose);
  const weightPlot = el("div", { class: "mg-wc-plot" });
  weightChart.append(weightHead, weightPlot);
  side.append(lossChart, row, weightChart);
  main.append(netPanel, side);
  root.append(bar, main);

  // --- the network drawing -------------------------------------------------------------------------
  const drawn = { edges: new Map(), cells: new Map(), neurons: [], inputs: [] };
  // Box widths grow with their text: 6 px each side of the longest line a box has shown (monospace: its characters
  // times one character's width), so a long number such as x1 = -0.05348 never touches its box's edge.
  const widths = { input: 92, neuron: 194 };
  let charWidth = 0;
  function measureChar() {  // one character of the network's 11 px monospace font, measured once
    const ruler = svg("svg", { width: 0, height: 0, class: "mg-net-svg" });
    const probe = svg("text", {}, "0123456789-.e");
    ruler.append(probe);
    network.append(ruler);
    const measured = probe.getComputedTextLength() / 13;
    ruler.remove();
    return measured > 0 ? measured : 6.7;  // not laid out (a hidden notebook cell): about 0.6 em
  }
  function fitted(kind, texts) {  // true when texts fit the boxes of this kind; else widens them (redraw needed)
    if (!charWidth) charWidth = measureChar();
    const longest = Math.max(...texts.map((t) => t.length));
    const needed = Math.ceil(longest * charWidth) + 12;
    if (needed <= widths[kind]) return true;
    widths[kind] = needed;
    return false;
  }
  function buildNetwork() {
    network.innerHTML = "";
    drawn.edges.clear(); drawn.cells.clear(); drawn.neurons = []; drawn.inputs = [];
    if (!arch) {  // any other model: its parameters as cells
      const w = Math.max(96, 7 * Math.max(...names.map((n) => n.length)) + 70), h = 30;
      const cols = Math.max(1, Math.min(Math.floor(760 / (w + 6)), Math.ceil(Math.sqrt(names.length * 2))));
      const s = svg("svg", { width: cols * (w + 6) + 6, height: Math.ceil(names.length / cols) * (h + 6) + 6 });
      names.forEach((name, k) => {
        const x = 6 + (k % cols) * (w + 6), y = 6 + Math.floor(k / cols) * (h + 6);
        const cell = svg("rect", { x, y, width: w, height: h, rx: 4, class: "mg-cell mg-param", "data-weight": name });
        const title = svg("title"); cell.append(title);
        const text = svg("text", { x: x + 5, y: y + 19, class: "mg-param-text" }, name);
        s.append(cell, text);
        drawn.cells.set(name, { cell, title, text, label: name, base: "mg-cell mg-param" });
      });
      network.append(s);
      return;
    }
    const columns = [arch.nin, ...arch.sizes];
    const availableH = Math.max(260, (network.clientHeight || 660) - 6);
    const availableW = Math.max(400, (network.clientWidth || 800) - 6);
    // each column's slot: as much as fits, at least 16 px an input (one line) and 40 px a neuron (two lines and its
    // cells); a column that does not fit scrolls, its text staying 11 px
    const slots = columns.map((n, c) => Math.min(60, Math.max(c === 0 ? 16 : 40, availableH / n)));
    const boxHs = slots.map((slot, c) => (c === 0 ? Math.min(34, slot - 3) : Math.min(42, slot - 5)));
    const inputW = widths.input, boxW = widths.neuron;
    const gap = Math.max(40, Math.min(140, (availableW - 8 - inputW - arch.sizes.length * boxW) / arch.sizes.length));
    const width = inputW + arch.sizes.length * (boxW + gap) + 8;
    const height = Math.max(...columns.map((n, c) => n * slots[c])) + 8;
    const shown = Math.min(availableH, height - 8);  // columns are centred in the part seen on load
    const boxH = boxHs[1];
    const s = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "mg-net-svg" });
    const edgeLayer = svg("g", { class: "mg-edges" }), nodeLayer = svg("g", { class: "mg-nodes" });
    s.append(edgeLayer, nodeLayer);
    const colX = (c) => (c === 0 ? 4 : 4 + inputW + gap + (c - 1) * (boxW + gap));
    const rowY = (c, j) => 4 + Math.max(0, (shown - columns[c] * slots[c]) / 2) + j * slots[c] + (slots[c] - boxHs[c]) / 2;
    for (let i = 0; i < arch.nin; i++) {
      const x = colX(0), y = rowY(0, i);
      const g = svg("g", { class: "mg-input", "data-input": labelsOf.inputs[i] });
      if (boxHs[0] >= 20) g.append(svg("rect", { x, y, width: inputW, height: boxHs[0], rx: 6 }));  // dense: text only
      const t = svg("text", { x: x + 6, y: y + boxHs[0] / 2 + 4 }, labelsOf.inputs[i]);
      g.append(t);
      nodeLayer.append(g);
      drawn.inputs.push({ text: t, x: x + inputW, y: y + boxHs[0] / 2 });
    }
    let sources = drawn.inputs.map((n) => ({ x: n.x, y: n.y }));
    arch.sizes.forEach((size, l) => {
      const layer = [];
      for (let j = 0; j < size; j++) {
        const neuron = labelsOf.neurons[l][j], x = colX(l + 1), y = rowY(l + 1, j), key = neuron.key;
        const g = svg("g", { class: "mg-neuron", "data-neuron": key });
        const box = svg("rect", { x, y, width: boxW, height: boxH, rx: 6, class: "mg-box" });
        const line1 = svg("text", { x: x + 6, y: y + 13 });
        const line2 = svg("text", { x: x + 6, y: y + 26 });
        const title = svg("title");
        g.append(title, box, line1, line2);
        const fanIn = sources.length, cellsW = boxW - 12, cellW = cellsW / (fanIn + (arch.bias ? 1 : 0));
        sources.forEach((src, i) => {
          const label = neuron.weights[i];
          const portY = y + 4 + (boxH - 8) * (fanIn === 1 ? 0.5 : i / (fanIn - 1));
          const edge = svg("line", { x1: src.x, y1: src.y, x2: x, y2: portY, class: "mg-edge", "data-edge": label });
          edgeLayer.append(edge);
          const cell = svg("rect", { x: x + 6 + i * cellW, y: y + boxH - 9, width: Math.max(1, cellW - 0.6), height: 6,
            class: "mg-cell", "data-weight": label });
          const cellTitle = svg("title"); cell.append(cellTitle);
          g.append(cell);
          drawn.cells.set(label, { cell, title: cellTitle, edge, label, base: "mg-cell" });
          edge.addEventListener("click", () => selectWeight(label));
        });
        if (neuron.bias !== null) {
          const label = neuron.bias;
          const cell = svg("rect", { x: x + 6 + fanIn * cellW + 1, y: y + boxH - 9, width: Math.max(1, cellW - 1.6), height: 6,
            class: "mg-cell mg-bias", "data-weight": label });
          const cellTitle = svg("title"); cell.append(cellTitle);
          g.append(cell);
          drawn.cells.set(label, { cell, title: cellTitle, edge: null, label, base: "mg-cell mg-bias" });
        }
        nodeLayer.append(g);
        layer.push({ g, box, line1, line2, title, key, act: arch.activations[l] });
      }
      drawn.neurons.push(layer);
      sources = layer.map((n, j) => ({ x: colX(l + 1) + boxW, y: rowY(l + 1, j) + boxH / 2 }));
    });
    network.append(s);
  }
  network.addEventListener("click", (event) => {
    const target = event.target.closest ? event.target.closest("[data-weight]") : null;
    if (target) selectWeight(target.getAttribute("data-weight"));
  });

  function networkTexts(step) {  // the chosen sample's forward and backward pass, and every box's lines of text
    let fw = null, dzs = null, inputs = [];
    if (data) {
      const m = matrices(step), x = X[state.sample];
      fw = forward(m, x);
      dzs = backward(m, fw, Y[state.sample]);
      inputs = x.map((v, i) => `${labelsOf.inputs[i]} = ${fmt(v)}`);
    }
    const lines = drawn.neurons.map((layer, l) => layer.map((n, j) => (fw
      ? [`${n.key} z ${fmt(fw.zs[l][j], 3)} a ${fmt(fw.as[l][j], 3)}`, `${n.act} dL/dz ${fmt(dzs ? dzs[l][j] : null, 3)}`]
      : [`${n.key} ${n.act}`, "choose data to see z, a"])));
    return { fw, dzs, inputs, lines };
  }
  function drawNetwork(step) {
    let texts = arch ? networkTexts(step) : null;
    if (texts) {
      const inputsFit = !texts.inputs.length || fitted("input", texts.inputs);
      const neuronsFit = fitted("neuron", texts.lines.flat(2));
      if (!inputsFit || !neuronsFit) {  // a longer number than any before: wider boxes, drawn anew
        buildNetwork();
        texts = networkTexts(step);
      }
    }
    const values = state.edgeMode === "grad" ? step.grads : step.weights;
    let largest = 0;
    for (const name of names) largest = Math.max(largest, Math.abs(values[name]) || 0);
    for (const [name, d] of drawn.cells) {
      const w = step.weights[name], g = step.grads[name], v = values[name];
      put(d.cell, "fill", colour(v, largest, false));
      put(d.cell, "data-value", String(w));
      put(d.cell, "data-grad", String(g));
      putText(d.title, `${name} = ${fmt(w, 6)}, dL/d${name} = ${fmt(g, 6)}`);
      if (d.text) putText(d.text, `${name} ${fmt(v)}`);
      put(d.cell, "class", name === state.selected ? d.base + " mg-selected" : d.base);
      if (d.edge) {
        const strength = largest ? Math.abs(v) / largest : 0;
        put(d.edge, "stroke", colour(v, largest, false));
        put(d.edge, "stroke-width", (0.6 + 0.4 * Math.round(8.5 * strength)).toFixed(1));
        put(d.edge, "stroke-opacity", (0.25 + 0.05 * Math.round(13 * Math.sqrt(strength))).toFixed(2));
        put(d.edge, "class", name === state.selected ? "mg-edge mg-selected" : "mg-edge");
      }
    }
    if (!texts) return;
    const { fw, dzs, inputs, lines } = texts;
    drawn.inputs.forEach((n, i) => { if (inputs.length) putText(n.text, inputs[i]); });
    let largestDz = 0;
    if (dzs) dzs.forEach((layer) => layer.forEach((v) => { largestDz = Math.max(largestDz, Math.abs(v)); }));
    drawn.neurons.forEach((layer, l) => layer.forEach((n, j) => {
      putText(n.line1, lines[l][j][0]);
      putText(n.line2, lines[l][j][1]);
      if (!fw) return;
      const z = fw.zs[l][j], a = fw.as[l][j], dz = dzs ? dzs[l][j] : null;
      put(n.box, "fill", colour(dz, largestDz, true));  // no dL/dz (null): the neutral colour
      put(n.g, "data-z", String(z));
      put(n.g, "data-a", String(a));
      put(n.g, "data-dz", String(dz));
      putText(n.title, `${n.key}: z = ${z}, a = ${n.act}(z) = ${a}, dL/dz = ${dz} (sample ${state.sample}'s loss)`);
    }));
  }

  // --- the charts ----------------------------------------------------------------------------------
  const hasUPlot = typeof uPlot !== "undefined";
  let lossPlot = null, weightPlotChart = null;
  function cursorLine(u) {  // the shown step as a vertical line
    const step = steps[state.index];
    if (!step) return;
    const x = Math.round(u.valToPos(step.step, "x", true));
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = "#e8590c"; ctx.lineWidth = 2 * (window.devicePixelRatio || 1);
    ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
    ctx.restore();
  }
  function lossSeries() {
    const xs = steps.map((s) => s.step), ls = steps.map((s) => s.loss);
    const out = [xs, ls];
    if (rule) out.push(steps.map((s) => accuracy(s)));
    return out;
  }
  function weightSeries(name) {
    return [steps.map((s) => s.step), steps.map((s) => s.weights[name]), steps.map((s) => s.grads[name])];
  }
  function chartWidth(node, fallback) { return Math.max(240, (node.clientWidth || fallback) - 4); }
  function buildCharts() {
    if (!hasUPlot) { lossChart.textContent = "(chart library missing)"; return; }
    const series = [{ label: "step" }, { label: "loss", stroke: "#1c7ed6", width: 2, value: (u, v) => fmt(v, 6) }];
    const axes = [{ label: "step", size: 36 }, { label: "loss", size: 56, stroke: "#1c7ed6" }];
    if (rule) {
      series.push({ label: "accuracy", stroke: "#2f9e44", width: 1.5, scale: "acc", value: (u, v) => v === null ? "–" : (100 * v).toFixed(1) + "%" });
      axes.push({ label: "accuracy", scale: "acc", side: 1, size: 50, stroke: "#2f9e44", grid: { show: false }, values: (u, vs) => vs.map((v) => (100 * v).toFixed(0) + "%") });
    }
    lossPlot = new uPlot({
      width: chartWidth(lossChart, 440), height: 190, title: "loss" + (rule ? " and accuracy" : "") + " per step",
      scales: { x: { time: false }, acc: { range: [0, 1] } }, series, axes, legend: { show: false },
      hooks: { draw: [cursorLine] },
    }, lossSeries(), lossChart);
  }
  function selectWeight(name) {
    state.selected = name;
    weightChart.hidden = false;
    weightTitle.textContent = `${name}: value (blue) and dL/dw (red) at every recorded step`;
    if (hasUPlot) {
      const wdata = weightSeries(name);
      if (weightPlotChart) weightPlotChart.destroy();
      weightPlotChart = new uPlot({
        width: chartWidth(weightChart, 440), height: 150, scales: { x: { time: false } }, legend: { show: false },
        series: [{ label: "step" }, { label: name, stroke: "#1c7ed6", width: 2, value: (u, v) => fmt(v, 6) },
          { label: "dL/d" + name.split(".").pop(), stroke: "#e03131", width: 1.5, scale: "g", value: (u, v) => fmt(v, 6) }],
        axes: [{ size: 30 }, { size: 56, stroke: "#1c7ed6" }, { scale: "g", side: 1, size: 56, stroke: "#e03131", grid: { show: false } }],
        hooks: { draw: [cursorLine] },
      }, wdata, weightPlot);
    }
    schedule();
  }
  weightClose.addEventListener("click", () => { weightChart.hidden = true; state.selected = null; schedule(); });

  // --- decision boundary ---------------------------------------------------------------------------
  let bounds = null;
  if (boundary) {
    const xs = X.map((p) => p[0]), ys = X.map((p) => p[1]);
    const pad = (lo, hi) => { const d = (hi - lo || 1) * 0.12; return [lo - d, hi + d]; };
    bounds = { x: pad(Math.min(...xs), Math.max(...xs)), y: pad(Math.min(...ys), Math.max(...ys)) };
    boundary.addEventListener("click", (event) => {
      const r = boundary.getBoundingClientRect();
      const px = (event.clientX - r.left) / r.width, py = (event.clientY - r.top) / r.height;
      const gx = bounds.x[0] + px * (bounds.x[1] - bounds.x[0]), gy = bounds.y[1] - py * (bounds.y[1] - bounds.y[0]);
      let best = 0, dist = Infinity;
      X.forEach((p, i) => { const d = (p[0] - gx) ** 2 + (p[1] - gy) ** 2; if (d < dist) { dist = d; best = i; } });
      chooseSample(best);
    });
  }
  const PALETTE = ["#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f59f00", "#0ca678", "#d6336c", "#495057"];
  function classColour(c) {
    if (rule === "sign") return c > 0 ? PALETTE[0] : PALETTE[1];
    return PALETTE[((c % PALETTE.length) + PALETTE.length) % PALETTE.length];
  }
  function drawBoundary(step) {
    if (!boundary) return;
    const ctx = boundary.getContext("2d"), W = boundary.width, H = boundary.height, n = 55;
    const m = matrices(step), cw = W / n, ch = H / n;
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, W, H);
    const toPx = (p) => [(p[0] - bounds.x[0]) / (bounds.x[1] - bounds.x[0]) * W, (bounds.y[1] - p[1]) / (bounds.y[1] - bounds.y[0]) * H];
    let values = [], largest = 0;
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
      const x = [bounds.x[0] + (c + 0.5) / n * (bounds.x[1] - bounds.x[0]), bounds.y[1] - (r + 0.5) / n * (bounds.y[1] - bounds.y[0])];
      const out = forward(m, x).out;
      values.push(out);
      if (!rule) largest = Math.max(largest, Math.abs(out[0]));
    }
    values.forEach((out, k) => {
      const r = Math.floor(k / n), c = k % n;
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = rule ? classColour(predictedClass(out)) : colour(out[0], largest, false);
      ctx.fillRect(c * cw, r * ch, cw + 0.5, ch + 0.5);
    });
    ctx.globalAlpha = 1;
    X.forEach((p, i) => {
      const [px, py] = toPx(p);
      ctx.beginPath(); ctx.arc(px, py, i === state.sample ? 5.5 : 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = rule ? classColour(trueClass(Y[i])) : colour(Array.isArray(Y[i]) ? Y[i][0] : Y[i], 1, false);
      ctx.fill();
      ctx.lineWidth = i === state.sample ? 2.5 : 0.8; ctx.strokeStyle = i === state.sample ? "#000" : "#fff"; ctx.stroke();
    });
  }

  // --- the step's numbers --------------------------------------------------------------------------
  function drawNumbers(step) {
    const acc = accuracy(step);
    const top = names.map((name) => [name, step.grads[name]]).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, 5);
    numbers.innerHTML = "";
    const add = (label, value) => { const p = el("div"); p.append(el("span", { class: "mg-k" }, label), el("span", { class: "mg-v" }, value)); numbers.append(p); };
    add("loss", fmt(step.loss, 8));
    if (timeline.l2) add("l2", `${timeline.l2} · Σp² included`);
    add("learning rate", step.lr === null || step.lr === undefined ? "–" : fmt(step.lr, 6));
    if (acc !== null) add("accuracy", (100 * acc).toFixed(1) + "%");
    numbers.append(el("div", { class: "mg-sub" }, "largest gradients |dL/dp|"));
    top.forEach(([name, g]) => add(name, fmt(g, 4)));
    if (arch && data) {
      const fw = forward(matrices(step), X[state.sample]);
      numbers.append(el("div", { class: "mg-sub" }, `sample ${state.sample}`));
      add("output", fw.out.map((v) => fmt(v)).join(", "));
      add("target", Array.isArray(Y[state.sample]) ? Y[state.sample].join(", ") : String(Y[state.sample]));
      const own = sampleLoss(fw.out, Y[state.sample]);
      if (own !== null) add(`its ${lossName} loss`, fmt(own, 6));
    }
  }

  // --- showing a step, playing ---------------------------------------------------------------------
  let renderedKey = null;
  const LIVE_RATE = 8;  // at most this many redraws a second for arriving steps, so the page leaves training its CPU
  let lastRender = 0, waiting = false, chartsStale = false;
  function render() {
    state.scheduled = false;
    lastRender = performance.now();
    if (state.playing && state.follow) state.index = Math.max(0, steps.length - 1);
    if (chartsStale) {
      chartsStale = false;
      if (lossPlot) lossPlot.setData(lossSeries(), true);
      if (weightPlotChart && state.selected) weightPlotChart.setData(weightSeries(state.selected), true);
    }
    const step = steps[state.index];
    slider.max = String(Math.max(0, steps.length - 1));
    slider.value = String(state.index);
    $("step-count").textContent = steps.length ? ` / ${steps[steps.length - 1].step}` : " (none yet)";
    play.textContent = state.playing ? "Pause" : "Play";
    play.setAttribute("aria-pressed", state.playing ? "true" : "false");
    followBox.checked = state.follow;
    if (!step) return;
    const key = [state.index, state.sample, state.edgeMode, state.selected].join("|");
    if (key === renderedKey) return;  // only the controls changed (a step arrived while the view looks back)
    renderedKey = key;
    const started = performance.now();
    $("step-number").textContent = String(step.step);
    $("loss-value").textContent = fmt(step.loss);  // the views' one number format; every digit in data-value
    $("loss-value").setAttribute("data-value", String(step.loss));
    $("loss-value").setAttribute("title", `loss at step ${step.step}: ${step.loss}`);
    drawNetwork(step);
    drawBoundary(step);
    drawNumbers(step);
    if (lossPlot) lossPlot.redraw(false, false);
    if (weightPlotChart) {
      weightPlotChart.redraw(false, false);
      weightTitle.textContent = `${state.selected}: value (blue) and dL/dw (red) per step; at step ${step.step}: w = ` +
        `${fmt(step.weights[state.selected], 6)}, dL/dw ${fmt(step.grads[state.selected], 6)}`;
    }
    root.setAttribute("data-render-ms", (performance.now() - started).toFixed(1));
    state.renders += 1;
    root.setAttribute("data-renders", String(state.renders));
    root.setAttribute("data-shown-step", String(step.step));
  }
  function schedule() {  // redraw at the next frame (after the learner did something)
    if (state.scheduled) return;
    state.scheduled = true;
    requestAnimationFrame(render);
  }
  function scheduleLive() {  // redraw for arriving steps, at most LIVE_RATE times a second
    if (state.scheduled || waiting) return;
    const wait = lastRender + 1000 / LIVE_RATE - performance.now();
    if (wait <= 0) { schedule(); return; }
    waiting = true;
    setTimeout(() => { waiting = false; schedule(); }, wait);
  }
  function show(index) {
    state.index = Math.max(0, Math.min(steps.length - 1, index));
    schedule();
  }
  function chooseSample(i) { state.sample = i; sampleSelect.value = String(i); schedule(); }
  let timer = null;
  function tick() {
    if (!state.playing || !steps.length) return;
    const last = steps.length - 1;
    if (state.follow) scheduleLive();  // render() shows the newest step
    else if (state.index < last) show(state.index + 1);
    else if (state.finished) setPlaying(false);
  }
  function setPlaying(on) {
    state.playing = on;
    if (on) state.pendingForward = false;
    if (timer) { clearInterval(timer); timer = null; }
    if (on) timer = setInterval(tick, host.interval || 100);
    schedule();
  }
  play.addEventListener("click", () => {
    if (!state.playing && state.finished && state.index >= steps.length - 1) {  // a finished run replays from step 0
      state.follow = false;
      state.index = 0;
    }
    setPlaying(!state.playing);
  });
  forwardButton.addEventListener("click", () => {
    setPlaying(false);
    state.follow = false;
    if (state.index < steps.length - 1) show(state.index + 1);
    else if (!state.finished) state.pendingForward = true;  // at the newest step of a live run: show the next one
  });
  for (const kind of ["input", "change"]) {
    slider.addEventListener(kind, () => {
      state.follow = false; state.pendingForward = false; setPlaying(false); show(Number(slider.value));
    });
  }
  followBox.addEventListener("change", () => {
    state.follow = followBox.checked;
    if (state.follow) { show(steps.length - 1); setPlaying(!state.finished); } else schedule();
  });
  sampleSelect.addEventListener("change", () => chooseSample(Number(sampleSelect.value)));
  edgeSelect.addEventListener("change", () => { state.edgeMode = edgeSelect.value; schedule(); });
  root.addEventListener("keydown", (event) => {
    if (event.target.tagName === "SELECT" || event.target.tagName === "INPUT" && event.target.type !== "checkbox") return;
    if (event.key === " ") { event.preventDefault(); play.click(); }
    if (event.key === "ArrowRight") { event.preventDefault(); forwardButton.click(); }
    if (event.key === "ArrowLeft") {
      event.preventDefault(); setPlaying(false); state.follow = false; state.pendingForward = false; show(state.index - 1);
    }
  });
  if (!root.hasAttribute("tabindex")) root.setAttribute("tabindex", "-1");

  function setStatus(text) { status.textContent = text; }
  function describe() {
    if (state.finished) return host.live ? "training finished" : "recorded run";
    return host.live ? "training…" : "recording";
  }
  function addSteps(more) {
    let added = false;
    for (const step of more) {
      if (steps.length && step.step <= steps[steps.length - 1].step) continue;  // a resent step
      steps.push(step); added = true;
    }
    if (!added) return;
    chartsStale = true;
    if (state.pendingForward) { state.pendingForward = false; state.index += 1; }
    scheduleLive();
  }
  function finish() {  // training ended: a view that followed it stops at the last step, its button saying Play
    state.finished = true;
    setStatus(describe());
    if (state.follow) { state.follow = false; state.index = steps.length - 1; setPlaying(false); } else schedule();
  }

  buildNetwork();
  buildCharts();
  setStatus(describe());
  if (data && arch) chooseSample(0);
  if (host.live) show(steps.length - 1); else show(0);
  setPlaying(state.playing);
  window.addEventListener("resize", () => {
    if (lossPlot) lossPlot.setSize({ width: chartWidth(lossChart, 440), height: 190 });
  });
  return { addSteps, finish, setStatus, state };
}
