"""GraphiQL at GET /graphql, opened on example queries about the sample data (one tab each).

The same queries are shown in docs/queries.md; a test keeps the two alike and runs every example
against examples/sample.jsonl.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache

from strawberry.http.ides import get_graphql_ide_html


@dataclass(frozen=True, slots=True)
class Example:
    """One example query: a title (its first line in GraphiQL) and the query."""

    title: str
    query: str

    @property
    def text(self) -> str:
        """The query as shown in its tab: the title as a comment, then the query."""
        return f"# {self.title}\n{self.query}"


EXAMPLES = (
    Example(
        "The relation between the United States and China on 19 February 2024",
        """{
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
        """{
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
        """{
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
        """{
  changes(a: "USA", b: "CHN", from: "2022-09-01", to: "2024-02-19") {
    measuresImposed { measure { id title } kind since { edtf } }
    dialogueChanges { dialogue { id name } before after }
    instrumentsJoined { instrument { id title } actor { id } action }
    contacts { id title held { edtf } }
  }
}
""",
    ),
)

# The places of strawberry's GraphiQL page where the examples go.
_FIRST_QUERY = "const EXAMPLE_QUERY = `"
_PROPS = "plugins: [explorerPlugin],"


def script_literal(text: str) -> str:
    """`text` as a JavaScript string literal that cannot end its <script> element."""
    return json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e")


@cache
def graphiql_html() -> str:
    """strawberry's GraphiQL page, opened on the first example with a tab per example."""
    html = get_graphql_ide_html("graphiql")
    start = html.find(_FIRST_QUERY)
    end = html.find("`;", start + len(_FIRST_QUERY))
    if start < 0 or end < 0 or _PROPS not in html:
        raise RuntimeError("strawberry's GraphiQL page changed: place the examples anew")
    tabs = "[" + ", ".join(f"{{query: {script_literal(e.text)}}}" for e in EXAMPLES) + "]"
    html = (
        html[:start]
        + f"const EXAMPLE_QUERY = {script_literal(EXAMPLES[0].text)};"
        + html[end + 2 :]
    )
    return html.replace(_PROPS, f"{_PROPS}\n          defaultTabs: {tabs},", 1)


# Where strawberry's page loads GraphiQL, React and their styles from (with integrity hashes).
_CDN = "https://unpkg.com"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@cache
def graphiql_policy() -> str:
    """The Content-Security-Policy of the GraphiQL page: scripts from the CDN and the page's own
    inline script by its hash (no other inline script runs), styles from the CDN and inline
    (GraphiQL sets its own), queries and subscriptions to this server only, never framed."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(graphiql_html())
    )
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {_CDN} {hashes}",
            f"style-src {_CDN} 'unsafe-inline'",
            f"font-src {_CDN} data:",
            "img-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
