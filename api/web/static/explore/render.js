// Building the pages' DOM: elements from data (text only, never HTML strings), EDTF dates with
// their uncertainty, sources with their quotes, and the marks of possible and later facts.

import { keyOf } from "./queries.js";

/** An element: `h("a", { href: "…", class: "x" }, "text", child, …)`; falsy children skipped. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A calendar date (YYYY-MM-DD) as "19 Feb 2024". */
export function day(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** An instant (RFC 3339) as "19 Feb 2024 10:30 UTC". */
export function instant(iso) {
  if (!iso) return "";
  const t = new Date(iso);
  return `${day(t.toISOString())} ${t.toISOString().slice(11, 16)} UTC`;
}

/** What an EDTF date's marks say: approximate (~), uncertain (?), both (%). */
function qualifiers(edtf) {
  const words = [];
  if (edtf.includes("%")) words.push("approximate and uncertain");
  else {
    if (edtf.includes("~")) words.push("approximate");
    if (edtf.includes("?")) words.push("uncertain");
  }
  return words;
}

/**
 * A `When` ({ edtf, earliest, latest }) as an element: the EDTF text as recorded, and, when it
 * is not one day, the span of days it may be ("some day between …").
 */
export function when(value, label = "") {
  if (!value) return null;
  const span = value.earliest !== value.latest;
  const notes = qualifiers(value.edtf);
  if (span) notes.push(`between ${day(value.earliest)} and ${day(value.latest)}`);
  return h(
    "span",
    { class: span || notes.length ? "when uncertain" : "when", "data-edtf": value.edtf },
    label ? `${label} ` : "",
    h("time", { datetime: value.earliest }, value.edtf),
    notes.length ? h("span", { class: "when-note" }, ` (${notes.join("; ")})`) : null,
  );
}

/** The mark of a fact that may or may not hold on the date asked (`certain: false`). */
export function possible(certain) {
  if (certain !== false) return null;
  return h(
    "span",
    { class: "badge possible", title: "its dates straddle the date asked: it may hold, or not yet" },
    "possible",
  );
}

/** Sources as a list: each linked when it has a URL, with its quote. */
export function sources(list) {
  if (!list || list.length === 0) return h("p", { class: "sources none" }, "No source recorded.");
  const seen = new Set();
  const items = [];
  for (const source of list) {
    const key = `${source.url}|${source.title}|${source.quote}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const title = source.title || source.url || source.publisher || "source";
    items.push(
      h(
        "li",
        { class: "source" },
        source.url ? h("a", { href: source.url, rel: "noreferrer", class: "source-link" }, title) : h("cite", {}, title),
        source.publisher ? `, ${source.publisher}` : "",
        source.published ? `, ${source.published.edtf}` : "",
        source.quote ? h("blockquote", {}, `“${source.quote}”`) : null,
      ),
    );
  }
  return h("details", { class: "sources" }, h("summary", {}, `Sources (${items.length})`), h("ul", {}, items));
}

/** A link to the event page of `id`, keeping the knowledge time. */
export function eventLink(id, text, knownAt) {
  const params = new URLSearchParams({ id });
  if (knownAt) params.set("knownAt", knownAt);
  return h("a", { href: `/explore/event?${params}` }, text);
}

/** A status line for the screen reader and the eye. */
export function say(message, kind = "info") {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = message;
  status.dataset.kind = kind;
}

/** An actor's name with its key: "China (CHN)". */
export function actorName(actor) {
  if (!actor) return "";
  const key = keyOf(actor);
  return actor.name && actor.name !== key ? `${actor.name} (${key})` : key;
}

/** Words for an enum value: "EXPORT_CONTROL" → "export control". */
export function words(value) {
  return value ? String(value).toLowerCase().replaceAll("_", " ") : "";
}
