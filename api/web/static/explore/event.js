// An event's page: the event as known at knownAt, and its stream's history: the original, the
// corrections and retraction that name it, every other event of the stream, each with sources.
// URL: /explore/event?id=<event id>[&knownAt=<RFC 3339>]

import { ask, hasToken } from "./api.js";
import { EVENT_BY_ID, STREAM, keyOf } from "./queries.js";
import { actorName, eventLink, h, instant, say, sources, when, words } from "./render.js";
import { eventTitle } from "./timeline.js";

const $ = (id) => document.getElementById(id);

function facts(event) {
  const rows = [
    ["Type", event.type],
    ["Stream", keyOf(event.stream)],
    ["Happened", when(event.occurred)],
    ["Recorded", `${instant(event.recordedAt)} by ${event.recordedBy}`],
    event.participants ? ["Participants", event.participants.map(actorName).join(", ")] : null,
    event.imposer ? ["Imposed by", actorName(event.imposer)] : null,
    event.targets ? ["On", event.targets.map(actorName).join(", ")] : null,
    event.issuer ? ["Issued by", actorName(event.issuer)] : null,
    event.stance ? ["Stance", words(event.stance)] : null,
    event.planned ? ["Planned", when(event.planned)] : null,
    event.reason ? ["Reason", event.reason] : null,
    event.newOccurred ? ["New date", when(event.newOccurred)] : null,
    event.changes ? ["Changes", JSON.stringify(event.changes)] : null,
    event.note ? ["Note", event.note] : null,
    event.retracted ? ["Retracted", "yes: the log no longer holds it true"] : null,
    event.correctedBy ? ["Corrected by", eventLink(keyOf(event.correctedBy), `a correction recorded ${instant(event.correctedBy.recordedAt)}`, null)] : null,
  ].filter(Boolean);
  return h("dl", { class: "facts-list" }, rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

function role(event, id) {
  if (keyOf(event) === id) return "this event";
  if (keyOf(event.target) === id) return event.type === "EventRetracted" ? "its retraction" : "a correction of it";
  return "same stream";
}

async function load() {
  const params = new URLSearchParams(location.search);
  const id = params.get("id") ?? "";
  const knownAt = params.get("knownAt") || null;
  $("forget-token").hidden = !hasToken();
  if (!id) {
    say("No event given: /explore/event?id=<event id>");
    return;
  }
  try {
    const { event } = await ask(EVENT_BY_ID, { id, knownAt });
    if (!event) {
      say(`No event ${id} is known${knownAt ? ` at ${instant(knownAt)}` : ""}.`, "error");
      return;
    }
    const { stream } = await ask(STREAM, { id: keyOf(event.stream), knownAt });
    const history = stream?.events.nodes ?? [];
    document.title = `${eventTitle(event)} · diplomatic-timeline`;
    $("detail-title").textContent = eventTitle(event);
    $("detail-body").replaceChildren(
      h("section", { "data-section": "event", "aria-labelledby": "h-event" }, h("h2", { id: "h-event" }, knownAt ? `As known at ${instant(knownAt)}` : "As known now"), facts(event), sources(event.sources)),
      h(
        "section",
        { "data-section": "history", "aria-labelledby": "h-history" },
        h("h2", { id: "h-history" }, `Its stream's history (${history.length} events, in the order recorded)`),
        h("ol", { class: "items history" }, history.map((e) =>
          h("li", { class: `item${keyOf(e) === id ? " current" : ""}${e.retracted ? " retracted" : ""}`, "data-id": keyOf(e) },
            h("div", { class: "item-title" }, h("span", { class: "badge" }, role(e, id)), " ", keyOf(e) === id ? eventTitle(e) : eventLink(keyOf(e), eventTitle(e), knownAt)),
            h("div", { class: "item-line" }, `${e.type}, happened `, when(e.occurred), `, recorded ${instant(e.recordedAt)}`),
            e.reason ? h("div", { class: "item-line" }, `Reason: ${e.reason}`) : null,
            sources(e.sources)))),
      ),
    );
    say(`${eventTitle(event)}: ${history.length} events in its stream.`);
    document.body.setAttribute("data-ready", "all");
  } catch (error) {
    say(error.message, "error");
  }
}

load();
