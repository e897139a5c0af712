// Node GraphQL clients against a live timeline server holding the demo data and one correction
// (tests/test_clients.py starts it and checks what this prints): Apollo Client with
// InMemoryCache and possibleTypes from introspection, urql, graphql-ws with the token in
// connectionParams. Prints one JSON object of the answers; any failure exits non-zero.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { Client as UrqlClient, cacheExchange, fetchExchange } from "@urql/core";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const { ADDRESS, TOKEN, EVENT_ID, BEFORE } = process.env;
const url = `http://${ADDRESS}/graphql`;
const headers = { Authorization: `Bearer ${TOKEN}` };

async function possibleTypes() {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify({
      query: "{ __schema { types { kind name possibleTypes { name } } } }",
    }),
  });
  const { data } = await response.json();
  const found = {};
  for (const type of data.__schema.types) {
    if (type.possibleTypes) found[type.name] = type.possibleTypes.map((t) => t.name);
  }
  return found;
}

const EVENT = gql`
  query Event($id: ID!, $knownAt: DateTime) {
    event(id: $id, knownAt: $knownAt) {
      __typename id key
      ... on MeetingHeld { title meetingKind location { name country { id name } } }
      original { __typename id key ... on MeetingHeld { title } }
    }
  }
`;

const EVERY_KIND = gql`
  query EveryKind {
    events(first: 50) {
      totalCount
      nodes {
        __typename id type
        ... on MeetingHeld { title meetingKind }
        ... on MeasureImposed { title measureKind }
        ... on InstrumentAdopted { title instrumentKind }
        ... on StatementIssued { summary statementKind }
        ... on DialogueEstablished { name track agreedAt { id title } }
      }
    }
  }
`;

async function apollo() {
  const client = new ApolloClient({
    link: new HttpLink({ uri: url, headers }),
    cache: new InMemoryCache({ possibleTypes: await possibleTypes() }),
  });
  const then = await client.query({ query: EVENT, variables: { id: EVENT_ID, knownAt: BEFORE } });
  const now = await client.query({ query: EVENT, variables: { id: EVENT_ID } });
  // Both answers now sit in one normalised cache: read them back from it alone.
  const cachedThen = client.readQuery({ query: EVENT, variables: { id: EVENT_ID, knownAt: BEFORE } });
  const cachedNow = client.readQuery({ query: EVENT, variables: { id: EVENT_ID } });
  const kinds = await client.query({ query: EVERY_KIND });
  return {
    then: then.data.event,
    now: now.data.event,
    cachedThen: cachedThen.event,
    cachedNow: cachedNow.event,
    cacheKeys: Object.keys(client.cache.extract()).filter((k) => k.startsWith(`MeetingHeld:${EVENT_ID}`)),
    everyKind: kinds.data.events.nodes.length,
    dialogueAgreedAt: kinds.data.events.nodes
      .filter((n) => n.__typename === "DialogueEstablished")
      .map((n) => n.agreedAt && n.agreedAt.title),
  };
}

async function urql() {
  const client = new UrqlClient({
    url,
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: { headers },
  });
  const result = await client
    .query(
      `query { relation(a: "USA", b: "CHN", asOf: "2024-02-19") {
        dialogues { dialogue { __typename id name track } status }
        measuresInForce { measure { __typename id title kind } }
        sharedInstruments { instrument { __typename id title kind } }
      } }`,
      {},
    )
    .toPromise();
  if (result.error) throw result.error;
  return result.data.relation;
}

async function graphqlWs() {
  const client = createClient({
    url: `ws://${ADDRESS}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${TOKEN}` },
  });
  const titles = [];
  try {
    await new Promise((resolve, reject) => {
      const dispose = client.subscribe(
        {
          query: `subscription { eventRecorded(afterPosition: 0, filter: {types: [MeetingHeld]}) {
            __typename id ... on MeetingHeld { title } } }`,
        },
        {
          next: (message) => {
            if (message.errors) reject(new Error(JSON.stringify(message.errors)));
            titles.push(message.data.eventRecorded.title);
            if (titles.length === 4) {
              dispose();
              resolve();
            }
          },
          error: reject,
          complete: resolve,
        },
      );
    });
  } finally {
    await client.dispose();
  }
  return titles;
}

const answers = { apollo: await apollo(), urql: await urql(), graphqlWs: await graphqlWs() };
console.log(JSON.stringify(answers));
