// An instrument's page: its parties at asOf as known at knownAt, and its roster over time (the
// party count at every date a party joined or left, with who did).
// URL: /explore/instrument?id=instrument/…[&asOf=YYYY-MM-DD][&knownAt=<RFC 3339>]

import { ask, hasToken } from "./api.js";
import { INSTRUMENT, PARTY_COUNT, keyOf } from "./queries.js";
import { actorName, day, eventLink, h, instant, possible, say, sources, when, words } from "./render.js";

const $ = (id) => document.getElementById(id);

/** The roster's changes by date, from the stream's events: { when, joined, left, events }. */
function rosterChanges(events) {
  const dates = new Map();
  const at = (occurred) => {
    if (!dates.has(occurred.edtf)) dates.set(occurred.edtf, { when: occurred, joined: [], left: [], events: [] });
    return dates.get(occurred.edtf);
  };
  for (const event of events) {
    if (event.retracted) continue;
    if (event.type === "InstrumentAdopted" && event.foundingParties.length) {
      const row = at(event.occurred);
      row.joined.push(...event.foundingParties.map((p) => `${actorName(p.actor)} (${words(p.action)})`));
      row.events.push(event);
    } else if (event.type === "PartyJoined") {
      const row = at(event.occurred);
      row.joined.push(`${actorName(event.actor)} (${words(event.action)})`);
      row.events.push(event);
    } else if (event.type === "PartyWithdrew") {
      const row = at(event.occurred);
      row.left.push(actorName(event.actor));
      row.events.push(event);
    }
  }
  return [...dates.values()].sort((x, y) => x.when.earliest.localeCompare(y.when.earliest));
}

async function load() {
  const params = new URLSearchParams(location.search);
  const id = params.get("id") ?? "";
  const asOf = params.get("asOf") || new Date().toISOString().slice(0, 10);
  const knownAt = params.get("knownAt") || null;
  $("forget-token").hidden = !hasToken();
  if (!id) {
    say("No instrument given: /explore/instrument?id=instrument/…");
    return;
  }
  say(`Loading ${id}…`);
  try {
    const data = await ask(INSTRUMENT, { id, asOf, knownAt });
    const instrument = data.instrument;
    if (!instrument) {
      say(`No instrument ${id} is known${knownAt ? ` at ${instant(knownAt)}` : ""}.`, "error");
      return;
    }
    const events = data.stream?.events.nodes ?? [];
    const changes = rosterChanges(events);
    const dates = [...new Set(changes.map((row) => row.when.latest))];
    const counts = await Promise.all(dates.map((date) => ask(PARTY_COUNT, { id, asOf: date, knownAt })));
    const countOn = new Map(dates.map((date, i) => [date, counts[i].instrument?.partyCount ?? 0]));
    document.title = `${instrument.title} · diplomatic-timeline`;
    $("detail-title").textContent = instrument.title;
    $("detail-body").replaceChildren(
      h("p", {}, `${words(instrument.kind)}${instrument.binding === false ? ", not binding" : instrument.binding ? ", binding" : ""}, adopted `, when(instrument.adopted)),
      h(
        "section",
        { "data-section": "parties", "aria-labelledby": "h-parties" },
        h("h2", { id: "h-parties" }, `${instrument.partyCount} parties on ${day(asOf)}${knownAt ? `, as known at ${instant(knownAt)}` : ""}`),
        h("ul", { class: "items parties" }, instrument.parties.map((m) =>
          h("li", { class: `item${m.certain ? "" : " possible"}`, "data-id": keyOf(m.actor) }, actorName(m.actor), `: ${words(m.action)} `, when(m.since, "since"), m.until ? when(m.until, ", until") : "", " ", possible(m.certain)))),
      ),
      h(
        "section",
        { "data-section": "roster", "aria-labelledby": "h-roster" },
        h("h2", { id: "h-roster" }, "The roster over time"),
        h(
          "table",
          { class: "roster" },
          h("thead", {}, h("tr", {}, ["Date", "Joined", "Left", "Parties on its latest day", "Events"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, changes.map((row) =>
            h("tr", {},
              h("td", {}, when(row.when)),
              h("td", {}, row.joined.join(", ")),
              h("td", {}, row.left.join(", ")),
              h("td", {}, String(countOn.get(row.when.latest))),
              h("td", {}, row.events.map((e, i) => [i ? ", " : "", eventLink(keyOf(e), e.type, knownAt)]))))),
        ),
      ),
      h(
        "section",
        { "data-section": "sources", "aria-labelledby": "h-sources" },
        h("h2", { id: "h-sources" }, "Sources"),
        sources(events.flatMap((e) => e.sources)),
      ),
    );
    say(`${instrument.title}: ${instrument.partyCount} parties on ${day(asOf)}.`);
    document.body.setAttribute("data-ready", "all");
  } catch (error) {
    say(error.message, "error");
  }
}

load();
