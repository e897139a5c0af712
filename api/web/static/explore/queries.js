// Every GraphQL document the pages send, in one place: a change of the schema is made here.
// The pages use nothing but these documents, sent to POST /graphql (api.js).

/**
 * The stream key (`dialogue/…`, `meeting/…`) a reference names: today a bare id string; once
 * references are objects (`dialogue { key name }`) their `key`, or their `id`. The pages read
 * every reference and every meeting's key through this, so that a change of the documents
 * below needs no change elsewhere.
 */
export function keyOf(reference) {
  if (reference == null || typeof reference === "string") return reference;
  return reference.key ?? reference.id;
}

const WHEN = `fragment When on When { edtf earliest latest }`;

const SOURCE = `fragment Cited on Source { title publisher url quote published { edtf } }`;

// What a page shows of any event: its envelope, sources, and the words that name it.
const EVENT = `fragment Told on Event {
  id type stream version occurred { ...When } recordedAt recordedBy retracted note
  correctedBy { id recordedAt }
  sources { ...Cited }
  ... on MeetingHeld { title participants { id name } }
  ... on MeetingScheduled { title planned { ...When } participants { id name } }
  ... on MeetingPostponed { planned { ...When } }
  ... on InstrumentAdopted { title binding }
  ... on MeasureImposed { title kind imposer { id name } targets { id name } }
  ... on MeasureAmended { summary }
  ... on MeasureLifted { effective { ...When } }
  ... on DialogueEstablished { name track }
  ... on StatementIssued { summary stance issuer { id name } about { id name } }
  ... on PartyJoined { actor { id name } action }
  ... on PartyWithdrew { actor { id name } }
  ... on ActorRegistered { name }
  ... on EventCorrected { target reason newOccurred { ...When } changes }
  ... on EventRetracted { target reason }
}
${WHEN}
${SOURCE}`;

const MEETING = `fragment Met on Meeting {
  id title status held { ...When } planned { ...When } kind level
  location { name country } participants { id name country { id } }
}`;

const STANDING = `fragment Standing on InstrumentStanding {
  instrument
  a { action since { ...When } until { ...When } certain }
  b { action since { ...When } until { ...When } certain }
}`;

/** Actors whose id, name or alias has the words typed (registered actors only). */
export const ACTOR_SEARCH = `query ActorSearch($text: String!) {
  actors(filter: { text: $text }, first: 12) {
    edges { node { id name kind country { id name } } }
  }
}`;

/** One actor by id: a state's ISO code or a registered slug. */
export const ACTOR = `query Actor($id: ID!) { actor(id: $id) { id name kind } }`;

/** The relation at asOf as known at knownAt, with the events between the two sides. */
export const RELATION = `query Relation($a: ID!, $b: ID!, $asOf: Date, $knownAt: DateTime) {
  logHead { position recordedAt count }
  relation(a: $a, b: $b, asOf: $asOf, knownAt: $knownAt) {
    asOf knownAt
    a { id name kind }
    b { id name kind }
    lastContact { ...Met }
    contacts(first: 100) { totalCount edges { node { ...Met } } }
    dialogues { dialogue status since { ...When } certain }
    measuresInForce { measure kind since { ...When } certain imposer { id name } targets { id name } }
    sharedInstruments { ...Standing }
    onlyA { ...Standing }
    onlyB { ...Standing }
    statements(first: 100) { totalCount edges { node { ...Told } } }
  }
  between: events(filter: { actors: [$a, $b], includeRetracted: true }, first: 100, knownAt: $knownAt) {
    totalCount
    edges { node { ...Told } }
  }
}
${MEETING}
${STANDING}
${EVENT}`;

/** The events of some streams as known at knownAt: the titles and sources of the relation's
 * dialogues, measures, instruments and meetings. */
export const STREAMS = `query Streams($streams: [ID!]!, $knownAt: DateTime) {
  events(filter: { streams: $streams, includeRetracted: true }, first: 100, knownAt: $knownAt) {
    edges { node { ...Told } }
  }
}
${EVENT}`;

/** Every event between the two as known now: the moments the log learned something of them. */
export const HISTORY = `query History($a: ID!, $b: ID!) {
  events(filter: { actors: [$a, $b], includeRetracted: true }, first: 100) {
    totalCount
    edges {
      node {
        id type stream recordedAt occurred { ...When }
        ... on EventCorrected { target }
        ... on EventRetracted { target }
      }
    }
  }
}
${WHEN}`;

/** What differs between two dates. */
export const CHANGES = `query Changes($a: ID!, $b: ID!, $from: Date!, $to: Date!, $knownAt: DateTime) {
  changes(a: $a, b: $b, from: $from, to: $to, knownAt: $knownAt) {
    measuresImposed { measure kind since { ...When } certain }
    measuresLifted { measure kind since { ...When } certain }
    dialogueChanges { dialogue before after }
    instrumentsJoined { instrument actor { id name } action since { ...When } certain }
    instrumentsLeft { instrument actor { id name } action since { ...When } until { ...When } }
    contacts { id title held { ...When } }
  }
}
${WHEN}`;

/** The relation bucket by bucket, for the chart. */
export const SERIES = `query Series($a: ID!, $b: ID!, $from: Date!, $to: Date!, $interval: Interval!, $knownAt: DateTime) {
  relationSeries(a: $a, b: $b, from: $from, to: $to, interval: $interval, knownAt: $knownAt) {
    start end contacts measuresInForce measuresImposed measuresLifted activeDialogues
    statementsByStance { cooperative neutral critical }
  }
}`;

/** An instrument, its parties at asOf and its stream's events (the roster's changes). */
export const INSTRUMENT = `query Instrument($id: ID!, $asOf: Date, $knownAt: DateTime) {
  instrument(id: $id, knownAt: $knownAt) {
    id title kind binding adopted { ...When }
    partyCount(asOf: $asOf, knownAt: $knownAt)
    parties(asOf: $asOf, knownAt: $knownAt) {
      actor { id name kind } action since { ...When } until { ...When } certain
    }
  }
  stream(id: $id, knownAt: $knownAt) {
    events {
      ...Told
      ... on InstrumentAdopted { parties { action actor { id name } } }
    }
  }
}
${EVENT}`;

/** The number of an instrument's parties on a date (one point of the roster over time). */
export const PARTY_COUNT = `query PartyCount($id: ID!, $asOf: Date, $knownAt: DateTime) {
  instrument(id: $id, knownAt: $knownAt) { partyCount(asOf: $asOf, knownAt: $knownAt) }
}`;

/** An event as known at knownAt. */
export const EVENT_BY_ID = `query Event($id: ID!, $knownAt: DateTime) {
  event(id: $id, knownAt: $knownAt) { ...Told original { id } }
}
${EVENT}`;

/** A stream's events: an event's history (the original, corrections, retraction). */
export const STREAM = `query Stream($id: ID!, $knownAt: DateTime) {
  stream(id: $id, knownAt: $knownAt) { id kind version events { ...Told } }
}
${EVENT}`;
