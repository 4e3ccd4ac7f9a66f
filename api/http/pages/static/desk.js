// The desk and the phone page. The department key lives in this tab's sessionStorage and
// goes to the service as the Authorization header; it is never put in a URL. Every value
// from the service is placed as text (textContent) or comes as HTML the server escaped.
"use strict";
(function () {
  const KEY = "fieldweek.key";
  const texts = JSON.parse(document.getElementById("texts").textContent);
  const lang = document.documentElement.lang === "en" ? "en" : "zh";
  const $ = (selector, root) => (root || document).querySelector(selector);

  function authHeaders(extra) {
    const headers = Object.assign({}, extra || {});
    const key = sessionStorage.getItem(KEY);
    if (key) headers.Authorization = "Bearer " + key;
    return headers;
  }
  async function api(path, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = authHeaders(opts.headers);
    return fetch(path, opts);
  }
  async function json(path, options) {
    const response = await api(path, options);
    const body = await response.json().catch(() => null);
    if (!response.ok) throw Object.assign(new Error(String(response.status)), { status: response.status, body: body });
    return body;
  }
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function showError(target, error) {
    target.replaceChildren();
    const detail = error && error.body && error.body.detail;
    if (error && error.status === 401) { target.append(el("p", texts.need_key, "error")); return; }
    if (Array.isArray(detail)) { target.append(problemTable(detail)); return; }
    target.append(el("p", texts.error + ": " + (typeof detail === "string" ? detail : (error && error.message) || ""), "error"));
  }
  function problemTable(problems) {
    const table = el("table", null, "problems");
    const head = table.createTHead().insertRow();
    for (const word of [texts.file, texts.row, texts.column, texts.message]) head.append(el("th", word));
    const body = table.createTBody();
    for (const p of problems) {
      const row = body.insertRow();
      for (const value of [p.file, p.row, p.column, p.message]) row.append(el("td", value === null || value === undefined ? "" : value));
    }
    const box = el("div");
    box.append(el("h3", texts.problems + " (" + problems.length + ")", "error"), table);
    return box;
  }
  async function placePart(target, path, options) {
    const response = await api(path, options);
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw Object.assign(new Error(String(response.status)), { status: response.status, body: body });
    }
    target.innerHTML = await response.text();  // server-rendered and escaped (Jinja2 autoescape)
  }

  // -- the key ------------------------------------------------------------------------------
  const keyForm = $("#key-form");  // only where the service asks for keys
  if (keyForm) {
    keyForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = $("#key").value.trim();
      if (value) sessionStorage.setItem(KEY, value);
      $("#key").value = "";
      start();
    });
    $("#forget-key").addEventListener("click", () => { sessionStorage.removeItem(KEY); start(); });
  }

  // -- the desk: departments and import ------------------------------------------------------
  async function loadDepartments() {
    const list = $("#department-list");
    try {
      const departments = await json("/v1/departments");
      list.replaceChildren();
      if (!departments.length) list.append(el("li", texts.no_departments, "muted"));
      for (const d of departments) {
        const item = el("li");
        const link = el("a");
        link.href = "/desk/departments/" + encodeURIComponent(d.id) + "?lang=" + lang;
        link.append(el("strong", d.name), el("br"), el("small", d.id, "muted"));
        item.append(link);
        list.append(item);
      }
    } catch (error) { showError(list, error); }
  }
  const importForm = $("#import-form");
  if (importForm) importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = $("#import-result");
    result.replaceChildren(el("p", texts.loading, "muted"));
    try {
      await placePart(result, "/v1/desk/import?lang=" + lang, { method: "POST", body: new FormData(importForm) });
      if ($(".imported", result)) loadDepartments();
    } catch (error) { showError(result, error); }
  });

  // -- a department: plan a week with live progress, then the verdict -------------------------
  const departmentBox = $("#department");
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  function showProgress(job) {
    const box = $("#progress");
    box.hidden = false;
    const p = job.progress || {};
    const gap = p.objective !== null && p.objective !== undefined && p.bound !== null && p.bound !== undefined
      ? Math.abs(p.objective - p.bound) / Math.max(Math.abs(p.objective), 1e-9) : null;
    const values = { status: job.status, seconds: p.seconds === null || p.seconds === undefined ? "" : p.seconds.toFixed(1),
      objective: p.objective === null || p.objective === undefined ? "" : p.objective,
      bound: p.bound === null || p.bound === undefined ? "" : p.bound,
      gap: gap === null ? "" : (100 * gap).toFixed(1) + " %" };
    for (const [field, value] of Object.entries(values)) $('[data-field="' + field + '"]', box).textContent = value;
    // Seconds since the job started, of the most it may take: its limit, or the cap it may
    // search on to (searches_on_to_s). Past both (searching on, end unknown) the bar says
    // "busy" instead of standing full while the job runs on for most of a minute.
    const bar = $("#progress-bar");
    const total = Math.max(job.searches_on_to_s || 0, job.time_limit || 0);
    if (p.seconds && total && p.seconds <= total) bar.value = p.seconds / total;
    else if (p.seconds) bar.removeAttribute("value");
  }
  async function follow(path, isDone) {
    for (;;) {
      const job = await json(path);
      showProgress(job);
      if (isDone(job)) return job;
      await sleep(700);
    }
  }
  async function planWeek(form) {
    const id = departmentBox.dataset.department;
    const week = form.week_start.value;
    const week_box = $("#week");
    week_box.replaceChildren();
    try {
      const accepted = await json("/v1/departments/" + encodeURIComponent(id) + "/timetables", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ week_start: week, time_limit: Number(form.time_limit.value) || undefined }) });  // empty: the service's default, extended as the CLI's
      const job = await follow("/v1/timetables/" + accepted.id, (j) => !["queued", "running"].includes(j.status));
      if (job.status === "optimal" || job.status === "feasible") {
        week_box.replaceChildren(el("p", texts.routes_running + " …", "muted"));
        const routes = await json("/v1/departments/" + encodeURIComponent(id) + "/routes", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ week_start: week, timetable: job.id }) });
        await follow("/v1/jobs/" + routes.id, (j) => !["queued", "running"].includes(j.status));
      }
      await loadWeek(id, week, job.id, form.baseline.checked);
    } catch (error) { showError(week_box, error); }
  }
  async function loadWeek(id, week, job, baseline) {
    const query = "department=" + encodeURIComponent(id) + "&week_start=" + encodeURIComponent(week) +
      (job ? "&job=" + encodeURIComponent(job) : "") + (baseline ? "&baseline=true" : "") + "&lang=" + lang;
    $("#week").replaceChildren(el("p", texts.loading, "muted"));
    $("#map").replaceChildren();
    try { await placePart($("#week"), "/v1/desk/week?" + query); } catch (error) { showError($("#week"), error); }
  }
  async function loadDepartmentName() {
    try {
      const stored = await json("/v1/departments/" + encodeURIComponent(departmentBox.dataset.department));
      $("#department-name").textContent = stored.department.name;
    } catch (error) { showError($("#week"), error); }
  }
  if (departmentBox) {
    $("#plan-form").addEventListener("submit", (event) => { event.preventDefault(); planWeek(event.target); });
    $("#open-form").addEventListener("submit", (event) => {
      event.preventDefault();
      loadWeek(departmentBox.dataset.department, event.target.week_start.value, null, event.target.baseline.checked);
    });
  }

  // -- the week's actions: the grid, the map, downloads ----------------------------------------
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-open-page], button[data-download], button[data-load-map], button[data-load-part]");
    if (!button) return;
    if (button.dataset.openPage) {
      const opened = window.open("", "_blank");
      const response = await api(button.dataset.openPage);
      const blob = new Blob([await response.text()], { type: "text/html" });
      if (opened) opened.location = URL.createObjectURL(blob);
    } else if (button.dataset.download) {
      const response = await api(button.dataset.download);
      const link = el("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = button.dataset.name;
      document.body.append(link);
      link.click();
      link.remove();
    } else if (button.dataset.loadPart) {
      const target = $(button.dataset.target);
      try { await placePart(target, button.dataset.loadPart); } catch (error) { showError(target, error); }
    } else if (button.dataset.loadMap) {
      const target = $("#map");
      try { await placePart(target, button.dataset.loadMap); showTiles(target); } catch (error) { showError(target, error); }
    }
  });
  function showTiles(target) {
    const tiles = departmentBox && departmentBox.dataset.tiles;
    const data = $("script.map-data", target);
    if (!tiles || !window.L || !data) return;
    const routes = JSON.parse(data.textContent);
    const box = el("div", null, "tiles");
    target.prepend(box);
    const map = window.L.map(box);
    window.L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
    const bounds = [];
    for (const route of routes.routes) {
      window.L.polyline(route.path, { color: route.colour, weight: 3 }).addTo(map).bindTooltip(route.label);
      route.path.forEach((point) => bounds.push(point));
    }
    if (bounds.length) map.fitBounds(bounds);
  }

  // -- my day on the phone: done / missed posted to the actuals ---------------------------------
  const myDay = $("#my-day");
  async function loadMyDay() {
    try { await placePart(myDay, myDay.dataset.part); } catch (error) { showError(myDay, error); }
  }
  if (myDay) myDay.addEventListener("click", async (event) => {
    const button = event.target.closest(".mark button");
    if (!button) return;
    const card = button.closest(".stop-card");
    const day = button.closest(".day");
    const reason = $(".reason", card).value.trim();
    if (button.dataset.status === "missed" && !reason) { $(".reason", card).focus(); $(".state", card).textContent = texts.reason + "?"; return; }
    for (const other of card.querySelectorAll(".mark button")) other.classList.toggle("on", other === button);
    card.dataset.status = button.dataset.status;
    card.dataset.reason = button.dataset.status === "missed" ? reason : "";
    // Only this card, merged into the day's stored records (`merge`): a posted day would
    // replace the stored one, blocks and the marks of earlier page loads with it.
    const rows = [{ manager: day.dataset.manager, date: day.dataset.date, record: "visit", retailer: card.dataset.retailer,
      status: card.dataset.status, reason: card.dataset.reason || "" }];
    try {
      const answer = await json("/v1/actuals", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ timetable: day.dataset.job, rows: rows, merge: true }) });
      $(".state", card).textContent = "✓";
      const note = $(".sent-note", day);
      note.hidden = false;
      note.dataset.visits = String(answer.visits);
    } catch (error) { $(".state", card).textContent = texts.error + " " + (error.status || ""); }
  });

  function start() {
    const waiting = document.body.dataset.needsKey === "yes" && !sessionStorage.getItem(KEY);
    for (const box of [$("#department-list"), $("#week"), myDay]) {
      if (box && waiting) box.replaceChildren(el("p", texts.need_key, "muted"));
    }
    if (waiting) { $("#key").focus(); return; }
    if ($("#department-list")) loadDepartments();
    if (departmentBox) loadDepartmentName();
    if (myDay) loadMyDay();
  }
  start();
})();
