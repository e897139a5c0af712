// Every GraphQL document the pages send, in one place: a change of the schema is made here.
// The pages use nothing but these documents, sent to POST /graphql (api.js).

/**
 * The stable identity (`USA`, `dialogue/…`, an event's UUID) of what an answer names: its `key`.
 * Its `id` is the identity of the version shown (`<key>@<knownAt>` when read at an earlier
 * knownAt), for caches; arguments and the pages' URLs take the `key`. The pages read every
 * actor's, stream's and event's identity through this.
 */
export function keyOf(reference) {
  return reference?.key;
}

const WHEN = `fragment When on When { edtf earliest latest }`;

const SOURCE = `fragment Cited on Source { title publisher url quote published { edtf } }`;

const ACTOR_NAMED = `fragment Named on Actor { key id name }`;

// What a page shows of any event: its envelope, sources, and the words that name it.
const EVENT = `fragment Told on Event {
  key id type stream { key id } version occurred { ...When } recordedAt recordedBy retracted note
  correctedBy { key id recordedAt }
  sources { ...Cited }
  ... on MeetingHeld { title participants { ...Named } }
  ... on MeetingScheduled { title planned { ...When } participants { ...Named } }
  ... on MeetingPostponed { planned { ...When } }
  ... on InstrumentAdopted { title binding }
  ... on MeasureImposed { title measureKind imposer { ...Named } targets { ...Named } }
  ... on MeasureAmended { summary }
  ... on MeasureLifted { effective { ...When } }
  ... on DialogueEstablished { name track }
  ... on StatementIssued { summary stance issuer { ...Named } about { ...Named } }
  ... on PartyJoined { actor { ...Named } action }
  ... on PartyWithdrew { actor { ...Named } }
  ... on ActorRegistered { name }
  ... on EventCorrected { target { key id } reason newOccurred { ...When } changes }
  ... on EventRetracted { target { key id } reason }
}
${WHEN}
${SOURCE}
${ACTOR_NAMED}`;

const MEETING = `fragment Met on Meeting {
  key id title status held { ...When } planned { ...When } kind level
  location { name country { ...Named } } participants { ...Named }
}`;

const STANDING = `fragment Standing on InstrumentStanding {
  instrument { key id title }
  a { action since { ...When } until { ...When } certain }
  b { action since { ...When } until { ...When } certain }
}`;

/** Actors whose id, name or alias has the words typed (registered actors only). */
export const ACTOR_SEARCH = `query ActorSearch($text: String!) {
  actors(filter: { text: $text }, first: 12) {
    edges { node { key id name kind country { key id name } } }
  }
}`;

/** One actor by id: a state's ISO code or a registered slug. */
export const ACTOR = `query Actor($id: ID!) { actor(id: $id) { key id name kind } }`;

/** The relation at asOf as known at knownAt, with the events between the two sides. */
export const RELATION = `query Relation($a: ID!, $b: ID!, $asOf: Date, $knownAt: DateTime) {
  logHead { position recordedAt count }
  relation(a: $a, b: $b, asOf: $asOf, knownAt: $knownAt) {
    asOf knownAt
    a { key id name kind }
    b { key id name kind }
    lastContact { ...Met }
    contacts(first: 100) { totalCount edges { node { ...Met } } }
    dialogues { dialogue { key id name } status since { ...When } certain }
    measuresInForce {
      measure { key id title } kind since { ...When } certain imposer { ...Named } targets { ...Named }
    }
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

/** The events of some streams as known at knownAt: the sources, records and event links of the
 * relation's dialogues, measures, instruments and meetings. */
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
        key id type stream { key id } recordedAt occurred { ...When }
        ... on EventCorrected { target { key id } }
        ... on EventRetracted { target { key id } }
      }
    }
  }
}
${WHEN}`;

/** What differs between two dates. */
export const CHANGES = `query Changes($a: ID!, $b: ID!, $from: Date!, $to: Date!, $knownAt: DateTime) {
  changes(a: $a, b: $b, from: $from, to: $to, knownAt: $knownAt) {
    measuresImposed { measure { key id title } kind since { ...When } certain }
    measuresLifted { measure { key id title } kind since { ...When } certain }
    dialogueChanges { dialogue { key id name } before after }
    instrumentsJoined { instrument { key id title } actor { ...Named } action since { ...When } certain }
    instrumentsLeft { instrument { key id title } actor { ...Named } action since { ...When } until { ...When } }
    contacts(first: 100) { totalCount nodes { key id title held { ...When } } }
  }
}
${WHEN}
${ACTOR_NAMED}`;

/** The relation bucket by bucket, for the chart. */
export const SERIES = `query Series($a: ID!, $b: ID!, $from: Date!, $to: Date!, $interval: Interval!, $knownAt: DateTime) {
  relationSeries(a: $a, b: $b, from: $from, to: $to, interval: $interval, knownAt: $knownAt) {
    start end contacts measuresInForce measuresImposed measuresLifted activeDialogues
    statementsByStance { cooperative neutral critical }
  }
}`;

/** An instrument, its parties at asOf and its stream's first 100 events (the roster's changes). */
export const INSTRUMENT = `query Instrument($id: ID!, $asOf: Date, $knownAt: DateTime) {
  instrument(id: $id, knownAt: $knownAt) {
    key id title kind binding adopted { ...When }
    partyCount(asOf: $asOf, knownAt: $knownAt)
    parties(asOf: $asOf, knownAt: $knownAt) {
      actor { key id name kind } action since { ...When } until { ...When } certain
    }
  }
  stream(id: $id, knownAt: $knownAt) {
    events(first: 100) {
      totalCount
      nodes {
        ...Told
        ... on InstrumentAdopted { foundingParties { action actor { ...Named } } }
      }
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
  event(id: $id, knownAt: $knownAt) { ...Told original { key id } }
}
${EVENT}`;

/** A stream's events: an event's history (the original, corrections, retraction); its first 100. */
export const STREAM = `query Stream($id: ID!, $knownAt: DateTime) {
  stream(id: $id, knownAt: $knownAt) { key id kind version events(first: 100) { totalCount nodes { ...Told } } }
}
${EVENT}`;
