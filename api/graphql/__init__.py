"""The GraphQL schema (api.md): types, queries, and how they call the views of `events/`."""
