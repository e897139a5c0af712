// GraphiQL on this server's /graphql, opened on the example queries (one named tab each).
// A token, when reading needs one, goes in the headers editor: {"Authorization": "Bearer …"}.
const examples = JSON.parse(document.getElementById("examples").textContent);
const fetcher = GraphiQL.createFetcher({ url: new URL("/graphql", location.href).href });
const root = ReactDOM.createRoot(document.getElementById("graphiql"));
root.render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: examples[0],
    defaultTabs: examples.map((query) => ({ query })),
    defaultEditorToolsVisibility: false,
  }),
);
