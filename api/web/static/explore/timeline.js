// The timeline of the events between the two sides: one lane per kind of event, a day drawn as
// a dot, an uncertain date as the range of days it may be, and a date cursor that moves asOf.
// Zoom with the buttons, the + and - keys or the wheel; pan with the arrow keys or the buttons.

import { keyOf } from "./queries.js";
import { day, eventLink, h } from "./render.js";

const SVG = "http://www.w3.org/2000/svg";
const DAY = 86400000;
const LANES = [
  ["Meetings", /^Meeting/],
  ["Dialogues", /^Dialogue/],
  ["Measures", /^Measure/],
  ["Instruments", /^(Instrument|Party)/],
  ["Statements", /^Statement/],
  ["Other", /./],
];
const LANE = 34;
const TOP = 26;
const LEFT = 96;

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value != null) element.setAttribute(name, String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

const ms = (iso) => Date.parse(`${iso.slice(0, 10)}T00:00:00Z`);
const iso = (t) => new Date(t).toISOString().slice(0, 10);

export function eventTitle(event) {
  return event.title || event.name || event.summary ||
    (event.actor ? `${event.actor.name ?? keyOf(event.actor)} ${(event.action ?? "withdrew").toLowerCase()}` : "") ||
    event.reason || event.type;
}

/** Draw the timeline of `events` into `root`; `onCursor(date)` when the cursor is moved. */
export function drawTimeline(root, all, { asOf, knownAt, onCursor }) {
  root.replaceChildren();
  // A correction or retraction is drawn on the event it changes, not as an event of its own.
  const events = all.filter((e) => !/^Event(Corrected|Retracted)$/.test(e.type));
  if (events.length === 0) {
    root.append(h("p", {}, "No event between the two is known at this time."));
    return;
  }
  const first = Math.min(...events.map((e) => ms(e.occurred.earliest)), ms(asOf));
  const last = Math.max(...events.map((e) => ms(e.occurred.latest)), ms(asOf));
  const pad = Math.max((last - first) * 0.05, 30 * DAY);
  const full = [first - pad, last + pad];
  let view = [...full];
  let cursor = ms(asOf);
  const lanes = LANES.filter(([, test]) => events.some((e) => laneOf(e) === test));
  function laneOf(event) {
    return LANES.find(([, test]) => test.test(event.type))[1];
  }

  const controls = h(
    "div",
    { class: "timeline-controls", role: "group", "aria-label": "Zoom and pan the timeline" },
    h("button", { type: "button", onclick: () => zoom(0.5) }, "Zoom in"),
    h("button", { type: "button", onclick: () => zoom(2) }, "Zoom out"),
    h("button", { type: "button", onclick: () => pan(-0.25) }, "◀ Earlier"),
    h("button", { type: "button", onclick: () => pan(0.25) }, "Later ▶"),
    h("button", { type: "button", onclick: () => { view = [...full]; render(); } }, "Whole span"),
  );
  const svg = s("svg", {
    class: "timeline-svg",
    role: "group",
    tabindex: "0",
    "aria-label": "Timeline of the events between the two sides; + and - zoom, arrow keys pan",
  });
  const slider = h("input", {
    type: "range",
    id: "cursor",
    class: "cursor-input",
    step: "1",
    "aria-describedby": "cursor-output",
  });
  const output = h("output", { id: "cursor-output", for: "cursor" });
  const cursorRow = h(
    "div",
    { class: "cursor-row" },
    h("label", { for: "cursor" }, "As of (date cursor)"),
    slider,
    output,
  );
  root.append(controls, svg, cursorRow);

  function zoom(factor, at = cursor) {
    const centre = Math.min(Math.max(at, view[0]), view[1]);
    const width = Math.max((view[1] - view[0]) * factor, 20 * DAY);
    const share = (centre - view[0]) / (view[1] - view[0]);
    view = [centre - width * share, centre + width * (1 - share)];
    render();
  }
  function pan(share) {
    const width = view[1] - view[0];
    view = [view[0] + width * share, view[1] + width * share];
    render();
  }
  svg.addEventListener("keydown", (event) => {
    const keys = { "+": () => zoom(0.5), "=": () => zoom(0.5), "-": () => zoom(2), ArrowLeft: () => pan(-0.1), ArrowRight: () => pan(0.1) };
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]();
    }
  });
  svg.addEventListener("wheel", (event) => {
    if (!event.ctrlKey && !event.altKey) return;
    event.preventDefault();
    zoom(event.deltaY < 0 ? 0.8 : 1.25, at(event));
  }, { passive: false });
  svg.addEventListener("click", (event) => {
    if (event.target.closest("a")) return;
    const t = at(event);
    if (t !== null) moveCursor(t, true);
  });
  slider.addEventListener("input", () => moveCursor(Number(slider.value) * DAY, false));
  slider.addEventListener("change", () => moveCursor(Number(slider.value) * DAY, true));

  function width() {
    return Math.max(root.clientWidth || 640, 320);
  }
  function x(t) {
    return LEFT + ((t - view[0]) / (view[1] - view[0])) * (width() - LEFT - 12);
  }
  function at(event) {
    const box = svg.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * width();
    if (px < LEFT) return null;
    return view[0] + ((px - LEFT) / (width() - LEFT - 12)) * (view[1] - view[0]);
  }
  function moveCursor(t, commit) {
    cursor = Math.round(t / DAY) * DAY;
    output.textContent = day(iso(cursor));
    const line = svg.querySelector(".cursor");
    if (line) {
      line.setAttribute("x1", x(cursor));
      line.setAttribute("x2", x(cursor));
    }
    slider.value = String(Math.round(cursor / DAY));
    if (commit && iso(cursor) !== asOf) onCursor(iso(cursor));
  }

  function ticks() {
    const span = view[1] - view[0];
    const years = span > 3 * 365 * DAY;
    const marks = [];
    const start = new Date(view[0]);
    let y = start.getUTCFullYear();
    let m = years ? 0 : start.getUTCMonth();
    const step = years ? 12 * Math.ceil(span / (365 * DAY) / 8) : Math.max(1, Math.ceil(span / (30 * DAY) / 8));
    for (let t = Date.UTC(y, m, 1); t <= view[1]; ) {
      if (t >= view[0]) marks.push(t);
      m += step;
      y += Math.floor(m / 12);
      m %= 12;
      t = Date.UTC(y, m, 1);
    }
    return { marks, years };
  }

  function render() {
    const w = width();
    const height = TOP + lanes.length * LANE + 8;
    svg.setAttribute("viewBox", `0 0 ${w} ${height}`);
    svg.setAttribute("width", w);
    svg.setAttribute("height", height);
    svg.replaceChildren();
    const { marks, years } = ticks();
    for (const t of marks) {
      svg.append(
        s("line", { x1: x(t), x2: x(t), y1: TOP - 6, y2: height, class: "tick" }),
        s("text", { x: x(t) + 3, y: 14, class: "tick-label" }, document.createTextNode(years ? iso(t).slice(0, 4) : iso(t).slice(0, 7))),
      );
    }
    lanes.forEach(([name, test], index) => {
      const y = TOP + index * LANE;
      svg.append(
        s("text", { x: 4, y: y + LANE / 2 + 4, class: "lane-label" }, document.createTextNode(name)),
        s("line", { x1: LEFT, x2: w - 12, y1: y + LANE, y2: y + LANE, class: "lane-rule" }),
      );
      for (const event of events.filter((e) => laneOf(e) === test)) {
        const from = x(ms(event.occurred.earliest));
        const to = x(ms(event.occurred.latest) + DAY);
        if (to < LEFT || from > w) continue;
        const ranged = event.occurred.earliest !== event.occurred.latest;
        const cls = `mark ${ranged ? "range" : "day"}${event.retracted ? " retracted" : ""}`;
        const label = `${eventTitle(event)}, ${event.occurred.edtf}${ranged ? ` (between ${day(event.occurred.earliest)} and ${day(event.occurred.latest)})` : ""}${event.retracted ? ", retracted" : ""}`;
        const shape = ranged
          ? s("rect", { x: Math.max(from, LEFT), y: y + 8, width: Math.max(Math.min(to, w) - Math.max(from, LEFT), 3), height: LANE - 16, rx: 3, class: cls })
          : s("circle", { cx: from, cy: y + LANE / 2, r: 6, class: cls });
        const params = new URLSearchParams({ id: keyOf(event) });
        if (knownAt) params.set("knownAt", knownAt);
        const link = s("a", { href: `/explore/event?${params}`, "aria-label": label, class: "mark-link", "data-event": keyOf(event) }, s("title", {}, document.createTextNode(label)), shape);
        svg.append(link);
      }
    });
    svg.append(s("line", { x1: x(cursor), x2: x(cursor), y1: TOP - 8, y2: height, class: "cursor" }));
    slider.min = String(Math.ceil(view[0] / DAY));
    slider.max = String(Math.floor(view[1] / DAY));
    moveCursor(cursor, false);
  }

  render();
  let drawnWidth = width();
  new ResizeObserver(() => {
    if (width() !== drawnWidth) {
      drawnWidth = width();
      render();
    }
  }).observe(root);

  const list = h(
    "ol",
    { class: "event-list" },
    events.map((event) =>
      h(
        "li",
        { "data-event": keyOf(event), class: event.retracted ? "retracted" : null },
        h("span", { class: "list-date" }, event.occurred.edtf),
        " ",
        eventLink(keyOf(event), eventTitle(event), knownAt),
        event.retracted ? " (retracted)" : "",
      ),
    ),
  );
  root.append(h("details", { class: "timeline-list" }, h("summary", {}, `The ${events.length} events as a list`), list));
}
