/* Practice mode (predict, then see): the stepper holds each step back until the learner has typed the
   derivatives it reveals.  practice.py wrote the questions as JSON (#practice-data): for each, the answer
   backward() computed, the likely wrong answers with a hint aimed at each mistake, the rule to apply, the
   worked lines of the explain view, and the page state it holds back (gate).  Runs after stepper.js and
   drives it through window.micrograd_stepper. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("practice-data").textContent);
  var questions = data.questions;
  var stepper = window.micrograd_stepper;
  var $ = function (id) { return document.getElementById(id); };
  var box = $("question"), answer = $("answer"), hint = $("hint"), showMe = $("show-me");
  var current = 0;
  var records = [];

  function fresh() {
    records = questions.map(function () { return { tries: [], right: false, shownMe: false, done: false }; });
    current = 0;
  }

  function parse(text) {
    // a number as a learner types it: "-0.25", "−0.25" (a typographic minus), "1.5e-3", "0,5"; null if not one
    var t = text.trim().replace(/[\u2212\u2013]/g, "-").replace(/\s+/g, "");
    if (t.indexOf(",") >= 0 && t.indexOf(".") < 0) { t = t.replace(",", "."); }
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) { return null; }
    return Number(t);
  }

  function close(x, y, tolerance) {
    return Math.abs(x - y) <= tolerance * (1 + 1e-9) + 1e-300;
  }

  function mistakeOf(q, x) {
    // the nearest likely wrong answer that x matches at its shown precision, or null
    var best = null;
    q.wrong.forEach(function (w) {
      if (close(x, w.value, w.tolerance) && (best === null || Math.abs(x - w.value) < Math.abs(x - best.value))) {
        best = w;
      }
    });
    return best;
  }

  function say(text, mistake) {
    hint.textContent = text;
    if (mistake) { hint.setAttribute("data-mistake", mistake); } else { hint.removeAttribute("data-mistake"); }
  }

  function fillList(id, lines) {
    var list = $(id);
    list.textContent = "";
    lines.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
  }

  function mark(ids) {
    document.querySelectorAll("#graph .node.asked").forEach(function (g) { g.classList.remove("asked"); });
    ids.forEach(function (id) {
      var group = document.getElementById(id) || document.querySelector('#graph .node[id$=".' + id + '"]');
      if (group) { group.classList.add("asked"); }
    });
  }

  function score() {
    var answered = records.filter(function (r) { return r.done; }).length;
    var first = records.filter(function (r) { return r.done && r.right && r.tries.length === 1; }).length;
    var el = $("score");
    el.textContent = "Score: " + first + " / " + answered + " right first time" +
      (answered < questions.length ? " (" + (questions.length - answered) + " to go)" : "");
    el.setAttribute("data-right", String(first));
    el.setAttribute("data-answered", String(answered));
    el.setAttribute("data-total", String(questions.length));
    var revisit = $("revisit");
    revisit.textContent = "";
    records.forEach(function (r, k) {
      if (!r.done || (r.right && r.tries.length === 1)) { return; }
      var q = questions[k], item = document.createElement("li"), button = document.createElement("button");
      button.type = "button";
      button.textContent = q.prompt.replace(" = ?", "") + (r.shownMe ? " (shown)" : " (" + r.tries.length + " tries)");
      button.setAttribute("data-question", String(q.number));
      button.addEventListener("click", function () {
        stepper.show(Math.min(q.gate, stepper.limit()));
        fillList("worked", q.worked);
        $("worked-title").textContent = "Worked: " + q.prompt.replace(" = ?", "");
      });
      item.appendChild(button);
      revisit.appendChild(item);
    });
    $("revisit-box").hidden = revisit.children.length === 0;
  }

  function open(k) {
    current = k;
    say("");
    answer.value = "";
    showMe.disabled = true;
    if (k >= questions.length) {
      box.setAttribute("data-kind", "done");
      box.setAttribute("data-node", "");
      box.removeAttribute("data-input");
      box.removeAttribute("data-number");
      $("prompt").textContent = "All done.";
      $("context").textContent = "Every gradient of this graph is worked out. Download your answers, or restart.";
      $("progress").textContent = "all " + questions.length + " questions answered";
      answer.disabled = true;
      $("check").disabled = true;
      stepper.setLimit(Infinity);
      stepper.show(stepper.position());  // Next now reaches the remaining steps
      mark([]);
      score();
      return;
    }
    var q = questions[k];
    box.setAttribute("data-kind", q.kind);
    box.setAttribute("data-node", q.node);
    box.setAttribute("data-number", String(q.number));
    if (q.input !== null) { box.setAttribute("data-input", q.input); } else { box.removeAttribute("data-input"); }
    $("prompt").textContent = q.prompt;
    $("context").textContent = q.context;
    $("progress").textContent = "question " + q.number + " of " + questions.length;
    answer.disabled = false;
    $("check").disabled = false;
    stepper.setLimit(q.gate - 1);
    mark(q.highlight);
    score();
  }

  function finish(q, how) {
    // the question is answered (right, or shown): its worked lines and number appear, then the next question
    var r = records[current];
    r.done = true;
    r.shownMe = how === "shown";
    r.right = how === "right";
    fillList("worked", q.worked);
    $("worked-title").textContent = (how === "right" ? "Right: " : "Shown: ") + q.prompt.replace(" = ?", " = " + q.shown);
    var next = current + 1;
    stepper.setLimit(q.gate);
    stepper.show(q.gate);  // the step (or the part of it this question held back) is revealed
    open(next);
    (next < questions.length ? answer : $("download")).focus();  // all done: the answers to download
  }

  function check() {
    if (current >= questions.length) { return; }
    var q = questions[current], r = records[current];
    var x = parse(answer.value);
    if (x === null) {
      say("Type a number, such as -0.25 or 1.5e-3.", "not_a_number");
      return;
    }
    r.tries.push(answer.value.trim());
    if (close(x, q.answer, q.tolerance)) { finish(q, "right"); return; }
    var w = mistakeOf(q, x);
    say(w ? w.hint : q.rule, w ? w.mistake : "unrecognised");
    showMe.disabled = r.tries.length < 2;
    score();
    answer.select();
  }

  function download() {
    var answers = questions.map(function (q, k) {
      var r = records[k];
      return { number: q.number, kind: q.kind, node: q.node, input: q.input, question: q.prompt,
               answer: q.shown, tries: r.tries, right_first_time: r.done && r.right && r.tries.length === 1,
               shown: r.shownMe, done: r.done };
    });
    var first = answers.filter(function (a) { return a.right_first_time; }).length;
    var report = { title: data.title, expression: data.expression, questions: answers,
                   score: { right_first_time: first, answered: records.filter(function (r) { return r.done; }).length,
                            total: questions.length } };
    var link = document.createElement("a");
    link.href = "data:application/json;charset=utf-8," + encodeURIComponent(JSON.stringify(report, null, 2));
    link.download = "my-answers.json";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function restart() {
    fresh();
    stepper.setLimit(0);
    stepper.show(0);
    fillList("worked", []);
    $("worked-title").textContent = "";
    open(0);
    answer.focus();
  }

  answer.addEventListener("keydown", function (event) {
    event.stopPropagation();  // typing "-", "0" or arrows must not step or zoom the picture
    if (event.key === "Enter") { event.preventDefault(); check(); }
  });
  $("check").addEventListener("click", check);
  showMe.addEventListener("click", function () {
    if (current < questions.length && !showMe.disabled) { finish(questions[current], "shown"); }
  });
  $("restart").addEventListener("click", restart);
  $("download").addEventListener("click", download);
  document.body.setAttribute("data-practice", "ready");
  fresh();
  open(0);
  stepper.show(0);
  if (window.self === window.top) { answer.focus(); }  // in a notebook's frame, the notebook keeps the keyboard
})();
