// The explorer: the relation of two sides at a date (asOf), as the log knew it at an instant
// (knownAt), with the events between them, what changed, and the relation over time. Its state
// is its URL: /explore?a=USA&b=CHN&asOf=2024-02-19[&knownAt=<RFC 3339>][&from=<date>].

import { ask, forgetToken, hasToken } from "./api.js";
import { drawSeries } from "./chart.js";
import { ACTOR, ACTOR_SEARCH, CHANGES, HISTORY, RELATION, SERIES, STREAMS, keyOf } from "./queries.js";
import {
  actorName, day, eventLink, h, instant, possible, say, sources, when, words,
} from "./render.js";
import { drawTimeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const PARAMETERS = ["a", "b", "asOf", "knownAt", "from"];
const DAY = 86400000;
// An event recorded this long after the latest day it may have happened is marked back-dated.
const BACK_DATED_DAYS = 7;

const today = () => new Date().toISOString().slice(0, 10);
const shift = (iso, days) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The page's state, read from its URL. */
function state() {
  const params = new URLSearchParams(location.search);
  const read = Object.fromEntries(PARAMETERS.map((name) => [name, (params.get(name) ?? "").trim()]));
  return read;
}

/** Go to `next` (a state): the URL first (a new history entry unless `replace`), then load. */
function go(next, replace = false) {
  const params = new URLSearchParams();
  for (const name of PARAMETERS) if (next[name]) params.set(name, next[name]);
  const url = `/explore?${params}`;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  load();
}

// --- the form: sides, dates --------------------------------------------------------------------

function fillForm(st) {
  for (const name of PARAMETERS) {
    const input = $(`field-${name}`);
    if (input && input !== document.activeElement) input.value = st[name];
  }
}

function readForm() {
  const fields = PARAMETERS.filter((name) => $(`field-${name}`));
  return Object.fromEntries(fields.map((name) => [name, $(`field-${name}`).value.trim()]));
}

let searchTimer = 0;
/** Suggestions for an actor field: registered actors by id, name or alias, a state by code. */
function suggest(input) {
  clearTimeout(searchTimer);
  const text = input.value.trim();
  if (text.length < 2) return;
  searchTimer = setTimeout(async () => {
    const list = $(input.getAttribute("list"));
    const found = new Map();
    try {
      const [byText, byId] = await Promise.all([
        ask(ACTOR_SEARCH, { text }),
        /^[A-Za-z]{2,3}$/.test(text) ? ask(ACTOR, { id: text }).catch(() => ({})) : {},
      ]);
      if (byId.actor) found.set(keyOf(byId.actor), byId.actor);
      for (const { node } of byText.actors.edges) {
        found.set(keyOf(node), node);
        if (node.country) found.set(keyOf(node.country), { ...node.country, kind: "STATE" });
      }
    } catch (error) {
      say(error.message, "error");
      return;
    }
    list.replaceChildren(...[...found.values()].map((actor) => h("option", { value: keyOf(actor), label: `${actor.name} (${words(actor.kind)})` })));
  }, 200);
}

// --- the relation ------------------------------------------------------------------------------

/** The events of each stream, from the STREAMS answer. */
function byStream(events) {
  const map = new Map();
  for (const event of events) {
    const stream = keyOf(event.stream);
    if (!map.has(stream)) map.set(stream, []);
    map.get(stream).push(event);
  }
  return map;
}

/** What was recorded after `knownAt` (now known): per stream, and as a list. */
function laterRecords(history, knownAt) {
  if (!knownAt) return { streams: new Map(), events: [] };
  const at = Date.parse(knownAt);
  const events = history.filter((e) => Date.parse(e.recordedAt) > at);
  const streams = new Map();
  for (const event of events) {
    const kind = laterKind(event, knownAt);
    const stream = keyOf(event.stream);
    if (!streams.has(stream)) streams.set(stream, new Set());
    streams.get(stream).add(kind);
  }
  return { streams, events };
}

function laterKind(event, knownAt) {
  if (event.type === "EventCorrected") return "corrected since";
  if (event.type === "EventRetracted") return "retracted since";
  return event.occurred.latest <= knownAt.slice(0, 10) ? "back-dated record since" : "recorded since";
}

/** One item of a list: a title (linked), lines of facts, badges, sources. */
function item({ id, title, href, lines = [], certain, cites = [], stream, context }) {
  const badges = [possible(certain)];
  const later = context.later.streams.get(stream ?? id);
  if (later) for (const kind of later) badges.push(h("span", { class: "badge later" }, kind));
  const recorded = context.streams.get(stream ?? id) ?? [];
  const back = recorded.find((e) => Date.parse(e.recordedAt) - Date.parse(`${e.occurred.latest}T00:00:00Z`) > BACK_DATED_DAYS * DAY);
  if (back) badges.push(h("span", { class: "badge back-dated", title: `happened ${back.occurred.edtf}, recorded ${instant(back.recordedAt)}` }, `recorded ${day(back.recordedAt)}`));
  if (recorded.some((e) => e.correctedBy)) badges.push(h("span", { class: "badge corrected" }, "corrected"));
  return h(
    "li",
    { class: `item${certain === false ? " possible" : ""}`, "data-id": id },
    h("div", { class: "item-title" }, href ? h("a", { href }, title) : title, " ", badges),
    lines.filter(Boolean).map((line) => h("div", { class: "item-line" }, line)),
    sources(cites),
  );
}

function streamSources(context, stream) {
  return (context.streams.get(stream) ?? []).flatMap((e) => e.sources);
}

function streamLink(context, stream) {
  const first = context.streams.get(stream)?.[0];
  if (stream.startsWith("instrument/")) {
    const params = new URLSearchParams({ id: stream, asOf: context.asOf });
    if (context.knownAt) params.set("knownAt", context.knownAt);
    return `/explore/instrument?${params}`;
  }
  if (!first) return null;
  const params = new URLSearchParams({ id: keyOf(first) });
  if (context.knownAt) params.set("knownAt", context.knownAt);
  return `/explore/event?${params}`;
}

function section(name, heading, items, empty) {
  return h(
    "section",
    { class: "facts", "data-section": name, "aria-labelledby": `h-${name}` },
    h("h3", { id: `h-${name}` }, heading, items.length ? ` (${items.length})` : ""),
    items.length ? h("ul", { class: "items" }, items) : h("p", { class: "empty" }, empty),
  );
}

function meetingItem(meeting, context) {
  return item({
    id: keyOf(meeting),
    title: meeting.title,
    href: streamLink(context, keyOf(meeting)),
    lines: [
      meeting.held ? when(meeting.held, "held") : when(meeting.planned, "planned"),
      participants(meeting.participants),
      meeting.location ? `at ${meeting.location.name}` : null,
      [meeting.kind, meeting.level].filter(Boolean).map(words).join(", "),
    ],
    cites: streamSources(context, keyOf(meeting)),
    context,
  });
}

/** "with A, B and C", the first few by name, the others counted. */
function participants(actors) {
  if (actors.length === 0) return null;
  const named = actors.slice(0, 6).map(actorName).join(", ");
  return actors.length > 6 ? `with ${named} and ${actors.length - 6} more` : `with ${named}`;
}

function standingLine(label, membership) {
  if (!membership) return null;
  return h("span", {}, `${label}: ${words(membership.action)} `, when(membership.since, "since"), membership.until ? when(membership.until, ", until") : "", " ", possible(membership.certain));
}

function instrumentItem(standing, relation, context) {
  const certain = [standing.a, standing.b].filter(Boolean).every((m) => m.certain);
  return item({
    id: keyOf(standing.instrument),
    title: standing.instrument.title,
    href: streamLink(context, keyOf(standing.instrument)),
    lines: [standingLine(actorName(relation.a), standing.a), standingLine(actorName(relation.b), standing.b)],
    certain,
    cites: streamSources(context, keyOf(standing.instrument)),
    context,
  });
}

function measureItem(measure, context) {
  return item({
    id: keyOf(measure.measure),
    title: measure.measure.title,
    href: streamLink(context, keyOf(measure.measure)),
    lines: [
      `${words(measure.kind)}: ${actorName(measure.imposer)} on ${measure.targets.map(actorName).join(", ")}`,
      when(measure.since, "in force since"),
    ],
    certain: measure.certain,
    cites: streamSources(context, keyOf(measure.measure)),
    context,
  });
}

/** Meetings scheduled between the two by asOf, planned for later, not yet held or cancelled. */
function upcoming(between, asOf) {
  const closed = new Set(
    between.filter((e) => /^Meeting(Held|Cancelled)$/.test(e.type) && e.occurred.earliest <= asOf).map((e) => keyOf(e.stream)),
  );
  return between.filter(
    (e) => e.type === "MeetingScheduled" && !e.retracted && e.occurred.earliest <= asOf &&
      (!e.planned || e.planned.latest >= asOf) && !closed.has(keyOf(e.stream)),
  );
}

function renderRelation(relation, between, context) {
  const a = actorName(relation.a);
  const b = actorName(relation.b);
  const measuresAB = relation.measuresInForce.filter((m) => context.sideA.has(keyOf(m.imposer)));
  const measuresBA = relation.measuresInForce.filter((m) => !context.sideA.has(keyOf(m.imposer)));
  const statements = relation.statements.edges.map(({ node }) => node);
  const sections = [
    section("last-contact", "Last contact", relation.lastContact ? [meetingItem(relation.lastContact, context)] : [], "No contact known by this date."),
    section("contacts", "Contacts", relation.contacts.edges.map(({ node }) => meetingItem(node, context)), "No contact known by this date."),
    section(
      "upcoming",
      "Upcoming meetings",
      upcoming(between, context.asOf).map((e) =>
        item({ id: keyOf(e.stream), title: e.title, href: streamLink(context, keyOf(e.stream)), lines: [when(e.planned, "planned"), `announced ${e.occurred.edtf}`], cites: e.sources, context }),
      ),
      "No meeting scheduled after this date is known.",
    ),
    section(
      "dialogues",
      "Dialogues",
      relation.dialogues.map((d) =>
        item({ id: keyOf(d.dialogue), title: d.dialogue.name, href: streamLink(context, keyOf(d.dialogue)), lines: [h("span", {}, h("strong", { class: "status" }, words(d.status)), " ", when(d.since, "since"))], certain: d.certain, cites: streamSources(context, keyOf(d.dialogue)), context }),
      ),
      "No dialogue between the two by this date.",
    ),
    section("measures-a-b", `Measures in force: ${a} on ${b}`, measuresAB.map((m) => measureItem(m, context)), "None."),
    section("measures-b-a", `Measures in force: ${b} on ${a}`, measuresBA.map((m) => measureItem(m, context)), "None."),
    section("shared", "Instruments both are party to", relation.sharedInstruments.map((s) => instrumentItem(s, relation, context)), "None."),
    section("only-a", `Instruments only ${a} is party to`, relation.onlyA.map((s) => instrumentItem(s, relation, context)), "None."),
    section("only-b", `Instruments only ${b} is party to`, relation.onlyB.map((s) => instrumentItem(s, relation, context)), "None."),
    section(
      "statements",
      "Statements of one about the other",
      statements.map((e) =>
        item({ id: keyOf(e), title: e.summary, href: streamLink(context, keyOf(e.stream)), lines: [when(e.occurred), `by ${actorName(e.issuer)}${e.stance ? `, ${words(e.stance)}` : ""}`], cites: e.sources, stream: keyOf(e.stream), context }),
      ),
      "No statement known by this date.",
    ),
  ];
  $("relation-heading").textContent = `${a} and ${b} on ${day(relation.asOf)}`;
  $("relation-known").textContent = context.knownAt ? `as the log knew it at ${instant(relation.knownAt)}` : `as the log knows it now (${instant(relation.knownAt)})`;
  $("relation-body").replaceChildren(...sections);
}

// --- knowledge time ----------------------------------------------------------------------------

function renderKnowledge(history, context) {
  const stops = [...new Set(history.map((e) => e.recordedAt))].sort((x, y) => Date.parse(x) - Date.parse(y));
  const slider = $("known-slider");
  const output = $("known-output");
  const count = stops.length;
  slider.min = "0";
  slider.max = String(count);
  let index = count;
  if (context.knownAt) {
    const at = Date.parse(context.knownAt);
    index = stops.filter((t) => Date.parse(t) <= at).length - 1;
  }
  slider.value = String(Math.max(index, 0));
  const describe = (i) => (i >= count ? "now" : instant(stops[i]));
  output.textContent = context.knownAt ? instant(context.knownAt) : "now";
  slider.oninput = () => {
    output.textContent = describe(Number(slider.value));
  };
  slider.onchange = () => {
    const i = Number(slider.value);
    go({ ...state(), knownAt: i >= count ? "" : stops[i] });
  };
  const list = $("later-list");
  if (!context.knownAt) {
    list.replaceChildren(h("p", {}, "Move the slider back to see the relation as the log knew it then, and what it learned since."));
    return;
  }
  const later = context.later.events;
  list.replaceChildren(
    h("h3", { id: "h-later" }, `Recorded since then (${later.length})`),
    later.length
      ? h("ul", { class: "items" }, later.map((e) =>
          h("li", { class: "item", "data-id": keyOf(e) }, h("span", { class: "badge later" }, laterKind(e, context.knownAt)), " ", eventLink(keyOf(e), `${e.type} ${keyOf(e.stream)}`, null), `, happened ${e.occurred.edtf}, recorded ${instant(e.recordedAt)}`)))
      : h("p", {}, "Nothing: the log knew then all it knows now of the two."),
  );
}

// --- changes and series ------------------------------------------------------------------------

function renderChanges(changes, context, from) {
  const lines = [
    ...changes.measuresImposed.map((m) => h("li", { "data-id": keyOf(m.measure) }, "Measure imposed: ", h("a", { href: streamLink(context, keyOf(m.measure)) ?? "#" }, m.measure.title), " ", when(m.since), " ", possible(m.certain))),
    ...changes.measuresLifted.map((m) => h("li", { "data-id": keyOf(m.measure) }, "Measure lifted: ", m.measure.title, " ", when(m.since))),
    ...changes.dialogueChanges.map((d) => h("li", { "data-id": keyOf(d.dialogue) }, "Dialogue: ", d.dialogue.name, `: ${words(d.before) || "none"} → ${words(d.after) || "none"}`)),
    ...changes.instrumentsJoined.map((m) => h("li", { "data-id": keyOf(m.instrument) }, `${actorName(m.actor)} joined `, h("a", { href: streamLink(context, keyOf(m.instrument)) }, m.instrument.title), ` (${words(m.action)}) `, when(m.since), " ", possible(m.certain))),
    ...changes.instrumentsLeft.map((m) => h("li", { "data-id": keyOf(m.instrument) }, `${actorName(m.actor)} left ${m.instrument.title} `, when(m.until))),
    ...changes.contacts.nodes.map((m) => h("li", { "data-id": keyOf(m) }, "Contact: ", m.title, " ", when(m.held))),
    ...(changes.contacts.totalCount > changes.contacts.nodes.length ? [h("li", {}, `and ${changes.contacts.totalCount - changes.contacts.nodes.length} later contacts`)] : []),
  ];
  $("changes-heading").textContent = `What changed from ${day(from)} to ${day(context.asOf)}`;
  $("changes-body").replaceChildren(lines.length ? h("ul", { class: "changes" }, lines) : h("p", {}, "Nothing changed between these dates."));
}

// --- loading -----------------------------------------------------------------------------------

let generation = 0;

async function load() {
  const st = state();
  fillForm(st);
  $("forget-token").hidden = !hasToken();
  const ready = st.a && st.b;
  $("results").hidden = !ready;
  if (!ready) {
    say("Pick two sides (a state's code such as USA, or a name) and a date.");
    return;
  }
  if (!st.asOf) {
    go({ ...st, asOf: today() }, true);
    return;
  }
  const mine = ++generation;
  document.body.removeAttribute("data-ready");
  const knownAt = st.knownAt || null;
  const from = st.from || shift(st.asOf, -365);
  document.body.setAttribute("aria-busy", "true");
  say(`Loading the relation of ${st.a} and ${st.b} on ${st.asOf}…`);
  try {
    // As known now, the events between the two are the whole history the slider needs.
    const [answer, past] = await Promise.all([
      ask(RELATION, { a: st.a, b: st.b, asOf: st.asOf, knownAt }),
      knownAt ? ask(HISTORY, { a: st.a, b: st.b }) : null,
    ]);
    if (mine !== generation) return;
    const relation = answer.relation;
    const between = answer.between.edges.map(({ node }) => node);
    const history = past ? past.events.edges.map(({ node }) => node) : between;
    const ids = new Set([
      ...relation.dialogues.map((d) => keyOf(d.dialogue)),
      ...relation.measuresInForce.map((m) => keyOf(m.measure)),
      ...[...relation.sharedInstruments, ...relation.onlyA, ...relation.onlyB].map((s) => keyOf(s.instrument)),
      ...relation.contacts.edges.map(({ node }) => keyOf(node)),
      ...(relation.lastContact ? [keyOf(relation.lastContact)] : []),
    ]);
    const told = ids.size ? await ask(STREAMS, { streams: [...ids], knownAt }) : { events: { edges: [] } };
    if (mine !== generation) return;
    const streams = byStream([...told.events.edges.map(({ node }) => node), ...between]);
    const context = {
      asOf: relation.asOf,
      knownAt: st.knownAt,
      streams,
      later: laterRecords(history, st.knownAt),
      sideA: new Set([keyOf(relation.a), st.a.toUpperCase()]),
    };
    document.title = `${actorName(relation.a)} and ${actorName(relation.b)}, ${relation.asOf} · diplomatic-timeline`;
    renderRelation(relation, between, context);
    renderKnowledge(history, context);
    drawTimeline($("timeline-body"), between, {
      asOf: relation.asOf,
      knownAt: st.knownAt,
      onCursor: (date) => go({ ...state(), asOf: date }),
    });
    say(`The relation of ${actorName(relation.a)} and ${actorName(relation.b)} on ${day(relation.asOf)}: ${relation.contacts.totalCount} contacts, ${relation.dialogues.length} dialogues, ${relation.measuresInForce.length} measures in force.`);
    document.body.setAttribute("data-ready", "relation");
    performance.mark("explore:relation");
    await Promise.all([loadChanges(st, from, context, mine), loadSeries(st, history, knownAt, mine)]);
    if (mine === generation) {
      document.body.setAttribute("data-ready", "all");
      performance.mark("explore:all");
    }
  } catch (error) {
    if (mine !== generation) return;
    $("results").hidden = true;
    say(error.message, "error");
  } finally {
    if (mine === generation) document.body.removeAttribute("aria-busy");
  }
}

/** What changed from `from` to asOf; the events that link the measures imposed the relation did
 * not name come with their own STREAMS query (the references carry their titles). */
async function loadChanges(st, from, context, mine) {
  $("changes-from").value = from;
  try {
    const { changes } = await ask(CHANGES, { a: st.a, b: st.b, from, to: st.asOf, knownAt: st.knownAt || null });
    const named = changes.measuresImposed.map((m) => keyOf(m.measure)).filter((id) => !context.streams.has(id));
    if (named.length) {
      const told = await ask(STREAMS, { streams: [...new Set(named)], knownAt: st.knownAt || null });
      for (const [stream, events] of byStream(told.events.edges.map(({ node }) => node))) context.streams.set(stream, events);
    }
    if (mine === generation) renderChanges(changes, context, from);
  } catch (error) {
    $("changes-body").replaceChildren(h("p", { role: "alert" }, error.message));
  }
}

async function loadSeries(st, history, knownAt, mine) {
  const earliest = history.map((e) => e.occurred.earliest).sort()[0] ?? shift(st.asOf, -365);
  let from = `${earliest.slice(0, 4)}-${String(Math.floor((Number(earliest.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, "0")}-01`;
  if (from > st.asOf) from = shift(st.asOf, -365);
  const years = Number(st.asOf.slice(0, 4)) - Number(from.slice(0, 4));
  const interval = years > 12 ? "YEAR" : "QUARTER";
  try {
    const series = await ask(SERIES, { a: st.a, b: st.b, from, to: st.asOf, interval, knownAt });
    if (mine !== generation) return;
    $("series-heading").textContent = `The relation ${interval === "YEAR" ? "year" : "quarter"} by quarter, ${day(from)} to ${day(st.asOf)}`.replace("year by quarter", "year by year");
    drawSeries($("series-body"), series.relationSeries, interval);
  } catch (error) {
    $("series-body").replaceChildren(h("p", { role: "alert" }, error.message));
  }
}

function start() {
  $("explore-form").addEventListener("submit", (event) => {
    event.preventDefault();
    go({ ...state(), ...readForm() });
  });
  $("swap").addEventListener("click", () => {
    const st = readForm();
    go({ ...state(), ...st, a: st.b, b: st.a });
  });
  $("changes-form").addEventListener("submit", (event) => {
    event.preventDefault();
    go({ ...state(), from: $("changes-from").value });
  });
  $("forget-token").addEventListener("click", () => {
    forgetToken();
    $("forget-token").hidden = true;
    say("The token is forgotten.");
  });
  for (const side of ["a", "b"]) $(`field-${side}`).addEventListener("input", (event) => suggest(event.target));
  window.addEventListener("popstate", load);
  load();
}

start();
