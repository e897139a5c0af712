// The chart of relationSeries: per bucket, contacts, measures in force, active dialogues and
// statements by stance, as bars in small panels of one scale each; the same numbers in a table.

import { h } from "./render.js";

const SVG = "http://www.w3.org/2000/svg";
const PANELS = [
  ["Contacts", (p) => [["contacts", p.contacts]]],
  ["Measures in force", (p) => [["measures", p.measuresInForce]]],
  ["Active dialogues", (p) => [["dialogues", p.activeDialogues]]],
  [
    "Statements by stance",
    (p) => [
      ["cooperative", p.statementsByStance.cooperative],
      ["neutral", p.statementsByStance.neutral],
      ["critical", p.statementsByStance.critical],
    ],
  ],
];

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

function bucketLabel(point, interval) {
  const [y, m] = point.start.split("-").map(Number);
  if (interval === "YEAR") return String(y);
  if (interval === "QUARTER") return `${y} Q${Math.floor((m - 1) / 3) + 1}`;
  return point.start.slice(0, 7);
}

/** Draw `points` (relationSeries) into `root`. */
export function drawSeries(root, points, interval) {
  root.replaceChildren();
  if (points.length === 0) return;
  const width = Math.max(root.clientWidth || 640, 320);
  const panelHeight = 70;
  const left = 130;
  const step = (width - left - 8) / points.length;
  const height = PANELS.length * (panelHeight + 18) + 20;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "series-svg", role: "img", "aria-label": "Chart of the relation bucket by bucket; the table below has the same numbers" });
  PANELS.forEach(([name, values], index) => {
    const top = index * (panelHeight + 18) + 4;
    const max = Math.max(1, ...points.map((p) => values(p).reduce((sum, [, v]) => sum + v, 0)));
    svg.append(
      s("text", { x: 4, y: top + panelHeight / 2, class: "lane-label" }, document.createTextNode(name)),
      s("text", { x: left - 6, y: top + 10, class: "axis-label", "text-anchor": "end" }, document.createTextNode(String(max))),
      s("line", { x1: left, x2: width - 8, y1: top + panelHeight, y2: top + panelHeight, class: "lane-rule" }),
    );
    points.forEach((point, i) => {
      let base = top + panelHeight;
      for (const [kind, value] of values(point)) {
        if (value <= 0) continue;
        const barHeight = (value / max) * (panelHeight - 12);
        base -= barHeight;
        svg.append(
          s("rect", { x: left + i * step + 1, y: base, width: Math.max(step - 2, 1), height: barHeight, class: `bar ${kind}` },
            s("title", {}, document.createTextNode(`${bucketLabel(point, interval)}: ${value} ${kind}`))),
        );
      }
    });
  });
  const every = Math.max(1, Math.ceil(points.length / Math.floor((width - left) / 70)));
  points.forEach((point, i) => {
    if (i % every === 0) {
      svg.append(s("text", { x: left + i * step + 2, y: height - 4, class: "tick-label" }, document.createTextNode(bucketLabel(point, interval))));
    }
  });
  const table = h(
    "table",
    { class: "series-table" },
    h("caption", {}, "The relation bucket by bucket"),
    h("thead", {}, h("tr", {}, ["Period", "Contacts", "Measures in force", "Active dialogues", "Cooperative", "Neutral", "Critical"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      points.map((p) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, bucketLabel(p, interval)),
          [p.contacts, p.measuresInForce, p.activeDialogues, p.statementsByStance.cooperative, p.statementsByStance.neutral, p.statementsByStance.critical].map((v) => h("td", {}, v)),
        ),
      ),
    ),
  );
  root.append(svg, h("details", { class: "series-details" }, h("summary", {}, "The numbers as a table"), table));
}
