"""GraphiQL at GET /graphql, opened on example queries about the sample data (one tab each,
named by its operation).

GraphiQL, React and their styles are files of the project (api/web/vendor.py), served from
/static with their integrity hashes: the page contacts no other host. The same queries are shown
in docs/queries.md; a test keeps the two alike and runs every example against
examples/sample.jsonl.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from api.web.templating import PAGE_POLICY, TEMPLATES, json_for_script


@dataclass(frozen=True, slots=True)
class Example:
    """One example query: a title (its first line in GraphiQL) and the query, a named operation
    (GraphiQL names its tab after the operation)."""

    title: str
    query: str

    @property
    def text(self) -> str:
        """The query as shown in its tab: the title as a comment, then the query."""
        return f"# {self.title}\n{self.query}"


EXAMPLES = (
    Example(
        "The relation between the United States and China on 19 February 2024",
        """query UsChinaRelation {
  relation(a: "USA", b: "CHN", asOf: "2024-02-19") {
    a { id name }
    b { id name }
    lastContact { id title held { edtf } participants { id name country { id } } }
    contacts(first: 10) { totalCount edges { node { id title held { edtf } } } }
    dialogues { dialogue { id name track } status since { edtf } certain }
    measuresInForce {
      measure { id title } kind imposer { id } targets { id } since { edtf } certain
    }
    sharedInstruments {
      instrument { id title } a { action since { edtf } } b { action since { edtf } }
    }
    onlyA { instrument { id title } }
    onlyB { instrument { id title } }
  }
}
""",
    ),
    Example(
        "The parties to the Bletchley Declaration",
        """query BletchleyParties {
  instrument(id: "instrument/bletchley-declaration") {
    title
    kind
    binding
    adopted { edtf }
    partyCount(asOf: "2023-11-02")
    parties(asOf: "2023-11-02") { actor { id name } action since { edtf } certain }
  }
}
""",
    ),
    Example(
        "The ten most recent events, with who took part and the sources",
        """query RecentEvents {
  events(last: 10) {
    totalCount
    edges {
      node {
        id
        type
        stream { id kind }
        occurred { edtf earliest latest }
        recordedAt
        sources { title publisher url }
        ... on MeetingHeld { title participants { id name } }
        ... on StatementIssued { summary issuer { id } about { id } }
        ... on MeasureImposed { title imposer { id } targets { id } }
      }
    }
    pageInfo { hasPreviousPage startCursor }
  }
}
""",
    ),
    Example(
        "What changed between the United States and China from September 2022 to February 2024",
        """query UsChinaChanges {
  changes(a: "USA", b: "CHN", from: "2022-09-01", to: "2024-02-19") {
    measuresImposed { measure { id title } kind since { edtf } }
    dialogueChanges { dialogue { id name } before after }
    instrumentsJoined { instrument { id title } actor { id } action }
    contacts(first: 10) { totalCount nodes { id title held { edtf } } }
  }
}
""",
    ),
)


@cache
def graphiql_html() -> str:
    """The GraphiQL page (api/web/templates/graphiql.html), a tab per example."""
    examples = json_for_script([example.text for example in EXAMPLES])
    return TEMPLATES.get_template("graphiql.html").render(examples=examples)


@cache
def graphiql_policy() -> str:
    """The Content-Security-Policy of the GraphiQL page: the pages' policy (scripts, styles and
    queries from this server only, no inline script or style), with the fonts its stylesheet
    carries as data: URLs."""
    return PAGE_POLICY.replace("img-src 'self' data:", "img-src 'self' data:; font-src data:")
