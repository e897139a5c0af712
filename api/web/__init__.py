"""Pages for people: the landing page, the explorer and GraphiQL, from Jinja2 templates and
static files (vendored libraries with their licences, the explorer's own modules). The pages
read the data only as any client would, through POST /graphql."""
