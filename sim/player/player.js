/* player.js: steps through the trace embedded in script#trace-data (docs/trace-format.md).
 *
 * Step N shows everything up to step N: its request, the steps it causes, and the answers that
 * come back before step N+1 begins (the cut the terminal's --step makes). Every text from the
 * trace goes into the page with textContent, never as markup. */
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("trace-data").textContent);
  const S = data.strings;
  const steps = data.steps;
  const total = steps.length;
  const byNumber = new Map(steps.map((s) => [s.step, s]));
  const $ = (id) => document.getElementById(id);

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className)
      node.className = className;
    if (text !== undefined)
      node.textContent = text;
    return node;
  }

  /* Lanes: the four actors in their order, then any other name (an origin nobody answers). */
  const lanes = data.actors.map((a) => ({ name: a.name, label: a.label }));
  for (const s of steps)
    for (const name of [s.from, s.to])
      if (!lanes.some((l) => l.name === name))
        lanes.push({ name: name, label: name });
  const laneX = (name) => (lanes.findIndex((l) => l.name === name) + 0.5) * 100 / lanes.length;

  /* Rows in trace order: remarks between the begin (+N) and end (-N) events. */
  const rows = [];
  let nextRemark = 0;
  for (let i = 0; i <= data.events.length; i++) {
    while (nextRemark < data.remarks.length && data.remarks[nextRemark].after <= i)
      rows.push({ remark: data.remarks[nextRemark++] });
    if (i < data.events.length) {
      const event = data.events[i];
      rows.push({ step: Math.abs(event), response: event < 0 });
    }
  }

  /* The last row shown at step n: the row before the first event of a later step, less the
   * remarks that announce it (a section title, the clock moving). */
  function lastRowAt(n) {
    const later = rows.findIndex((row) => row.step !== undefined && row.step > n);
    if (later < 0)
      return rows.length - 1;
    let last = later - 1;
    for (let i = later - 1; i >= 0 && rows[i].remark; i--)
      if (rows[i].remark.kind === "section" || rows[i].remark.kind === "clock")
        last = i - 1;
    return last;
  }

  function statusText(s) {
    if (s.status === 0)
      return S.no_answer;
    const phrase = data.status_phrases[String(s.status)];
    return phrase ? s.status + " " + phrase : String(s.status);
  }

  const failed = (s) => s.status === 0 || s.status >= 400;

  function pathOf(url) {
    try {
      const u = new URL(url);
      return u.pathname;
    } catch (e) {
      return url;
    }
  }

  /* --- the lanes --- */
  const heads = $("lane-heads");
  const rowsBox = $("rows");
  for (const lane of lanes) {
    heads.appendChild(element("div", "lane-head", lane.label));
    const life = element("div", "lifeline");
    life.style.left = laneX(lane.name) + "%";
    rowsBox.appendChild(life);
  }

  const rowNodes = rows.map((row) => {
    if (row.remark) {
      const prefix = { section: "▶ ", note: "✎ ", "check-fail": "✗ ", "check-ok": "✓ " }[row.remark.kind] || "";
      return element("div", "row remark " + row.remark.kind, prefix + row.remark.text);
    }
    const s = byNumber.get(row.step);
    const node = element("div", "row message phase-" + s.phase);
    node.dataset.step = s.step;
    const from = row.response ? s.to : s.from;
    const to = row.response ? s.from : s.to;
    const x1 = laneX(from);
    const x2 = laneX(to);
    const arrow = element("div", "arrow " + (row.response ? "response" : "request") +
                          (x2 >= x1 ? " rightward" : " leftward") +
                          (row.response && failed(s) ? " failed" : ""));
    arrow.style.left = Math.min(x1, x2) + "%";
    arrow.style.width = Math.max(Math.abs(x2 - x1), 2) + "%";
    const label = row.response ? s.step + " · " + statusText(s)
                               : s.step + " · " + s.method + " " + pathOf(s.url);
    arrow.appendChild(element("span", "label", label));
    node.appendChild(arrow);
    node.addEventListener("click", () => show(s.step));
    return node;
  });
  for (const node of rowNodes)
    rowsBox.appendChild(node);

  /* --- the step in detail --- */
  function headerLines(headers) {
    const names = Object.keys(headers || {});
    return names.map((name) => name + ": " + headers[name]);
  }

  function bodyText(body, headers) {
    if (body === null || body === undefined)
      return null;
    if (typeof body === "string")
      return body;
    const type = Object.keys(headers || {}).find((h) => h.toLowerCase() === "content-type");
    if (type && headers[type].toLowerCase().startsWith("application/x-www-form-urlencoded")
        && !Array.isArray(body))
      return Object.keys(body).flatMap((k) => [].concat(body[k]).map((v) => k + "=" + v)).join("\n");
    return JSON.stringify(body, null, 2);
  }

  function httpText(firstLine, part) {
    const lines = [firstLine];
    const headers = headerLines(part.headers);
    lines.push(...(headers.length ? headers : ["(" + S.no_headers + ")"]));
    lines.push("");
    const body = bodyText(part.body, part.headers);
    lines.push(body === null ? "(" + S.no_body + ")" : body);
    return lines.join("\n");
  }

  function actorLabel(name) {
    const lane = lanes.find((l) => l.name === name);
    return lane ? lane.label : name;
  }

  /* The who-knows-what panel. The data for it is each step's optional `knowledge` member,
   * { actor: [kind, ...] }, as the JSON Lines trace carries it: without it, say so. */
  function renderKnowledge(step) {
    const body = $("knowledge-body");
    body.textContent = "";
    $("knowledge-when").textContent = step ? fill(S.knowledge_after, { step: step.step }) : "";
    if (!step || !step.knowledge || typeof step.knowledge !== "object") {
      body.appendChild(element("p", "not-available", S.not_available));
      body.dataset.state = "not-available";
      return;
    }
    body.dataset.state = "available";
    const table = element("table");
    const actors = Object.keys(step.knowledge);
    actors.sort((a, b) => {
      const ia = lanes.findIndex((l) => l.name === a);
      const ib = lanes.findIndex((l) => l.name === b);
      return (ia < 0 ? lanes.length : ia) - (ib < 0 ? lanes.length : ib);
    });
    for (const actor of actors) {
      const tr = element("tr");
      tr.dataset.actor = actor;
      tr.appendChild(element("th", null, actorLabel(actor)));
      const td = element("td");
      const kinds = Array.isArray(step.knowledge[actor]) ? step.knowledge[actor] : [];
      if (kinds.length === 0)
        td.appendChild(element("span", "none", S.knows_nothing));
      for (const kind of kinds)
        td.appendChild(element("span", "secret", String(kind)));
      tr.appendChild(td);
      table.appendChild(tr);
    }
    body.appendChild(table);
  }

  let current = 0;

  function show(n) {
    if (total === 0) {
      $("position").textContent = S.no_steps;
      $("back").disabled = $("next").disabled = $("play").disabled = true;
      renderKnowledge(null);
      return;
    }
    n = Math.max(1, Math.min(total, n));
    current = n;
    document.body.dataset.step = n;
    const s = byNumber.get(n);
    const last = lastRowAt(n);

    let section = null;
    let lastEnded = null;
    let beginRow = -1;
    rows.forEach((row, i) => {
      const node = rowNodes[i];
      node.classList.toggle("hidden", i > last);
      node.classList.toggle("current", row.step === n);
      node.classList.toggle("past", i <= last && row.step !== undefined && row.step !== n);
      if (row.step === n && !row.response)
        beginRow = i;
      if (i <= last && row.response)
        lastEnded = byNumber.get(row.step);
      if (row.remark && row.remark.kind === "section" && (beginRow < 0 || i < beginRow) && i <= last)
        section = row.remark.text;
    });

    $("position").textContent = fill(S.step_of, { step: n, total: total });
    $("back").disabled = n <= 1;
    $("next").disabled = n >= total;
    $("section").textContent = section ? "▶ " + section : "";

    const phase = $("phase");
    phase.className = "phase-" + s.phase;
    phase.textContent = data.phases[s.phase] || s.phase;
    $("step-label").textContent = "#" + s.step + " · " + s.time.replace("T", " ").replace("Z", " UTC");

    const actors = $("actors");
    actors.textContent = actorLabel(s.from) + " → " + actorLabel(s.to);
    if (s.parent !== null && s.parent !== undefined) {
      actors.appendChild(document.createTextNode(" "));
      actors.appendChild(element("small", null, "(" + fill(S.while_answering, { step: s.parent }) + ")"));
    }

    const exchange = $("exchange");
    exchange.textContent = s.method + " " + s.url + " → ";
    const endRow = rows.findIndex((row) => row.step === n && row.response);
    if (endRow > last) {
      const answeredAfter = rows.slice(0, endRow).reverse().find((row) => row.step !== undefined && row.step !== n);
      exchange.appendChild(element("span", null, fill(S.answer_later, { step: answeredAfter ? answeredAfter.step : n })));
    } else {
      exchange.appendChild(element("span", failed(s) ? "failed" : null, statusText(s)));
    }

    $("narration").textContent = s.narration;
    const notes = $("notes");
    notes.textContent = "";
    for (const note of s.notes || [])
      notes.appendChild(element("li", null, S.note + ": " + note));

    $("request").querySelector("summary").textContent = S.request + ": " + s.method + " " + s.url;
    $("request").querySelector("pre").textContent = httpText(s.method + " " + s.url, s.request);
    $("response").querySelector("summary").textContent = S.response + ": " + statusText(s);
    $("response").querySelector("pre").textContent = httpText(statusText(s), s.response);

    renderKnowledge(lastEnded);

    const focus = rowNodes[beginRow >= 0 ? beginRow : last];
    if (focus && focus.scrollIntoView)
      focus.scrollIntoView({ block: "center" });
    if (location.hash !== "#" + n)
      history.replaceState(null, "", "#" + n);
  }

  /* --- controls --- */
  let timer = null;

  function setPlaying(on) {
    if (timer) {
      clearInterval(timer);
      timer = null;
    }
    if (on) {
      if (current >= total)
        show(1);
      timer = setInterval(() => {
        if (current >= total)
          setPlaying(false);
        else
          show(current + 1);
      }, 3000);
    }
    $("play").textContent = on ? "⏸ " + S.pause : "▶ " + S.play;
    $("play").setAttribute("aria-pressed", on ? "true" : "false");
  }

  function setProjector(on) {
    document.documentElement.classList.toggle("projector", on);
    $("projector").setAttribute("aria-pressed", on ? "true" : "false");
    measureHeader();
    show(current);
  }

  function measureHeader() {
    document.documentElement.style.setProperty("--header", $("top").offsetHeight + "px");
  }

  $("back").textContent = "◀ " + S.back;
  $("next").textContent = S.next + " ▶";
  $("projector").textContent = S.projector;
  $("keys").textContent = S.keys;
  $("knowledge-title").textContent = S.knowledge;
  $("knowledge-legend").textContent = S.knowledge_legend;
  if (data.description)
    $("description").textContent = data.description;
  if (data.title)
    document.title = data.title;

  $("back").addEventListener("click", () => { setPlaying(false); show(current - 1); });
  $("next").addEventListener("click", () => { setPlaying(false); show(current + 1); });
  $("play").addEventListener("click", () => setPlaying(timer === null));
  $("projector").addEventListener("click", () => setProjector(!document.documentElement.classList.contains("projector")));
  window.addEventListener("resize", measureHeader);

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey)
      return;
    switch (event.key) {
    case "ArrowRight": case "ArrowDown": case "PageDown": case "n":
      setPlaying(false); show(current + 1); break;
    case "ArrowLeft": case "ArrowUp": case "PageUp": case "b":
      setPlaying(false); show(current - 1); break;
    case "Home":
      setPlaying(false); show(1); break;
    case "End":
      setPlaying(false); show(total); break;
    case " ":
      if (event.target.tagName === "BUTTON" || event.target.tagName === "SUMMARY")
        return;
      setPlaying(timer === null); break;
    case "p": case "P":
      setProjector(!document.documentElement.classList.contains("projector")); break;
    case "Escape":
      setProjector(false); break;
    default:
      return;
    }
    event.preventDefault();
  });

  setPlaying(false);
  measureHeader();
  const start = parseInt(location.hash.slice(1), 10);
  show(Number.isFinite(start) ? start : 1);
})();
