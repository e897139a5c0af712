"""The GraphQL schema (docs/graphql.md): types, queries, and how they call the views of
`events/`."""
